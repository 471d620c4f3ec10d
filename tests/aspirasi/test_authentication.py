"""Bearer JWTs: simplejwt's authentication as it ships, with its refusals in this project's error shape, and
the token's user kept for AUTH_USER_CACHE_SECONDS (api/authentication.py)."""

import pickle
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from aspirasi import kept_users
from aspirasi.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


ME = "/api/v1/me/"


def _bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _kept(user):
    return cache.get(kept_users.key(user.pk))


def test_a_deactivated_user_is_refused_at_once(resident):
    client = client_for(resident)
    User.objects.filter(pk=resident.pk).update(is_active=False)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_a_user_deactivated_as_the_admin_saves_it_is_refused_at_once_though_kept(resident):
    client = client_for(resident)
    assert client.get(ME).status_code == 200 and _kept(resident) is not None
    resident.is_active = False
    resident.save()  # what the admin's user form does
    response = client.get(ME)
    assert (response.status_code, response.json()["code"]) == (401, "user_inactive")


def test_a_deleted_user_is_refused_at_once_though_kept(resident):
    client = client_for(resident)
    assert client.get(ME).status_code == 200 and _kept(resident) is not None
    User.objects.filter(pk=resident.pk).delete()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


def test_a_deactivation_that_bypasses_save_is_refused_within_the_kept_seconds(resident, settings):
    settings.AUTH_USER_CACHE_SECONDS = 1
    client = client_for(resident)
    assert client.get(ME).status_code == 200 and _kept(resident) is not None
    User.objects.filter(pk=resident.pk).update(is_active=False)  # no save(): nothing forgets the kept user
    time.sleep(1.2)
    assert client.get(ME).status_code == 401


def test_a_callers_own_change_reads_back_at_once(resident):
    client = client_for(resident)
    assert client.get(ME).json()["display_name"] != "Bu Siti Baru"
    assert client.patch(ME, {"display_name": "Bu Siti Baru"}, format="json").status_code == 200
    assert client.get(ME).json()["display_name"] == "Bu Siti Baru"


def test_the_kept_user_holds_no_password_hash_and_a_password_check_still_reads_it(resident):
    client = client_for(resident)
    client.get(ME)
    kept = _kept(resident)
    assert kept.get_deferred_fields() == {"password"}
    assert resident.password.encode() not in pickle.dumps(kept)
    change = {"old_password": "rahasia-sekali-123", "new_password": "kata-sandi-baru-456"}  # UserFactory's
    assert client.post("/api/v1/auth/password/change/", change, format="json").status_code == 200


def test_the_kept_user_is_read_once(resident):
    client = client_for(resident)
    table = User._meta.db_table

    def user_reads():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ME).json()["id"] == resident.pk
        return sum(f'FROM "{table}"' in query["sql"] for query in queries)

    assert (user_reads(), user_reads()) == (1, 0)


@pytest.mark.parametrize("user_id", ["not-a-number", None])
def test_a_token_without_a_usable_user_id_is_refused(resident, user_id):
    token = AccessToken.for_user(resident)
    token["user_id"] = user_id
    response = _bearer(token).get(ME)
    assert response.status_code == 401


def test_a_logged_in_list_reads_the_versions_alone_once_kept(resident, committed, django_assert_num_queries):
    from aspirasi.services import votes
    from tests.factories import ProposalFactory

    client = client_for(resident)
    proposal = ProposalFactory()
    client.get("/api/v1/proposals/")
    with django_assert_num_queries(1):  # the versions; the caller, the page and the caller's votes are kept
        assert client.get("/api/v1/proposals/").json()["results"][0]["vote_count"] == 0
    with committed():
        votes.vote_cast(proposal_id=proposal.pk, voter_id=resident.pk)
    item = client.get("/api/v1/proposals/").json()["results"][0]
    assert item["vote_count"] == 1 and item["has_voted"]


def test_the_public_list_refuses_a_deactivated_users_token(resident):
    """A public read still checks the token's user: a deactivated account is refused, not served anonymously."""
    client = client_for(resident)
    assert client.get("/api/v1/proposals/").status_code == 200
    resident.is_active = False
    resident.save()
    assert client.get("/api/v1/proposals/").status_code == 401


def test_an_expired_token_is_refused(resident, monkeypatch):
    from datetime import timedelta

    from rest_framework_simplejwt.utils import aware_utcnow

    client = client_for(resident)
    assert client.get(ME).status_code == 200
    later = aware_utcnow() + timedelta(hours=2)
    monkeypatch.setattr("rest_framework_simplejwt.tokens.aware_utcnow", lambda: later)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_forged_token_is_refused(resident):
    token = str(AccessToken.for_user(resident))
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = _bearer(forged).get(ME)
    assert (response.status_code, response.json()["code"]) == (401, "token_not_valid")


def test_no_kept_seconds_reads_the_user_on_every_request(resident, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0
    client = client_for(resident)
    client.get(ME)
    assert _kept(resident) is None
    User.objects.filter(pk=resident.pk).update(is_active=False)
    assert client.get(ME).status_code == 401
