"""Login lockouts (django-axes, aspirasi/login_limits.py) and the client address they count
(aspirasi/client_address.py): per (phone, address) and per address, growing, for the API and the admin;
and the admin's second factor (ADMIN_OTP_REQUIRED)."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.client_address import client_address
from aspirasi.services.accounts import user_assign_role
from tests.browser.server import PASSWORD as SEED_PASSWORD
from tests.browser.server import (
    asgi_database_template,  # noqa: F401 - fixture
    copy_database,
    daphne,
    seed_people,
    server_env,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "rahasia-sekali-123"  # tests.factories.UserFactory's
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def _login(user_or_phone, password: str, *, address: str = ATTACKER, **headers):
    phone = getattr(user_or_phone, "phone", user_or_phone)
    body = {"phone": phone, "password": password}
    return APIClient().post(TOKEN, body, format="json", REMOTE_ADDR=address, **headers)


def _admin_login(user, password: str, *, address: str = ATTACKER, **extra):
    data = {"username": user.phone, "password": password, "next": "/admin/", **extra}
    client = Client(REMOTE_ADDR=address)
    return client, client.post(ADMIN_LOGIN, data)


def _phones(count: int) -> list[str]:
    return [f"+62813{n:08d}" for n in range(count)]


def _time_passes(seconds: int) -> None:
    """Move every recorded failure `seconds` into the past."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))
    AccessAttemptExpiration.objects.update(expires_at=F("expires_at") - timedelta(seconds=seconds))


@pytest.fixture
def staff(db):
    return user_assign_role(user=UserFactory(display_name="Moderator"), role="moderator")


# --- the API's login ---------------------------------------------------------------------------------------


def test_fifty_wrong_passwords_lock_out_the_attackers_address_not_the_owner(resident, settings):
    statuses = [_login(resident, f"tebakan-{n}").status_code for n in range(50)]

    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    refused = _login(resident, PASSWORD)  # the right password, from the attacker's address
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_failed_logins"
    assert int(refused["Retry-After"]) > 0
    owner = _login(resident, PASSWORD, address=OWNER)
    assert owner.status_code == 200 and "access" in owner.json()


def test_the_locked_out_answer_is_translated_and_states_its_wait(resident, settings):
    settings.AXES_FAILURE_LIMIT = 2
    _login(resident, "salah")
    response = _login(resident, "salah", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response.json()["message"] == "Too many failed logins. Try again later."
    assert response["Retry-After"] == str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    assert _login(resident, "salah", HTTP_ACCEPT_LANGUAGE="id").json()["message"] != response.json()["message"]


def test_one_password_sprayed_over_sixty_phones_meets_the_address_limit(resident, settings):
    UserFactory.create_batch(3)  # some of the numbers exist, most do not: both count
    statuses = [_login(phone, "Balikpapan2026!").status_code for phone in _phones(60)]

    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit < 60
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    # The whole address is refused now, whichever account it tries; other addresses are not.
    assert _login(resident, PASSWORD).status_code == 429
    assert _login(resident, PASSWORD, address=OWNER).status_code == 200


def test_a_lockout_doubles_with_each_failure_during_it_up_to_the_maximum(resident, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    settings.LOGIN_LOCKOUT_MAX_SECONDS = 600
    waits = [_login(resident, "salah").get("Retry-After") for _ in range(8)]
    assert waits == [None, None, "60", "120", "240", "480", "600", "600"]


def test_a_lockout_ends_when_its_wait_has_passed(resident, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(4):
        last = _login(resident, "salah")
    wait = int(last["Retry-After"])

    _time_passes(wait - 5)
    assert _login(resident, PASSWORD).status_code == 429  # still locked, and this attempt extends it
    _time_passes(settings.LOGIN_LOCKOUT_MAX_SECONDS)
    assert _login(resident, PASSWORD).status_code == 200


def test_failures_below_the_limit_are_forgotten_after_the_window(resident, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _login(resident, "salah")
    _login(resident, "salah")
    _time_passes(settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    assert _login(resident, "salah").status_code == 401


def test_success_clears_the_phones_failures_from_that_address(resident, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _login(resident, "salah")
    assert _login(resident, PASSWORD).status_code == 200
    assert [_login(resident, "salah").status_code for _ in range(2)] == [401, 401]


def test_a_sprayer_cannot_clear_the_address_count_by_logging_into_their_own_account(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    own = UserFactory()
    for phone in _phones(9):
        assert _login(phone, "Balikpapan2026!").status_code == 401
    assert _login(own, PASSWORD).status_code == 200
    assert _login(_phones(10)[-1], "Balikpapan2026!").status_code == 429


def test_an_invalid_number_is_refused_without_counting(resident, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(5):
        assert _login("12345", "salah").json()["code"] == "invalid_credentials"
    assert _login(resident, PASSWORD).status_code == 200


# --- the client address ------------------------------------------------------------------------------------


def test_a_forged_forwarded_for_does_not_dodge_the_lockout(resident, settings):
    settings.AXES_FAILURE_LIMIT = 3
    statuses = [_login(resident, "salah", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}").status_code for n in range(5)]
    assert statuses == [401, 401, 429, 429, 429]
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_behind_one_proxy_its_forwarded_for_is_the_client(resident, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.2"
    forged = [f"10.9.8.{n}, {ATTACKER}" for n in range(3)]
    statuses = [_login(resident, "salah", address=proxy, HTTP_X_FORWARDED_FOR=value).status_code for value in forged]
    assert statuses == [401, 401, 429]
    assert _login(resident, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=OWNER).status_code == 200


def test_with_trusted_proxies_only_they_are_believed(resident, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for _ in range(3):
        _login(resident, "salah", address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"10.9.8.7, {ATTACKER}")
    assert _login(resident, PASSWORD, address="10.0.0.3", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert _login(resident, PASSWORD, address="10.0.0.3", HTTP_X_FORWARDED_FOR=OWNER).status_code == 200
    # A client that reaches the app directly is its connection, whatever it forwards.
    assert _login(resident, PASSWORD, address=ATTACKER, HTTP_X_FORWARDED_FOR=OWNER).status_code == 429


class _Request:
    def __init__(self, remote: str, forwarded: str | None = None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ({}, "203.0.113.5", "1.2.3.4", "203.0.113.5"),
        ({"NUM_PROXIES": 1}, "10.0.0.2", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ({"NUM_PROXIES": 2}, "10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        ({"NUM_PROXIES": 1}, "10.0.0.2", "not-an-address", "10.0.0.2"),
        ({"TRUSTED_PROXIES": ["10.0.0.0/8"]}, "10.0.0.2", "1.2.3.4, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
        ({"TRUSTED_PROXIES": ["10.0.0.0/8"]}, "10.0.0.2", "10.1.1.1", "10.1.1.1"),  # all ours: the left-most
        ({"TRUSTED_PROXIES": ["10.0.0.0/8"]}, "10.0.0.2", "1.2.3.4, garbage", "10.0.0.2"),
        ({"TRUSTED_PROXIES": ["10.0.0.0/8"]}, "203.0.113.5", "1.2.3.4", "203.0.113.5"),
        ({"TRUSTED_PROXIES": ["10.0.0.2", "2001:db8::/32"]}, "2001:db8::1", "192.0.2.1", "192.0.2.1"),
        ({}, "::ffff:203.0.113.5", None, "203.0.113.5"),
        ({}, "2001:db8:aa:bb:1:2:3:4", None, "2001:db8:aa:bb::"),  # an IPv6 subscriber's /64 is one client
        ({}, "", None, ""),
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    for name, value in proxies.items():
        setattr(settings, name, value)
    assert client_address(_Request(remote, forwarded)) == expected


def _register_statuses(forwarded_for: list[str | None]) -> list[int]:
    client = APIClient()
    headers = [{} if value is None else {"HTTP_X_FORWARDED_FOR": value} for value in forwarded_for]
    return [client.post("/api/v1/auth/register/", {}, format="json", **h).status_code for h in headers]


def test_registrations_with_forged_forwarded_for_meet_the_limit_as_plain_ones_do(monkeypatch):
    from aspirasi.api import throttling

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "register", "20/hour")
    plain = _register_statuses([None] * 25)
    throttling.limiter().storage.reset()
    forged = _register_statuses([f"10.0.{n}.1" for n in range(25)])
    assert [s == 429 for s in forged] == [s == 429 for s in plain] == [False] * 20 + [True] * 5


# --- the admin's login -------------------------------------------------------------------------------------


def test_fifty_wrong_admin_passwords_lock_out_the_attackers_address_not_the_staff_member(staff, settings):
    answers = [_admin_login(staff, f"tebakan-{n}")[1] for n in range(50)]

    limit = settings.AXES_FAILURE_LIMIT
    assert [a.status_code for a in answers[: limit - 1]] == [200] * (limit - 1)  # the form again, with its error
    assert {a.status_code for a in answers[limit - 1 :]} == {429}
    locked = answers[-1]
    assert "Terlalu banyak" in locked.content.decode() and int(locked["Retry-After"]) > 0
    client, refused = _admin_login(staff, PASSWORD)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    client, owner = _admin_login(staff, PASSWORD, address=OWNER)
    assert owner.status_code == 302 and owner["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_lockout_page_follows_accept_language(staff, settings):
    settings.AXES_FAILURE_LIMIT = 1
    response = Client(REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="en").post(
        ADMIN_LOGIN, {"username": staff.phone, "password": "salah"}
    )
    assert response.status_code == 429 and "Too many failed logins" in response.content.decode()


def test_the_admin_form_counts_the_phone_as_typed_in_any_form(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    local = "0" + staff.phone.removeprefix("+62")
    for typed in (staff.phone, local, staff.phone.removeprefix("+")):
        answer = Client(REMOTE_ADDR=ATTACKER).post(ADMIN_LOGIN, {"username": typed, "password": "salah"})
    assert answer.status_code == 429
    assert AccessAttempt.objects.get().username == staff.phone
    client = Client(REMOTE_ADDR=OWNER)
    assert client.post(ADMIN_LOGIN, {"username": local, "password": PASSWORD}).status_code == 302


def test_api_and_admin_failures_count_together(staff, settings):
    settings.AXES_FAILURE_LIMIT = 4
    for _ in range(2):
        _login(staff, "salah")
        _admin_login(staff, "salah")
    assert _login(staff, PASSWORD).status_code == 429


def test_axes_reset_lifts_a_lockout_and_the_admin_lists_the_failures(resident, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    _login(resident, "salah")
    _login(resident, "salah")
    assert AccessFailureLog.objects.filter(username=resident.phone, locked_out=True).exists()

    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and ATTACKER in page.content.decode()
    assert client.get("/admin/axes/accessfailurelog/").status_code == 200

    call_command("axes_reset")
    assert _login(resident, PASSWORD).status_code == 200


def test_the_schema_declares_the_lockout_with_retry_after():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    declared = schema["paths"][TOKEN]["post"]["responses"]["429"]
    assert "too_many_failed_logins" in declared["description"]
    assert "Retry-After" in declared["headers"]


# --- the admin's second factor -----------------------------------------------------------------------------


def test_the_admin_site_is_ours_with_every_models_admin_on_it():
    from axes.models import AccessAttempt as Attempt
    from django.contrib import admin
    from django.contrib.auth.models import Group

    from aspirasi.admin_site import AspirasiAdminSite
    from aspirasi.models import Proposal

    assert isinstance(admin.site, AspirasiAdminSite)
    assert all(admin.site.is_registered(model) for model in (Proposal, Group, Attempt, TOTPDevice))


def test_without_the_setting_staff_enter_with_a_password(staff, settings):
    settings.ADMIN_OTP_REQUIRED = False
    client, answer = _admin_login(staff, PASSWORD)
    assert answer.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_the_setting_staff_without_a_device_cannot_enter(staff, settings):
    settings.ADMIN_OTP_REQUIRED = True
    client, answer = _admin_login(staff, PASSWORD)
    assert answer.status_code == 200 and "otp_token" in answer.content.decode()
    assert "_auth_user_id" not in client.session

    signed_in = Client()
    signed_in.force_login(staff)  # a session without a second factor
    assert signed_in.get("/admin/").status_code == 302


def test_with_the_setting_the_form_asks_for_the_token_of_the_staff_device(staff, settings):
    settings.ADMIN_OTP_REQUIRED = True
    device = TOTPDevice.objects.create(user=staff, name="HP", confirmed=True)
    assert "otp_token" in Client().get(ADMIN_LOGIN).content.decode()

    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client, answer = _admin_login(staff, PASSWORD, otp_device=device.persistent_id, otp_token=token)
    assert answer.status_code == 302
    assert client.get("/admin/").status_code == 200

    replayed, again = _admin_login(staff, PASSWORD, otp_device=device.persistent_id, otp_token=token)
    assert again.status_code == 200 and "_auth_user_id" not in replayed.session  # a token works once


def test_an_unconfirmed_device_is_no_second_factor(staff, settings):
    settings.ADMIN_OTP_REQUIRED = True
    device = TOTPDevice.objects.create(user=staff, name="HP", confirmed=False)
    token = f"{totp(device.bin_key):06d}"
    client, _ = _admin_login(staff, PASSWORD, otp_device=device.persistent_id, otp_token=token)
    assert client.get("/admin/").status_code == 302  # to the login page: not verified


# --- through a real server (daphne, ASGI: `make run`) -----------------------------------------------------


def _post(opener, url: str, data: dict, *, json_body: bool = False):
    body = json.dumps(data).encode() if json_body else urllib.parse.urlencode(data).encode()
    kind = "application/json" if json_body else "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers={"Content-Type": kind})  # noqa: S310 - our server
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_through_a_real_server_both_logins_lock_out(asgi_database_template, tmp_path):  # noqa: F811 - fixture
    env = server_env(copy_database(asgi_database_template, tmp_path / "db"))
    env.update(LOGIN_FAILURE_LIMIT="2")
    people = seed_people(env)
    with daphne(env, log=tmp_path / "daphne.log") as url:
        api = urllib.request.build_opener()
        wrong = {"phone": people["moderator_phone"], "password": "salah"}
        statuses = [_post(api, f"{url}{TOKEN}", wrong, json_body=True)[0] for _ in range(3)]
        assert statuses == [401, 429, 429]

        admin_client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with admin_client.open(f"{url}{ADMIN_LOGIN}", timeout=20) as page:
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())[1]
        form = {"csrfmiddlewaretoken": csrf, "username": people["moderator_phone"], "password": SEED_PASSWORD}
        status, headers, body = _post(admin_client, f"{url}{ADMIN_LOGIN}", form)  # locked by the API's failures
        assert status == 429 and int(headers["Retry-After"]) > 0 and "Terlalu banyak" in body


def test_an_admin_enrols_a_staff_device_by_its_qr_code(admin_user, staff):
    device = TOTPDevice.objects.create(user=staff, name="HP", confirmed=False)
    admin = Client()
    admin.force_login(admin_user)
    answer = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in answer.content


def test_login_requests_from_one_address_are_throttled_too(resident, monkeypatch):
    # Lockouts bound the guesses; the throttle bounds the requests (each failure writes a row, even locked out).
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "login", "3/hour")
    assert [_login(resident, PASSWORD).status_code for _ in range(3)] == [200] * 3
    refused = _login(resident, PASSWORD)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert "RateLimit" in refused and int(refused["Retry-After"]) > 0
    assert _login(resident, PASSWORD, address=OWNER).status_code == 200
