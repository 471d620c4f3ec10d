"""One code tried twice at the same moment, wrong tries at once, one number signed up twice at once:
PostgreSQL row locks and the phone's unique constraint decide (threads, each with its connection)."""

import pytest
from django.db import connection

from aspirasi.models import CodePurpose, Kelurahan, PhoneCodeDevice, User
from aspirasi.services.accounts import phone_verify, user_register
from tests.factories import UserFactory
from tests.races import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = "+6281234567890"


@pytest.fixture
def device():
    user = UserFactory(phone=PHONE, phone_verified_at=None)
    device = PhoneCodeDevice.objects.create(user=user, purpose=CodePurpose.REGISTER, name="register", confirmed=False)
    device.code_set("123456")
    return device


def test_one_code_tried_twice_at_once_works_once(device):
    outcomes = race(*[lambda: phone_verify(phone=PHONE, code="123456")] * 2)
    assert sorted(outcomes) == ["code_used", "ok"]


def test_wrong_tries_at_once_are_all_counted(device, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    outcomes = race(*[lambda: phone_verify(phone=PHONE, code="654321")] * 4)
    assert sorted(outcomes) == ["code_invalid"] * 3 + ["code_too_many_attempts"]
    device.refresh_from_db()
    assert device.throttling_failure_count == 3


def test_one_number_signed_up_twice_at_once_makes_one_account(settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    kelurahan = Kelurahan.objects.get(slug="manggar")

    def sign_up(name):
        return lambda: user_register(phone=PHONE, password="kopi-tubruk-pagi", display_name=name, kelurahan=kelurahan)

    assert race(sign_up("Siti"), sign_up("Budi")) == ["ok", "ok"]
    assert User.objects.filter(phone=PHONE).count() == 1
    assert PhoneCodeDevice.objects.filter(user__phone=PHONE).count() == 1
