"""One-time codes sent by text, as a django-otp device: one per account and purpose, holding its current code."""

import enum
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class CodePurpose(models.TextChoices):
    REGISTER = "register", _("Verify the phone number")
    RESET = "reset", _("Reset the password")


class CodeCheck(enum.Enum):
    """What trying a code found; every outcome but OK is an error of its own (aspirasi/errors.py)."""

    OK = "ok"
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    TOO_MANY_ATTEMPTS = "too_many_attempts"


class PhoneCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """The account's phone as a django-otp device for one purpose. Only a keyed hash of the current code is
    kept (the code itself exists in the text message and nowhere else); wrong tries count in
    ThrottlingMixin's throttling_failure_count, reset by each new code. TimestampMixin's last_used_at is the
    last time a code was accepted.

    Never a second factor (see verify_token). No CooldownMixin: the cool-down must hold for numbers without
    an account too, or asking twice would reveal which numbers have one, so it is counted per number
    (services/verification.py)."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True, help_text=_("HMAC-SHA256 of the code"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    spent = models.BooleanField(_("spent"), default=False, help_text=_("The current code was accepted once"))

    class Meta:
        verbose_name = _("phone code device")
        verbose_name_plural = _("phone code devices")
        constraints = [models.UniqueConstraint(fields=["user", "purpose"], name="phone_code_device_one_per_purpose")]

    def get_throttle_factor(self) -> int:
        # ThrottlingMixin's exponential delays are off: a code takes PHONE_CODE_MAX_ATTEMPTS tries, then a new
        # code is needed, which the per-number limits bound.
        return 0

    def _hash(self, code: str) -> str:
        # Keyed with SECRET_KEY and bound to this device and purpose: the table alone cannot be searched for
        # the million possible codes.
        return salted_hmac(
            "aspirasi.PhoneCodeDevice", f"{self.pk}:{self.purpose}:{code}", algorithm="sha256"
        ).hexdigest()

    def code_set(self, code: str) -> None:
        """Make `code` the device's current code (stored as its hash), valid for the configured lifetime."""
        self.code_hash = self._hash(code)
        self.valid_until = timezone.now() + timedelta(seconds=settings.PHONE_CODE_LIFETIME_SECONDS)
        self.spent = False
        self.throttle_reset(commit=False)
        self.save()

    def check_token(self, token: str) -> CodeCheck:
        """Try `token` against the current code and record the try; the caller holds the row's lock."""
        matches = bool(self.code_hash) and constant_time_compare(self._hash(token), self.code_hash)
        if not self.code_hash:
            return CodeCheck.INVALID
        if self.throttling_failure_count >= settings.PHONE_CODE_MAX_ATTEMPTS:
            return CodeCheck.TOO_MANY_ATTEMPTS
        if self.spent:
            return CodeCheck.USED if matches else CodeCheck.INVALID
        if timezone.now() >= self.valid_until:
            return CodeCheck.EXPIRED
        if not matches:
            self.throttle_increment()
            return CodeCheck.INVALID
        self.spent = True
        self.set_last_used_timestamp(commit=False)
        self.throttle_reset()
        return CodeCheck.OK

    def verify_token(self, token) -> bool:
        """Never: django-otp's login flows (staff's second factor) call this, and a texted code proves a phone,
        not a second factor. Codes are tried by services.verification through check_token. The devices are
        also saved unconfirmed, so django-otp's devices_for_user and user_has_device leave them out."""
        return False
