"""How API requests are authenticated: simplejwt's bearer tokens, with the user read cheaply.

Every authenticated request reads its user. simplejwt reads it through the ORM, whose query building costs
about three times the statement itself (0.31 ms of CPU against 0.10 ms, measured on the bench machine):
here the same row is read by a plain statement and made a `User` by the ORM's own `from_db`.
"""

import functools

from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.models import TokenUser
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from aspirasi import rows
from aspirasi.models import User

# simplejwt's messages that reach clients as they are. Its Indonesian catalog is filed as id_ID, which Django
# does not load for "id": named here, makemessages puts them in this project's catalog, which does.
SIMPLEJWT_MESSAGES = (
    _("Authorization header must contain two space-delimited values"),
    _("No active account found for the given token."),
)


@functools.cache
def _user_columns() -> str:
    return ", ".join(connection.ops.quote_name(field.column) for field in User._meta.concrete_fields)


@functools.cache
def _user_attnames() -> tuple[str, ...]:
    return tuple(field.attname for field in User._meta.concrete_fields)


def _user_by_id(user_id: int, *, also: tuple[list[str], list] = ([], [])) -> tuple[User | None, tuple]:
    """The user `user_id` (None when there is none) and the values of the scalar subqueries `also`
    (columns, parameters), read in the same statement."""
    extra_columns, extra_params = also
    columns = ", ".join([_user_columns(), *extra_columns])
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [*extra_params, user_id])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None, ()
    attnames = _user_attnames()
    return rows.from_row(User, attnames, row[: len(attnames)]), tuple(row[len(attnames) :])


@functools.lru_cache(maxsize=4096)
def _verified(raw_token: bytes):
    """The token, decoded and verified (signature, type, claims) once per process: the same bytes verify
    the same way every time, and decoding costs more than the rest of reading a cached page. A refused
    token raises simplejwt's InvalidToken and is not kept; the expiry is checked again on every use."""
    return authentication.JWTAuthentication().get_validated_token(raw_token)


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's, with the user read by `_user_by_id`. A view may name scalar subqueries it reads on
    every request anyway (a `read_with_caller()` method returning columns and parameters): they are read
    in the same statement as the caller, one round trip fewer, and their values left in `also_read`.

    A view whose service reads and checks the caller in its own statement (`caller_read_by_service = True`:
    the vote) gets simplejwt's TokenUser, the token's user id without a read; that service answers a user
    gone or inactive as this class does (aspirasi.errors.CallerNotFound, CallerInactive)."""

    also_read: tuple = ()
    _read_with_caller = None
    _caller_read_by_service = False

    def authenticate(self, request):
        view = (request.parser_context or {}).get("view")
        self._read_with_caller = getattr(view, "read_with_caller", None)
        self._caller_read_by_service = getattr(view, "caller_read_by_service", False)
        return super().authenticate(request)

    def get_validated_token(self, raw_token: bytes):
        token = _verified(raw_token)
        try:
            token.check_exp(current_time=aware_utcnow())  # a verified signature is kept, never a lifetime
        except TokenError:
            return super().get_validated_token(raw_token)  # expired since: simplejwt's own refusal
        return token

    def get_user(self, validated_token):
        if api_settings.CHECK_REVOKE_TOKEN or api_settings.USER_ID_FIELD != "id":
            return super().get_user(validated_token)  # settings this project does not use: simplejwt's way
        try:
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        if self._caller_read_by_service:
            return TokenUser(validated_token)
        also = self._read_with_caller() if self._read_with_caller else ([], [])
        user, self.also_read = _user_by_id(user_id, also=also)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user


class JWTScheme(SimpleJWTScheme):
    """Documents it in the OpenAPI schema as simplejwt's bearer JWT (drf-spectacular matches the exact class)."""

    target_class = JWTAuthentication
