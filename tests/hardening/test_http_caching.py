"""What answers tell caches, and how they travel: per-caller answers are private, credentials are stored by
no one, JSON is gzipped (never beside a secret) and conditional requests still get their 304."""

import gzip
import io
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.utils.cache import cc_delim_re

from aspirasi.models import CodePurpose, PhoneCodeDevice
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

PROPOSALS = "/api/v1/proposals/"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _directives(response) -> set[str]:
    return {d.split("=")[0].strip() for d in cc_delim_re.split(response.get("Cache-Control", "")) if d}


def _vary(response) -> set[str]:
    return {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}


@pytest.fixture
def page():
    """A page's worth of published proposals."""
    return ProposalFactory.create_batch(20)


def test_a_bearer_callers_list_is_private_and_varies_on_the_token(as_resident, page):
    response = as_resident.get(PROPOSALS)
    assert response.status_code == 200 and "has_voted" in response.json()["results"][0]
    assert "private" in _directives(response)
    assert "authorization" in _vary(response)
    # Its 304 says the same, so a cache revalidating it keeps it private.
    again = as_resident.get(PROPOSALS, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "private" in _directives(again) and "authorization" in _vary(again)


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/notifications/", "/api/v1/me/proposals/"])
def test_every_answer_for_a_bearer_caller_is_private(as_resident, path):
    response = as_resident.get(path)
    assert response.status_code == 200
    assert "private" in _directives(response) and "authorization" in _vary(response)


def test_a_session_callers_answer_is_private_and_varies_on_the_cookie(resident, page):
    client = Client()
    client.force_login(resident)
    response = client.get(PROPOSALS)
    assert response.status_code == 200
    assert "private" in _directives(response) and "cookie" in _vary(response)


def test_a_views_own_directives_stay(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert {"private", "no-cache", "no-store", "max-age"} <= _directives(response)


def test_anonymous_answers_stay_shareable(api, page):
    response = api.get(PROPOSALS)
    assert response.status_code == 200
    assert "private" not in _directives(response) and "authorization" not in _vary(response)


def test_reference_data_stays_public_for_a_signed_in_caller(as_resident):
    """The same for everyone (the view says so): a shared cache may keep it even for a caller with a token."""
    response = as_resident.get("/api/v1/areas/")
    assert {"public", "max-age"} <= _directives(response) and "private" not in _directives(response)


def test_a_page_of_twenty_travels_gzipped(api, as_resident, page):
    for client in (api, as_resident):
        plain = client.get(PROPOSALS)
        packed = client.get(PROPOSALS, **GZIP)
        assert "Content-Encoding" not in plain
        assert packed["Content-Encoding"] == "gzip" and "accept-encoding" in _vary(packed)
        assert json.loads(gzip.decompress(packed.content)) == plain.json()
        assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 4


def test_a_gzipped_page_still_answers_304_to_its_etag(api, as_resident, page):
    for client in (api, as_resident):
        first = client.get(PROPOSALS, **GZIP)
        assert first["Content-Encoding"] == "gzip" and first["ETag"].startswith('W/"')  # another representation
        again = client.get(PROPOSALS, HTTP_IF_NONE_MATCH=first["ETag"], **GZIP)
        assert again.status_code == 304 and not again.content
        # The plain representation's strong tag matches the same page too (weak comparison).
        assert client.get(PROPOSALS, HTTP_IF_NONE_MATCH=first["ETag"][2:]).status_code == 304


def test_a_seeded_page_of_twenty_is_at_most_4_kb_gzipped(api):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    plain = api.get(PROPOSALS, {"page_size": 20})
    packed = api.get(PROPOSALS, {"page_size": 20}, **GZIP)
    assert len(plain.json()["results"]) == 20
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) <= 4096 < len(plain.content)


def test_answers_with_tokens_are_never_stored_nor_compressed(api, resident):
    newcomer = UserFactory(phone="+6281299990000", phone_verified_at=None)
    for user, purpose in ((newcomer, CodePurpose.REGISTER), (resident, CodePurpose.RESET)):
        PhoneCodeDevice.objects.create(user=user, purpose=purpose, name=purpose).code_set("123456")
    verify = api.post("/api/v1/auth/verify/", {"phone": newcomer.phone, "code": "123456"}, format="json", **GZIP)
    reset = api.post(
        "/api/v1/auth/password/reset/confirm/",
        {"phone": resident.phone, "code": "123456", "new_password": "rahasia-sekali-123"},
        format="json",
        **GZIP,
    )
    login = api.post(
        "/api/v1/auth/token/", {"phone": resident.phone, "password": "rahasia-sekali-123"}, format="json", **GZIP
    )
    refresh = api.post("/api/v1/auth/token/refresh/", {"refresh": login.json()["refresh"]}, format="json", **GZIP)
    for response in (verify, reset, login, refresh):
        assert response.status_code in (200, 201), response.content
        assert "no-store" in _directives(response)
        assert "Content-Encoding" not in response and "access" in response.json()


def test_admin_pages_are_not_compressed(admin_user):
    """Their CSRF token sits next to what the page reflects (a search, a filter): BREACH's material."""
    client = Client()
    client.force_login(admin_user)
    response = client.get("/admin/aspirasi/proposal/", {"q": "reflected"}, **GZIP)
    assert response.status_code == 200 and len(response.content) > 200
    assert "Content-Encoding" not in response


def test_static_files_are_whitenoises_alone(settings):
    """WhiteNoise, outside the gzip middleware, answers them as it sees fit (its own precompressed files)."""
    settings.WHITENOISE_USE_FINDERS = True  # read by a new client's middleware: serve straight from the apps
    response = Client().get("/static/admin/css/base.css", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == Path(finders.find("admin/css/base.css")).read_bytes()
