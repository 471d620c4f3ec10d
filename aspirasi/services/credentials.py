"""The resident's sessions and password: refresh tokens revoked (logout, password change), a new password.

A session is a refresh token: simplejwt's blacklist app records every one issued (OutstandingToken, by
`tokens_for`) and the revoked ones (BlacklistedToken). A refresh rotates the token (settings.SIMPLE_JWT), so
a revoked or rotated-away token is refused (401 `token_not_valid`) wherever it is shown. Access tokens are
not revocable: they expire on their own (JWT_ACCESS_MINUTES).
"""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from aspirasi.errors import WrongPassword
from aspirasi.models import CodePurpose, User
from aspirasi.services import verification
from aspirasi.services.accounts import phone_normalize, tokens_for

# simplejwt's refusal of a revoked token, named so that this project's catalog has it (api/authentication.py).
SIMPLEJWT_MESSAGES = (_("Token is blacklisted"),)


def password_require(*, user: User, password: str, field: str) -> None:
    """Raise WrongPassword, naming `field` (the input that held it), unless `password` is `user`'s."""
    if not user.check_password(password):
        message = str(WrongPassword.default_message)
        raise WrongPassword(fields={field: [{"code": WrongPassword.code, "message": message}]})


def refresh_token_revoke(*, refresh: str) -> None:
    """End the session of `refresh`, whoever's it is: holding a refresh token is what a session is (its
    holder could as well use it). Raises InvalidToken (401 `token_not_valid`) for a token that is not a
    live refresh token: forged, expired, of the wrong type, revoked or rotated away already."""
    try:
        RefreshToken(refresh).blacklist()
    except TokenError as error:
        raise InvalidToken(error.args[0]) from error


def refresh_tokens_revoke_all(*, user: User) -> int:
    """Revoke every refresh token `user` holds (in two statements); returns how many were still live."""
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=pk) for pk in live.values_list("pk", flat=True)], ignore_conflicts=True
    )
    return len(revoked)


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> dict[str, str]:
    """Set `user`'s password after checking the current one (WrongPassword) and the password validators
    (Django's ValidationError); revokes every refresh token they held and returns a fresh token pair."""
    user = User.objects.select_for_update().get(pk=user.pk)
    password_require(user=user, password=old_password, field="old_password")
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user)
    return tokens_for(user)


def password_reset_confirm(*, phone: str, code: str, new_password: str) -> User:
    """Accept a reset code and set `new_password`; the code reached the phone, so the phone is verified too.
    Raises InvalidPhoneNumber, ValidationError (the password, checked before the code is spent) or the
    code's error."""
    phone = phone_normalize(phone)
    validate_password(new_password, User.objects.filter(phone=phone).first() or User(phone=phone))
    with verification.code_redeemed(phone=phone, code=code, purpose=CodePurpose.RESET) as user:
        user.set_password(new_password)
        user.phone_verified_at = user.phone_verified_at or timezone.now()
        user.save(update_fields=["password", "phone_verified_at"])
        # Whoever knew the old password may hold a session: every refresh token goes with it.
        refresh_tokens_revoke_all(user=user)
    return user
