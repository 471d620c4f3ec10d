"""One-time codes by text message: asking for one, making and sending it, trying it.

A code exists only in the worker that sends it (`code_deliver`, run by tasks.phone_code_send): a request
stores the account's PhoneCodeDevice and enqueues its id after commit, so neither the database nor the
task queue (django-tasks keeps arguments in a table) ever holds a code; the device keeps a keyed hash.

Texts to a number are limited per number, codes and notices alike, before anything looks the number up:
a number with an account and one without get the same answers. The windows are the `limits` library's,
in the storage the API's throttles share (Redis in production).
"""

import logging
import math
import secrets
import time
from contextlib import contextmanager

import sms
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from limits import RateLimitItemPerDay, RateLimitItemPerHour, RateLimitItemPerSecond
from redis.exceptions import RedisError

from aspirasi.errors import CodeCooldown, CodeExpired, CodeInvalid, CodeLimitReached, CodeTooManyAttempts, CodeUsed
from aspirasi.models import CodeCheck, CodePurpose, PhoneCodeDevice, User
from aspirasi.rate_limits import limiter
from messaging.messages import send_code

logger = logging.getLogger(__name__)


CODE_DIGITS = 6


class CodeNotSent(Exception):
    """The text gateway refused a code (the worker's failure; the request had answered already)."""


_CHECK_ERRORS = {
    CodeCheck.INVALID: CodeInvalid,
    CodeCheck.EXPIRED: CodeExpired,
    CodeCheck.USED: CodeUsed,
    CodeCheck.TOO_MANY_ATTEMPTS: CodeTooManyAttempts,
}


def _number_key(phone: str) -> str:
    """The number's key in the limits' storage: a keyed hash, so Redis holds no phone numbers."""
    return salted_hmac("aspirasi.phone-texts", phone, algorithm="sha256").hexdigest()


def text_allow(*, phone: str) -> None:
    """Count one text to `phone` (E.164) against its cool-down and its hourly and daily limits; raise
    CodeCooldown or CodeLimitReached (with retry_after) instead when one is used up."""
    key = _number_key(phone)
    windows = [
        (RateLimitItemPerHour(settings.PHONE_CODES_PER_HOUR), CodeLimitReached),
        (RateLimitItemPerDay(settings.PHONE_CODES_PER_DAY), CodeLimitReached),
    ]
    if settings.PHONE_CODE_RESEND_SECONDS:
        windows.insert(0, (RateLimitItemPerSecond(1, settings.PHONE_CODE_RESEND_SECONDS), CodeCooldown))
    try:
        for item, error in windows:
            # hit() checks and records in one step (atomic on Redis): two requests at once cannot both pass.
            if not limiter().hit(item, "phone-texts", key):
                reset_at, _remaining = limiter().get_window_stats(item, "phone-texts", key)
                raise error(retry_after=max(1, math.ceil(reset_at - time.time())))
    except RedisError:
        # As the throttles do: with Redis down the API keeps serving, unlimited (and the log says so).
        logger.warning("text limits of a number not checked: Redis unavailable")


@transaction.atomic
def code_send(*, user: User, purpose: CodePurpose) -> None:
    """Have a new code for `purpose` texted to `user` after commit (by the worker); it replaces the last."""
    from aspirasi.tasks import phone_code_send

    device, _created = PhoneCodeDevice.objects.get_or_create(
        user=user, purpose=purpose, defaults={"name": purpose, "confirmed": False}
    )
    transaction.on_commit(lambda: phone_code_send.enqueue(device.pk))


@transaction.atomic
def register_notice_send(*, user: User) -> None:
    """Have `user` told by text, after commit, that someone tried to sign up with their number."""
    from aspirasi.tasks import phone_register_notice_send

    transaction.on_commit(lambda: phone_register_notice_send.enqueue(user.pk))


def _code_text(purpose: str, code: str) -> str:
    minutes = max(1, settings.PHONE_CODE_LIFETIME_SECONDS // 60)
    if purpose == CodePurpose.RESET:
        return _(
            "Aspirasi: your password reset code is %(code)s. It expires in %(minutes)d minutes. "
            "If you did not ask for it, ignore this message."
        ) % {"code": code, "minutes": minutes}
    return _("Aspirasi: your code is %(code)s. It expires in %(minutes)d minutes. Never share it.") % {
        "code": code,
        "minutes": minutes,
    }


def code_deliver(*, device_id: int) -> None:
    """Make a fresh code for the device, keep only its hash, and text it to the account's phone."""
    with transaction.atomic():
        device = PhoneCodeDevice.objects.select_for_update().select_related("user").filter(pk=device_id).first()
        if device is None:  # the account was erased since the request
            return
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        device.code_set(code)
    with translation.override(device.user.language):
        body = _code_text(device.purpose, code)
    try:
        # The code apart from the text: WhatsApp sends it into its authentication template (messaging/).
        send_code(recipient=device.user.phone, code=code, body=body)
    except Exception as exc:
        # The task's stored traceback must not carry the gateway's error, which may quote the text (and its
        # code): only the error's type is kept. The resident asks again after the cool-down.
        raise CodeNotSent(type(exc).__name__) from None


def register_notice_deliver(*, user_id: int) -> None:
    """Text the owner of a number that someone tried to sign up with it (no code: nothing to act on)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    with translation.override(user.language):
        body = _(
            "Aspirasi: someone tried to sign up with your number. You already have an account: log in, or "
            "reset your password if you forgot it. If it was not you, ignore this message."
        )
    sms.send_sms(body, recipients=[user.phone])


@contextmanager
def code_redeemed(*, phone: str, code: str, purpose: CodePurpose):
    """`with code_redeemed(...) as user:` accepts `code` for the active account of `phone` (E.164) and runs
    the block in the same transaction: if the block fails the code stays unspent. A refused code raises
    its error (CodeInvalid, CodeExpired, CodeUsed, CodeTooManyAttempts) after the try is committed, so
    wrong tries count. A number without an account or without a code is CodeInvalid, like a wrong code."""
    with transaction.atomic():
        device = (
            PhoneCodeDevice.objects.select_for_update()
            .select_related("user")
            .filter(user__phone=phone, user__is_active=True, purpose=purpose)
            .first()
        )
        outcome = device.check_token(code) if device else CodeCheck.INVALID
        if outcome is CodeCheck.OK:
            yield device.user
            return
    raise _CHECK_ERRORS[outcome]()
