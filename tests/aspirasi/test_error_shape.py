import pytest

pytestmark = pytest.mark.django_db


def test_unknown_url_is_json_404(api):
    response = api.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_validation_error_shape_in_indonesian_by_default(api):
    response = api.post("/api/v1/auth/register/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "Beberapa isian tidak valid."
    assert body["fields"]["phone"][0]["code"] == "required"
    assert body["fields"]["phone"][0]["message"] == "Bidang ini harus diisi."


def test_validation_error_in_english(api):
    response = api.post("/api/v1/auth/register/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert body["message"] == "Some fields are invalid."
    assert body["fields"]["phone"][0]["message"] == "This field is required."


def test_domain_error_message_translated(api):
    body = {"phone": "0812", "password": "x"}
    indonesian = api.post("/api/v1/auth/token/", body, format="json").json()
    english = api.post("/api/v1/auth/token/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert indonesian["code"] == english["code"] == "invalid_credentials"
    assert english["message"] == "The phone number or password is wrong."
    assert indonesian["message"] == "Nomor telepon atau kata sandi salah."


def test_malformed_json_is_a_parse_error(api):
    response = api.post("/api/v1/auth/token/", b'{"phone": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_method_not_allowed_is_json(api):
    response = api.delete("/api/v1/areas/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_oversized_body_is_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/auth/token/", {"phone": "x" * 5000, "password": "y"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in {"bad_request", "parse_error"}


def test_wrong_content_type_is_unsupported_media_type(api):
    response = api.post("/api/v1/auth/token/", b"phone=1", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
