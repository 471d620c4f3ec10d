"""Bearer JWTs: the user is read by one plain statement (aspirasi/api/authentication.py) with simplejwt's rules."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from aspirasi.api.authentication import _user_by_id
from aspirasi.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


ME = "/api/v1/me/"


def _bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_the_user_is_the_whole_row(resident, django_assert_num_queries):
    client = client_for(resident)
    client.get(ME)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["display_name"] == "Siti Warga"
    user, also_read = _user_by_id(resident.pk)
    assert also_read == ()
    assert user == resident and user._state.db == "default" and not user._state.adding
    assert {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields} == {
        field.attname: getattr(resident, field.attname) for field in User._meta.concrete_fields
    }
    with django_assert_num_queries(0):  # nothing deferred: no field is read lazily
        user.phone, user.role, user.kelurahan_id, user.password  # noqa: B018


def test_a_deactivated_user_is_refused_at_once(resident):
    client = client_for(resident)
    User.objects.filter(pk=resident.pk).update(is_active=False)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_a_deleted_user_is_refused(resident):
    client = client_for(resident)
    User.objects.filter(pk=resident.pk).delete()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


@pytest.mark.parametrize("user_id", ["not-a-number", None])
def test_a_token_without_a_usable_user_id_is_refused(resident, user_id):
    token = AccessToken.for_user(resident)
    token["user_id"] = user_id
    response = _bearer(token).get(ME)
    assert response.status_code == 401


def test_the_list_reads_its_versions_with_the_caller(resident, committed, django_assert_num_queries):
    from aspirasi import public_list
    from aspirasi.services import votes
    from tests.factories import ProposalFactory

    client = client_for(resident)
    proposal = ProposalFactory()
    client.get("/api/v1/proposals/")
    with django_assert_num_queries(1):  # the caller and the versions, one statement; the page is kept
        assert client.get("/api/v1/proposals/").json()["results"][0]["vote_count"] == 0
    with committed():
        votes.vote_cast(proposal_id=proposal.pk, voter=resident)
    item = client.get("/api/v1/proposals/").json()["results"][0]
    assert item["vote_count"] == 1 and item["has_voted"]
    user, also_read = _user_by_id(resident.pk, also=public_list.versions_columns())
    assert user == resident and public_list.versions_from(also_read) == public_list.current_versions()


def test_the_public_list_refuses_a_deactivated_users_token(resident):
    """A public read still checks the token's user: a deactivated account is refused, not served anonymously."""
    client = client_for(resident)
    assert client.get("/api/v1/proposals/").status_code == 200
    User.objects.filter(pk=resident.pk).update(is_active=False)
    assert client.get("/api/v1/proposals/").status_code == 401


def test_a_kept_token_is_refused_once_it_expires(resident, monkeypatch):
    from datetime import timedelta

    from rest_framework_simplejwt.utils import aware_utcnow

    client = client_for(resident)
    assert client.get(ME).status_code == 200  # verified once, and kept
    later = aware_utcnow() + timedelta(hours=2)
    monkeypatch.setattr("aspirasi.api.authentication.aware_utcnow", lambda: later)
    monkeypatch.setattr("rest_framework_simplejwt.tokens.aware_utcnow", lambda: later)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_refused_token_is_refused_every_time_and_not_kept(resident):
    from aspirasi.api.authentication import _verified

    token = str(AccessToken.for_user(resident))
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    kept = _verified.cache_info().currsize
    for _ in range(2):
        assert _bearer(forged).get(ME).status_code == 401
    assert _verified.cache_info().currsize == kept
