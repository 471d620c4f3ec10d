"""Hostile and broken input gets a clear JSON error, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REGISTER = "/api/v1/auth/register/"


def _assert_client_error(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"]


def test_deeply_nested_json(api):
    body = ("[" * 100_000 + "]" * 100_000).encode()
    _assert_client_error(api.post(TOKEN, body, content_type="application/json"))


def test_invalid_utf8(api):
    _assert_client_error(api.post(TOKEN, b'{"phone": "\xff\xfe", "password": "x"}', content_type="application/json"))


def test_oversized_json_body(api):
    body = b'{"phone": "' + b"9" * 3_000_000 + b'", "password": "x"}'
    _assert_client_error(api.post(TOKEN, body, content_type="application/json"))


def test_huge_strings_are_field_errors(api):
    response = api.post(
        REGISTER,
        {"phone": "0812" * 1000, "password": "p" * 10_000, "display_name": "n" * 10_000, "kelurahan": 1},
        format="json",
    )
    _assert_client_error(response)
    assert {"phone", "password", "display_name"} <= set(response.json()["fields"])


@pytest.mark.parametrize("kelurahan", [-1, 2**70, "NaN", "Infinity", None, [], {}])
def test_bad_numbers_are_field_errors(api, kelurahan):
    response = api.post(
        REGISTER,
        {"phone": "081234567890", "password": "kopi-tubruk-pagi", "display_name": "x", "kelurahan": kelurahan},
        format="json",
    )
    _assert_client_error(response)
    assert "kelurahan" in response.json()["fields"]


def test_nan_literal_in_json_is_refused(api):
    body = b'{"phone": NaN, "password": Infinity}'
    _assert_client_error(api.post(TOKEN, body, content_type="application/json"))


def test_json_of_the_wrong_shape(api):
    _assert_client_error(api.post(TOKEN, b"[1, 2, 3]", content_type="application/json"))
    _assert_client_error(api.post(TOKEN, b'"just a string"', content_type="application/json"))


def test_injection_strings_are_stored_and_returned_inert(as_resident, resident):
    hostile = "<script>alert(1)</script>'; DROP TABLE aspirasi_user; --"
    response = as_resident.patch("/api/v1/me/", {"display_name": hostile}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == hostile  # JSON-encoded as data, never interpreted
    resident.refresh_from_db()
    assert resident.display_name == hostile


def test_null_bytes_in_strings(api):
    response = api.post(TOKEN, {"phone": "0812\x00", "password": "x"}, format="json")
    assert response.status_code in {400, 401}
    assert response.json()["code"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/?kelurahan=153144612102562578432",
        "/api/v1/reports/?category=-3",
        "/api/v1/proposals/?kelurahan=153144612102562578432",
        "/api/v1/proposals/?near=NaN,Infinity",
        "/api/v1/proposals/?cursor=not-a-cursor",
    ],
)
def test_overflowing_and_garbage_query_parameters(api, url):
    """Found by the schema fuzzer: an id beyond 64 bits reached SQLite and overflowed (a 500)."""
    _assert_client_error(api.get(url))


@pytest.mark.parametrize("param", ["category", "kecamatan"])
def test_overflowing_id_or_slug_filters_match_nothing(api, param):
    response = api.get(f"/api/v1/proposals/?{param}=153144612102562578432")
    assert response.status_code == 200
    assert response.json()["results"] == []
