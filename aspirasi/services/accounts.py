"""Account use cases: sign-up, login with failure throttling, role assignment."""

import hashlib

import phonenumbers
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.tokens import RefreshToken

from aspirasi.errors import InvalidCredentials, InvalidPhoneNumber, PhoneAlreadyRegistered, TooManyFailedLogins
from aspirasi.models import Kecamatan, Kelurahan, Role, User

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
) -> User:
    """Create a resident account. Raises InvalidPhoneNumber, PhoneAlreadyRegistered or ValidationError."""
    phone = phone_normalize(phone)
    user = User(phone=phone, display_name=display_name, kelurahan=kelurahan, email=email, language=language)
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise PhoneAlreadyRegistered() from None
    return user


def _failure_key(phone: str) -> str:
    return "login-failures:" + hashlib.sha256(phone.encode()).hexdigest()


def user_login(*, phone: str, password: str, request=None) -> User:
    """Check credentials; after LOGIN_FAILURE_LIMIT failures for a number, refuse it for the window."""
    try:
        phone = phone_normalize(phone)
    except InvalidPhoneNumber:
        raise InvalidCredentials() from None
    key = _failure_key(phone)
    if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
        raise TooManyFailedLogins()
    user = authenticate(request, phone=phone, password=password)
    if user is None:
        # add() starts the window on the first failure; incr() is atomic on Redis and locmem.
        if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
            cache.incr(key)
        raise InvalidCredentials()
    cache.delete(key)
    return user


@transaction.atomic
def user_assign_role(
    *,
    user: User,
    role: str,
    kecamatan: list[Kecamatan] | None = None,
    kelurahan: list[Kelurahan] | None = None,
) -> User:
    """Give `user` a role; staff roles get admin access, moderators get their areas (replacing old ones)."""
    user.role = Role(role)
    user.is_staff = user.role != Role.RESIDENT
    user.is_superuser = user.role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
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
