"""Account use cases: sign-up, login with lockouts, role assignment."""

import phonenumbers
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.tokens import RefreshToken

from aspirasi import login_limits
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
