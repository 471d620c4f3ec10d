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


def test_authentication_refusals_follow_accept_language(api, resident):
    """simplejwt's own messages too: its Indonesian catalog is not loaded for "id" (api/authentication.py)."""
    from tests.conftest import client_for

    malformed = {"HTTP_AUTHORIZATION": "Bearer"}
    indonesian = api.get("/api/v1/me/", **malformed).json()
    english = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en", **malformed).json()
    assert indonesian["code"] == english["code"] == "bad_authorization_header"
    assert english["message"] == "Authorization header must contain two space-delimited values"
    assert indonesian["message"] == "Header Authorization harus berisi dua nilai yang dipisahkan spasi."

    client = client_for(resident)
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").json() == {"code": "user_inactive", "message": "Akun pengguna ini dinonaktifkan."}
    resident.delete()
    assert client.get("/api/v1/me/").json() == {"code": "user_not_found", "message": "Pengguna tidak ditemukan."}


def _domain_errors(cls=None):
    from aspirasi.errors import DomainError

    for sub in (cls or DomainError).__subclasses__():
        yield sub
        yield from _domain_errors(sub)


def test_every_domain_error_reads_once_in_each_language():
    """Each domain error's message is translated into Indonesian, and says it once (two were found said
    twice over, the sentence repeated in the catalog)."""
    from django.utils import translation

    checked = 0
    for error in _domain_errors():
        with translation.override("en"):
            english = str(error.default_message)
        with translation.override("id"):
            indonesian = str(error.default_message)
        if error.__name__ == "InvalidImage":  # its message is set per failure
            continue
        assert indonesian != english, f"{error.__name__} has no Indonesian message"
        for text in (english, indonesian):
            half = len(text) // 2
            assert text[:half].strip() != text[half:].strip(), f"{error.__name__}: {text!r}"
        checked += 1
    assert checked >= 15
