"""One code tried twice at the same moment, wrong tries at once, one number signed up twice at once:
PostgreSQL row locks and the phone's unique constraint decide (threads, each with its connection)."""

import threading

import pytest
from django.db import connection, connections

from aspirasi.errors import DomainError
from aspirasi.models import CodePurpose, Kelurahan, PhoneCodeDevice, User
from aspirasi.services.accounts import phone_verify, user_register
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = "+6281234567890"


def _race(*calls):
    """Run each call in its own thread and connection, released together; returns "ok" or the error code."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def device():
    user = UserFactory(phone=PHONE, phone_verified_at=None)
    device = PhoneCodeDevice.objects.create(user=user, purpose=CodePurpose.REGISTER, name="register", confirmed=False)
    device.code_set("123456")
    return device


def test_one_code_tried_twice_at_once_works_once(device):
    outcomes = _race(*[lambda: phone_verify(phone=PHONE, code="123456")] * 2)
    assert sorted(outcomes) == ["code_used", "ok"]


def test_wrong_tries_at_once_are_all_counted(device, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    outcomes = _race(*[lambda: phone_verify(phone=PHONE, code="654321")] * 4)
    assert sorted(outcomes) == ["code_invalid"] * 3 + ["code_too_many_attempts"]
    device.refresh_from_db()
    assert device.throttling_failure_count == 3


def test_one_number_signed_up_twice_at_once_makes_one_account(settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    kelurahan = Kelurahan.objects.get(slug="manggar")

    def sign_up(name):
        return lambda: user_register(phone=PHONE, password="kopi-tubruk-pagi", display_name=name, kelurahan=kelurahan)

    assert _race(sign_up("Siti"), sign_up("Budi")) == ["ok", "ok"]
    assert User.objects.filter(phone=PHONE).count() == 1
    assert PhoneCodeDevice.objects.filter(user__phone=PHONE).count() == 1
