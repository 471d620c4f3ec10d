"""Sign-up with a texted code, a login before the phone is verified, and password reset (issue 21)."""

import re
from datetime import timedelta

import django_otp
import pytest
import sms
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from sms.backends.base import BaseSmsBackend

from aspirasi.models import CodeCheck, CodePurpose, Kelurahan, PhoneCodeDevice, User
from aspirasi.tasks import phone_code_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
VERIFY = "/api/v1/auth/verify/"
RESEND = "/api/v1/auth/code/resend/"
TOKEN = "/api/v1/auth/token/"
RESET = "/api/v1/auth/password/reset/"
RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
PHONE = "+6281234567890"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def post(api, committed):
    """POST as the app does, with the request's after-commit work (the texts) run as a real commit would."""

    def _post(url, body, **extra):
        with committed():
            return api.post(url, body, format="json", **extra)

    return _post


def _register(post, **overrides):
    body = {
        "phone": "0812-3456-7890",
        "password": "kopi-tubruk-pagi",
        "display_name": "Siti",
        "kelurahan": Kelurahan.objects.get(slug="manggar").id,
    }
    return post(REGISTER, {**body, **overrides})


def _texts_to(phone: str) -> list[str]:
    return [message.body for message in sms.outbox if message.recipients == [phone]]


def _last_code(phone: str = PHONE) -> str:
    codes = [m.group() for body in _texts_to(phone) if (m := re.search(r"\b\d{6}\b", body))]
    assert codes, _texts_to(phone)
    # A code travels apart from its text too, for gateways that send it into a template (WhatsApp).
    assert [getattr(m, "code", None) for m in sms.outbox if m.recipients == [phone] and hasattr(m, "code")][
        -1
    ] == codes[-1]
    return codes[-1]


def _other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _device(purpose=CodePurpose.REGISTER, phone=PHONE) -> PhoneCodeDevice:
    return PhoneCodeDevice.objects.get(user__phone=phone, purpose=purpose)


# --- the journey ------------------------------------------------------------------------------------------


def test_register_texts_a_code_and_verifying_it_gives_the_tokens(post, api, settings):
    response = _register(post)
    assert response.status_code == 202, response.json()
    assert response.json() == {
        "expires_in": settings.PHONE_CODE_LIFETIME_SECONDS,
        "resend_after": settings.PHONE_CODE_RESEND_SECONDS,
    }
    user = User.objects.get(phone=PHONE)
    assert user.phone_verified_at is None and user.check_password("kopi-tubruk-pagi")
    assert "access" not in response.json()

    verified = post(VERIFY, {"phone": "081234567890", "code": _last_code()})
    assert verified.status_code == 201, verified.json()
    body = verified.json()
    assert body["user"]["phone"] == PHONE and body["user"]["kelurahan"]["slug"] == "manggar"
    user.refresh_from_db()
    assert user.phone_verified_at is not None
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api.get("/api/v1/me/").json()["display_name"] == "Siti"
    # Verified, the resident logs in with the password as before.
    login = post(TOKEN, {"phone": PHONE, "password": "kopi-tubruk-pagi"})
    assert login.status_code == 200 and login.json()["access"]


def test_the_code_text_is_in_the_residents_language(post):
    _register(post, language="en")
    assert "your code is" in _texts_to(PHONE)[-1]
    _register(post, phone="081234567891")  # Indonesian by default
    assert "kode" in _texts_to("+6281234567891")[-1].lower()


def test_registering_a_known_number_answers_the_same_and_sends_a_notice_not_a_code(post):
    owner = UserFactory(phone=PHONE, display_name="Pemilik", language="en")
    password_before = owner.password
    new = _register(post, phone="081234567891")
    known = _register(post, display_name="Penyusup", password="another-pass-word")
    assert (known.status_code, known.json()) == (new.status_code, new.json()) == (202, new.json())
    owner.refresh_from_db()
    assert (owner.display_name, owner.password) == ("Pemilik", password_before)
    [notice] = _texts_to(PHONE)
    assert "someone tried to sign up with your number" in notice
    assert not re.search(r"\d{6}", notice)
    assert not PhoneCodeDevice.objects.filter(user=owner).exists()


def test_an_unverified_number_registered_again_gets_a_notice_and_keeps_its_password(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    _register(post)
    _register(post, password="another-pass-word")
    assert User.objects.get(phone=PHONE).check_password("kopi-tubruk-pagi")
    _code, notice = _texts_to(PHONE)
    assert notice.startswith("Aspirasi: seseorang mencoba mendaftar dengan nomor Anda.")  # in Indonesian


def test_resend_sends_a_new_code_and_the_old_one_stops_working(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    _register(post)
    first = _last_code()
    response = post(RESEND, {"phone": PHONE, "purpose": "register"})
    assert response.status_code == 202
    second = _last_code()
    assert len(_texts_to(PHONE)) == 2
    if first != second:  # one chance in a million that they are equal
        assert post(VERIFY, {"phone": PHONE, "code": first}).json()["code"] == "code_invalid"
    assert post(VERIFY, {"phone": PHONE, "code": second}).status_code == 201


def test_resend_answers_the_same_for_any_number_and_texts_only_an_account_awaiting_one(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    verified = UserFactory(phone="+6281234567892")
    answers = [
        post(RESEND, {"phone": phone, "purpose": "register"})
        for phone in ("081234567899", verified.phone)  # nobody's number; a verified resident's
    ]
    assert [(a.status_code, a.json()) for a in answers] == [(answers[0].status_code, answers[0].json())] * 2
    assert answers[0].status_code == 202
    assert sms.outbox == []


# --- what is stored -----------------------------------------------------------------------------------------


def test_only_a_keyed_hash_of_the_code_is_stored_not_in_the_row_nor_the_task_queue(post, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _register(post)
    device = _device()
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs == {"args": [device.pk], "kwargs": {}}
    assert sms.outbox == []  # nothing is sent before the worker runs the task
    phone_code_send.call(device.pk)  # what the worker does
    code = _last_code()
    device.refresh_from_db()
    row = PhoneCodeDevice.objects.filter(pk=device.pk).values().get()
    assert code not in repr(row)
    assert len(device.code_hash) == 64 and device.code_hash != code
    assert all(code not in repr(task) for task in DBTaskResult.objects.values())
    assert device.check_token(code) is CodeCheck.OK


def test_a_texted_code_is_never_a_django_otp_second_factor(post, moderator_manggar):
    """Staff's admin login checks a second factor through django-otp: a reset code must not pass as one."""
    post(RESET, {"phone": moderator_manggar.phone})
    code = _last_code(moderator_manggar.phone)
    device = _device(CodePurpose.RESET, phone=moderator_manggar.phone)
    assert not django_otp.user_has_device(moderator_manggar)
    assert django_otp.match_token(moderator_manggar, code) is None
    assert not device.verify_token(code)  # even chosen by its persistent id, as django-otp's login form allows
    device.refresh_from_db()
    assert not device.spent


def test_equal_codes_on_two_devices_hash_differently(post):
    _register(post)
    _register(post, phone="081234567891")
    first, second = _device(), _device(phone="+6281234567891")
    first.code_set("123456")
    second.code_set("123456")
    assert first.code_hash != second.code_hash


class QuotingGatewayBackend(BaseSmsBackend):
    """A gateway whose error quotes the message, as some do."""

    def send_messages(self, messages):
        raise RuntimeError(f"gateway refused {messages[0].body!r}")


def test_a_failed_send_keeps_the_text_out_of_the_tasks_stored_error(post, settings):
    _register(post)
    settings.SMS_BACKEND = f"{__name__}.QuotingGatewayBackend"
    result = phone_code_send.enqueue(_device().pk)
    [error] = result.errors
    assert error.exception_class_path == "aspirasi.services.verification.CodeNotSent"
    assert "RuntimeError" in error.traceback and "Aspirasi" not in error.traceback
    assert not re.search(r"\b\d{6}\b", error.traceback)


# --- each way a code fails ----------------------------------------------------------------------------------


def test_a_wrong_code_is_code_invalid_in_both_languages(post):
    _register(post)
    wrong = _other_code(_last_code())
    english = post(VERIFY, {"phone": PHONE, "code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert (english.status_code, english.json()["code"]) == (400, "code_invalid")
    assert english.json()["message"] == "The code is wrong. Check the text message and try again."
    indonesian = post(VERIFY, {"phone": PHONE, "code": wrong}, HTTP_ACCEPT_LANGUAGE="id")
    assert indonesian.json()["code"] == "code_invalid"
    assert indonesian.json()["message"] == "Kodenya salah. Periksa SMS Anda lalu coba lagi."
    assert User.objects.get(phone=PHONE).phone_verified_at is None


def test_a_number_without_an_account_or_code_is_code_invalid_like_a_wrong_code(post):
    response = post(VERIFY, {"phone": "081234567899", "code": "123456"})
    assert (response.status_code, response.json()["code"]) == (400, "code_invalid")


def test_an_expired_code_is_code_expired(post):
    _register(post)
    code = _last_code()
    PhoneCodeDevice.objects.update(valid_until=timezone.now() - timedelta(seconds=1))
    response = post(VERIFY, {"phone": PHONE, "code": code})
    assert (response.status_code, response.json()["code"]) == (400, "code_expired")


def test_a_code_used_once_is_code_used(post):
    _register(post)
    code = _last_code()
    assert post(VERIFY, {"phone": PHONE, "code": code}).status_code == 201
    again = post(VERIFY, {"phone": PHONE, "code": code})
    assert (again.status_code, again.json()["code"]) == (400, "code_used")


def test_five_wrong_tries_end_the_code_even_for_the_right_one(post, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 5
    _register(post)
    code = _last_code()
    for _ in range(5):
        assert post(VERIFY, {"phone": PHONE, "code": _other_code(code)}).json()["code"] == "code_invalid"
    assert _device().throttling_failure_count == 5
    response = post(VERIFY, {"phone": PHONE, "code": code})
    assert (response.status_code, response.json()["code"]) == (429, "code_too_many_attempts")
    assert User.objects.get(phone=PHONE).phone_verified_at is None


def test_a_new_code_restores_the_tries(post, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 1
    settings.PHONE_CODE_RESEND_SECONDS = 0
    _register(post)
    post(VERIFY, {"phone": PHONE, "code": _other_code(_last_code())})
    post(RESEND, {"phone": PHONE, "purpose": "register"})
    assert post(VERIFY, {"phone": PHONE, "code": _last_code()}).status_code == 201


def test_asking_again_within_the_cool_down_is_code_cooldown_for_any_number(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 60
    _register(post)
    known = post(RESEND, {"phone": PHONE, "purpose": "register"})
    assert (known.status_code, known.json()["code"]) == (429, "code_cooldown")
    assert 0 < int(known["Retry-After"]) <= 60
    assert len(_texts_to(PHONE)) == 1
    post(RESET, {"phone": "081234567899"})
    unknown = post(RESET, {"phone": "081234567899"})
    assert (unknown.status_code, unknown.json()["code"]) == (429, "code_cooldown")


def test_a_number_gets_at_most_its_hourly_codes(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    settings.PHONE_CODES_PER_HOUR = 3
    _register(post)
    statuses = [post(RESEND, {"phone": PHONE, "purpose": "register"}).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]
    refused = post(RESEND, {"phone": PHONE, "purpose": "register"})
    assert refused.json()["code"] == "code_limit_reached" and int(refused["Retry-After"]) > 0
    assert len(_texts_to(PHONE)) == 3
    # Another number is not affected.
    assert post(RESEND, {"phone": "081234567899", "purpose": "reset"}).status_code == 202


def test_a_number_gets_at_most_its_daily_codes(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    settings.PHONE_CODES_PER_DAY = 2
    _register(post)
    assert post(RESEND, {"phone": PHONE, "purpose": "register"}).status_code == 202
    assert post(RESEND, {"phone": PHONE, "purpose": "register"}).json()["code"] == "code_limit_reached"


def test_a_code_for_one_purpose_does_not_serve_the_other(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    UserFactory(phone=PHONE)
    post(RESET, {"phone": PHONE})
    response = post(VERIFY, {"phone": PHONE, "code": _last_code()})
    assert response.json()["code"] == "code_invalid"


def test_asking_for_texts_is_limited_per_client_address(post, monkeypatch, settings):
    from aspirasi.api.throttling import ScopedRateThrottle

    settings.PHONE_CODE_RESEND_SECONDS = 0
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "code_send", "2/hour")
    statuses = [post(RESET, {"phone": f"08123456789{n}"}).status_code for n in range(3)]
    assert statuses == [202, 202, 429]


# --- login before the phone is verified ---------------------------------------------------------------------


def test_an_unverified_resident_logging_in_gets_phone_not_verified_and_a_code(post):
    UserFactory(phone=PHONE, phone_verified_at=None)
    response = post(TOKEN, {"phone": PHONE, "password": "rahasia-sekali-123"})
    assert (response.status_code, response.json()["code"]) == (403, "phone_not_verified")
    assert "access" not in response.json()
    verified = post(VERIFY, {"phone": PHONE, "code": _last_code()})
    assert verified.status_code == 201
    assert post(TOKEN, {"phone": PHONE, "password": "rahasia-sekali-123"}).status_code == 200


def test_logging_in_again_within_the_cool_down_sends_no_second_code(post, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 60
    UserFactory(phone=PHONE, phone_verified_at=None)
    for _ in range(2):
        assert post(TOKEN, {"phone": PHONE, "password": "rahasia-sekali-123"}).json()["code"] == "phone_not_verified"
    assert len(_texts_to(PHONE)) == 1


def test_a_wrong_password_on_an_unverified_account_stays_invalid_credentials(post):
    UserFactory(phone=PHONE, phone_verified_at=None)
    response = post(TOKEN, {"phone": PHONE, "password": "salah-sekali"})
    assert (response.status_code, response.json()["code"]) == (401, "invalid_credentials")
    assert sms.outbox == []


def test_unverified_staff_log_in_without_a_code(post, moderator_manggar):
    User.objects.filter(pk=moderator_manggar.pk).update(phone_verified_at=None)
    response = post(TOKEN, {"phone": moderator_manggar.phone, "password": "rahasia-sekali-123"})
    assert response.status_code == 200 and sms.outbox == []


# --- password reset ----------------------------------------------------------------------------------------


def test_reset_answers_the_same_for_known_and_unknown_numbers_and_texts_only_the_account(post):
    UserFactory(phone=PHONE)
    known = post(RESET, {"phone": PHONE})
    unknown = post(RESET, {"phone": "081234567899"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert [m.recipients for m in sms.outbox] == [[PHONE]]
    assert _device(CodePurpose.RESET).code_hash


def test_confirming_a_reset_sets_the_password_verifies_the_phone_and_gives_tokens(post, api):
    user = UserFactory(phone=PHONE, phone_verified_at=None)
    post(RESET, {"phone": "0812 3456 7890"})
    response = post(RESET_CONFIRM, {"phone": PHONE, "code": _last_code(), "new_password": "teh-manis-sore-hari"})
    assert response.status_code == 200, response.json()
    assert response.json()["user"]["id"] == user.pk and response.json()["refresh"]
    user.refresh_from_db()
    assert user.check_password("teh-manis-sore-hari") and user.phone_verified_at is not None
    assert post(TOKEN, {"phone": PHONE, "password": "teh-manis-sore-hari"}).status_code == 200
    assert post(TOKEN, {"phone": PHONE, "password": "rahasia-sekali-123"}).status_code == 401


def test_a_confirmed_reset_ends_every_session_the_old_password_opened(post):
    UserFactory(phone=PHONE)
    old_session = post(TOKEN, {"phone": PHONE, "password": "rahasia-sekali-123"}).json()["refresh"]
    post(RESET, {"phone": PHONE})
    new_session = post(RESET_CONFIRM, {"phone": PHONE, "code": _last_code(), "new_password": "teh-manis-sore-hari"})
    refreshed = post("/api/v1/auth/token/refresh/", {"refresh": old_session})
    assert refreshed.status_code == 401 and refreshed.json()["code"] == "token_not_valid"
    assert post("/api/v1/auth/token/refresh/", {"refresh": new_session.json()["refresh"]}).status_code == 200


def test_a_weak_new_password_is_refused_and_leaves_the_code_usable(post):
    UserFactory(phone=PHONE)
    post(RESET, {"phone": PHONE})
    code = _last_code()
    weak = post(RESET_CONFIRM, {"phone": PHONE, "code": code, "new_password": "12345678"})
    assert weak.status_code == 400
    assert "password_entirely_numeric" in {e["code"] for e in weak.json()["fields"]["new_password"]}
    assert post(RESET_CONFIRM, {"phone": PHONE, "code": code, "new_password": "teh-manis-sore-hari"}).status_code == 200


def test_a_wrong_reset_code_changes_nothing_and_counts_a_try(post):
    user = UserFactory(phone=PHONE)
    post(RESET, {"phone": PHONE})
    body = {"phone": PHONE, "code": _other_code(_last_code()), "new_password": "teh-manis-sore-hari"}
    assert post(RESET_CONFIRM, body).json()["code"] == "code_invalid"
    user.refresh_from_db()
    assert user.check_password("rahasia-sekali-123")
    assert _device(CodePurpose.RESET).throttling_failure_count == 1


def test_the_admin_shows_a_device_read_only_without_its_hash(post, client, admin_user):
    _register(post)
    device = _device()
    client.force_login(admin_user)
    listing = client.get("/admin/aspirasi/phonecodedevice/")
    assert listing.status_code == 200 and PHONE in listing.content.decode()
    page = client.get(f"/admin/aspirasi/phonecodedevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.code_hash not in page.content.decode()
    assert client.get("/admin/aspirasi/phonecodedevice/add/").status_code == 403
    before = PhoneCodeDevice.objects.values().get(pk=device.pk)
    client.post(f"/admin/aspirasi/phonecodedevice/{device.pk}/change/", {"spent": "on", "purpose": "reset"})
    assert PhoneCodeDevice.objects.values().get(pk=device.pk) == before
