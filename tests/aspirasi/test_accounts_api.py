import pytest
from django.utils import timezone

from aspirasi.errors import InvalidPhoneNumber
from aspirasi.models import Kecamatan, Kelurahan, Role, User
from aspirasi.services.accounts import phone_normalize, user_assign_role
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"


def _register(api, **overrides):
    body = {
        "phone": "0812-3456-7890",
        "password": "kopi-tubruk-pagi",
        "display_name": "Siti",
        "kelurahan": Kelurahan.objects.get(slug="manggar").id,
    }
    body.update(overrides)
    return api.post(REGISTER, body, format="json")


@pytest.mark.parametrize("raw", ["081234567890", "6281234567890", "+6281234567890", "+62 812-3456-7890"])
def test_phone_forms_normalise_to_e164(raw):
    assert phone_normalize(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["12345", "+14155552671", "0215551234", "08", "phone", "+62812"])
def test_bad_or_non_mobile_numbers_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        phone_normalize(raw)


def test_register_creates_an_unverified_resident_and_no_tokens(api):
    response = _register(api, email="siti@example.com")
    assert response.status_code == 202, response.json()
    assert set(response.json()) == {"expires_in", "resend_after"}
    user = User.objects.get(phone="+6281234567890")
    assert (user.role, user.kelurahan.slug, user.email) == ("resident", "manggar", "siti@example.com")
    assert user.check_password("kopi-tubruk-pagi") and not user.is_phone_verified


def test_register_same_number_in_another_form_answers_the_same_and_creates_nothing(api, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0  # a second text to the number at once (the cool-down is per number)
    first = _register(api)
    again = _register(api, phone="+62 812 3456 7890", display_name="Orang Lain")
    assert again.status_code == 202 and again.json() == first.json()
    assert list(User.objects.values_list("display_name", flat=True)) == ["Siti"]


def test_register_bad_phone_and_weak_password(api):
    assert _register(api, phone="12345").json()["code"] == "invalid_phone"
    response = _register(api, password="12345678")
    assert response.status_code == 400
    codes = {e["code"] for e in response.json()["fields"]["password"]}
    assert "password_entirely_numeric" in codes
    assert not User.objects.exists()


def test_register_unknown_kelurahan_is_a_field_error(api):
    response = _register(api, kelurahan=99999)
    assert response.status_code == 400
    assert response.json()["fields"]["kelurahan"][0]["code"] == "does_not_exist"


def _registered_and_verified(api):
    _register(api)
    User.objects.filter(phone="+6281234567890").update(phone_verified_at=timezone.now())


def test_login_refresh_and_me(api):
    _registered_and_verified(api)
    tokens = api.post(TOKEN, {"phone": "6281234567890", "password": "kopi-tubruk-pagi"}, format="json").json()
    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200 and refreshed.json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["display_name"] == "Siti"


def test_me_patch_changes_profile_only(as_resident, resident):
    response = as_resident.patch(
        "/api/v1/me/", {"display_name": "Siti A.", "language": "en", "role": "admin"}, format="json"
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert (resident.display_name, resident.language, resident.role) == ("Siti A.", "en", "resident")


def test_me_needs_authentication(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_garbage_token_is_refused_with_token_not_valid(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_repeated_wrong_passwords_lock_the_number_out_from_that_address(api, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _register(api)
    for _ in range(2):
        response = api.post(TOKEN, {"phone": "081234567890", "password": "salah"}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
    # The failure that reaches the limit, then even the right password, are refused while it lasts
    # (tests/aspirasi/test_login_limits.py: only from this address).
    for password in ("salah", "kopi-tubruk-pagi"):
        response = api.post(TOKEN, {"phone": "081234567890", "password": password}, format="json")
        assert response.status_code == 429
        assert response.json()["code"] == "too_many_failed_logins"


def test_successful_login_resets_the_failure_count(api, settings):
    settings.AXES_FAILURE_LIMIT = 2
    _registered_and_verified(api)
    api.post(TOKEN, {"phone": "081234567890", "password": "salah"}, format="json")
    assert api.post(TOKEN, {"phone": "081234567890", "password": "kopi-tubruk-pagi"}, format="json").status_code == 200
    api.post(TOKEN, {"phone": "081234567890", "password": "salah"}, format="json")
    assert api.post(TOKEN, {"phone": "081234567890", "password": "kopi-tubruk-pagi"}, format="json").status_code == 200


def test_role_assignment_sets_staff_and_areas():
    user = UserFactory()
    timur = Kecamatan.objects.get(code="64.71.01")
    user_assign_role(user=user, role="moderator", kecamatan=[timur])
    user.refresh_from_db()
    assert user.role == Role.MODERATOR and user.is_staff and not user.is_superuser
    assert list(user.moderated_kecamatan.all()) == [timur]

    user_assign_role(user=user, role="planner")
    user.refresh_from_db()
    assert user.is_staff and not user.moderated_kecamatan.exists()

    user_assign_role(user=user, role="admin")
    user.refresh_from_db()
    assert user.is_superuser

    user_assign_role(user=user, role="resident")
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_staff_log_in_to_admin_with_the_same_account(client, moderator_manggar):
    # Through the form: django-axes needs the request (Client.login would authenticate without one).
    credentials = {"username": moderator_manggar.phone, "password": "rahasia-sekali-123"}
    assert client.post("/admin/login/", credentials).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_me_shows_moderated_areas(moderator_manggar):
    body = client_for(moderator_manggar).get("/api/v1/me/").json()
    assert body["role"] == "moderator"
    assert body["moderated_kelurahan"] == ["manggar"]
