"""Bearer JWTs: simplejwt's authentication as it ships, with its refusals in this project's error shape."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from aspirasi.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


ME = "/api/v1/me/"


def _bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


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


def test_a_logged_in_list_reads_the_caller_and_the_versions(resident, committed, django_assert_num_queries):
    from aspirasi.services import votes
    from tests.factories import ProposalFactory

    client = client_for(resident)
    proposal = ProposalFactory()
    client.get("/api/v1/proposals/")
    with django_assert_num_queries(2):  # the caller, the versions; the page and the caller's votes are kept
        assert client.get("/api/v1/proposals/").json()["results"][0]["vote_count"] == 0
    with committed():
        votes.vote_cast(proposal_id=proposal.pk, voter_id=resident.pk)
    item = client.get("/api/v1/proposals/").json()["results"][0]
    assert item["vote_count"] == 1 and item["has_voted"]


def test_the_public_list_refuses_a_deactivated_users_token(resident):
    """A public read still checks the token's user: a deactivated account is refused, not served anonymously."""
    client = client_for(resident)
    assert client.get("/api/v1/proposals/").status_code == 200
    User.objects.filter(pk=resident.pk).update(is_active=False)
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
