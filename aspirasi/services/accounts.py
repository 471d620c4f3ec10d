"""Account use cases: sign-up with a verified phone, login with lockouts, password reset by a texted code,
role assignment."""

import phonenumbers
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from aspirasi import login_limits, policies
from aspirasi.errors import (
    CodeCooldown,
    CodeLimitReached,
    InvalidCredentials,
    InvalidPhoneNumber,
    PhoneNotVerified,
    TooManyFailedLogins,
)
from aspirasi.models import CodePurpose, Kecamatan, Kelurahan, Opd, Role, User
from aspirasi.services import verification

_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def phone_normalize(raw: str) -> str:
    """Return the E.164 form (+62...) of an Indonesian mobile number written as 08.., 628.. or +628..."""
    text = "".join(ch for ch in str(raw) if ch.isdigit() or ch == "+")
    if text.startswith("62"):
        text = "+" + text  # "62812..." is the international form written without its plus
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber() from None
    if (
        number.country_code != 62
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise InvalidPhoneNumber()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def tokens_for(user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def user_register(
    *, phone: str, password: str, display_name: str, kelurahan: Kelurahan, email: str = "", language: str = "id"
) -> None:
    """Start a sign-up. A new number gets an unverified resident account and a code by text; a number that
    has an account (in any state) keeps it untouched and its owner is told by text instead. Both do the same
    work and answer the same, so sign-up reveals no one's number. Raises InvalidPhoneNumber,
    ValidationError (the password), CodeCooldown or CodeLimitReached."""
    phone = phone_normalize(phone)
    user = User(phone=phone, display_name=display_name, kelurahan=kelurahan, email=email, language=language)
    validate_password(password, user)
    user.set_password(password)  # hashed for a known number too: the costly step takes the same time
    verification.text_allow(phone=phone)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        verification.register_notice_send(user=User.objects.get(phone=phone))
        return
    verification.code_send(user=user, purpose=CodePurpose.REGISTER)


def code_resend(*, phone: str, purpose: CodePurpose) -> None:
    """Send a new code for `purpose` if the number's account awaits one: `register` to an unverified
    resident, `reset` to any active account. Any number counts against its limits and answers the same.
    Raises InvalidPhoneNumber, CodeCooldown or CodeLimitReached."""
    phone = phone_normalize(phone)
    verification.text_allow(phone=phone)
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        return
    if purpose == CodePurpose.RESET or policies.must_verify_phone(user):
        verification.code_send(user=user, purpose=purpose)


def password_reset_request(*, phone: str) -> None:
    """Text a reset code to the number's account, if it has one (the answer is the same if not)."""
    code_resend(phone=phone, purpose=CodePurpose.RESET)


def phone_verify(*, phone: str, code: str) -> User:
    """Accept a sign-up code: the account's phone is verified. Raises InvalidPhoneNumber or the code's error."""
    with verification.code_redeemed(phone=phone_normalize(phone), code=code, purpose=CodePurpose.REGISTER) as user:
        user.phone_verified_at = user.phone_verified_at or timezone.now()
        user.save(update_fields=["phone_verified_at"])
    return user


def user_login(*, phone: str, password: str, request=None) -> User:
    """Check credentials. Failures count per (phone, client address) and per address (aspirasi/login_limits.py,
    django-axes, which needs the `request`); a locked-out client gets TooManyFailedLogins with its wait."""
    try:
        phone = phone_normalize(phone)
    except InvalidPhoneNumber:
        raise InvalidCredentials() from None
    # `username`: the name axes counts failures under (AXES_USERNAME_FORM_FIELD), as the admin's form sends it.
    user = authenticate(request, username=phone, password=password)
    if user is None:
        if login_limits.locked_out(request):
            raise TooManyFailedLogins(retry_after=login_limits.retry_after(request))
        raise InvalidCredentials()
    login_limits.login_succeeded(request, username=phone)
    if policies.must_verify_phone(user):
        _verification_restart(user)
        raise PhoneNotVerified()
    return user


def _verification_restart(user: User) -> None:
    """Text an unverified resident who logged in a new sign-up code, unless the number's limits say wait:
    the code sent moments ago still stands."""
    try:
        verification.text_allow(phone=user.phone)
    except (CodeCooldown, CodeLimitReached):
        return
    verification.code_send(user=user, purpose=CodePurpose.REGISTER)


@transaction.atomic
def user_assign_role(
    *,
    user: User,
    role: str,
    kecamatan: list[Kecamatan] | None = None,
    kelurahan: list[Kelurahan] | None = None,
    opd: Opd | None = None,
    is_opd_head: bool = False,
) -> User:
    """Give `user` a role; staff roles get admin access, moderators get their areas (replacing old ones),
    OPD officers their OPD (required for them, cleared for everyone else)."""
    user.role = Role(role)
    if user.role == Role.OPD and opd is None:
        raise ValueError("an OPD officer needs an OPD")
    user.is_staff = user.role != Role.RESIDENT
    user.is_superuser = user.role == Role.ADMIN
    user.opd = opd if user.role == Role.OPD else None
    user.is_opd_head = is_opd_head if user.role == Role.OPD else False
    user.save(update_fields=["role", "is_staff", "is_superuser", "opd", "is_opd_head"])
    if user.role == Role.MODERATOR:
        user.moderated_kecamatan.set(kecamatan or [])
        user.moderated_kelurahan.set(kelurahan or [])
    else:
        user.moderated_kecamatan.clear()
        user.moderated_kelurahan.clear()
    return user


@transaction.atomic
def user_update_profile(*, user: User, **changes) -> User:
    """Change the caller's own profile fields (display_name, email, kelurahan, language)."""
    allowed = {"display_name", "email", "kelurahan", "language"}
    for name, value in changes.items():
        if name in allowed:
            setattr(user, name, value)
    user.save(update_fields=[name for name in changes if name in allowed] or None)
    return user
