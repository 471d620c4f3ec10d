"""How API requests are authenticated: simplejwt's bearer tokens, with one refusal added and the token's
user kept for a few seconds.

Every view reads the token's user (`JWTAuthentication`), except where the service reads and locks that user
itself as its first step (the vote): there simplejwt's stateless variant (`JWTStatelessAuthentication`)
checks the token alone and the service refuses a deleted or deactivated account as authentication would.

The user simplejwt accepted is kept for AUTH_USER_CACHE_SECONDS and forgotten when saved or deleted
(aspirasi/kept_users.py; docs/architecture.md, "Authentication"): its read was a quarter of a logged-in list's cost.

simplejwt's messages reach clients as they are. Its Indonesian catalog is filed as id_ID, which Django does
not load for "id": named here, makemessages puts them in this project's catalog, which does.
"""

import copy

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from aspirasi import kept_users

SIMPLEJWT_MESSAGES = (
    _("Authorization header must contain two space-delimited values"),
    _("No active account found for the given token."),
)


def _token_user_id(validated_token) -> int | None:
    """The token's user id if it is one this project issues (simplejwt writes it as a string of digits)."""
    user_id = validated_token.get(api_settings.USER_ID_CLAIM)
    if type(user_id) is int or (isinstance(user_id, str) and user_id.isascii() and user_id.isdigit()):
        return int(user_id)
    return None


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's, its accepted user kept for a few seconds (above); a signed token whose user id is not a
    number is refused (401) instead of raising (500)."""

    def get_user(self, validated_token):
        # None: not kept; simplejwt reads (or refuses) it as it is.
        user_id = _token_user_id(validated_token) if settings.AUTH_USER_CACHE_SECONDS else None
        if user_id is not None and (user := cache.get(kept_users.key(user_id))) is not None:
            return user
        try:
            user = super().get_user(validated_token)
        except (TypeError, ValueError) as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        if user_id is not None:
            kept = copy.copy(user)
            del kept.password  # deferred: the cache holds no password hash
            cache.set(kept_users.key(user_id), kept, settings.AUTH_USER_CACHE_SECONDS)
        return user


class JWTStatelessAuthentication(authentication.JWTStatelessUserAuthentication):
    """simplejwt's stateless one (a TokenUser, no read), with the same refusal of a user id that is not a
    number."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        try:
            int(str(user.id))  # as the user read would: 1.5 or True is no id either
        except ValueError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        return user


class JWTScheme(SimpleJWTScheme):
    """Documents it in the OpenAPI schema as simplejwt's bearer JWT (drf-spectacular matches the exact class)."""

    target_class = JWTAuthentication


class JWTStatelessScheme(SimpleJWTScheme):
    """The stateless one is the same bearer JWT to a client: its operations require `jwtAuth`, whose one
    definition JWTScheme registers (a definition of its own, with the same name, would collide)."""

    target_class = JWTStatelessAuthentication
    name = []  # no definition of its own

    def get_security_requirement(self, auto_schema):
        return {JWTScheme.name: []}

    def get_security_definition(self, auto_schema):
        return []
