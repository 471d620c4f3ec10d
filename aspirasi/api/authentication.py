"""How API requests are authenticated: simplejwt's bearer tokens, with one refusal added.

Every view reads the token's user (`JWTAuthentication`), except where the service reads and locks that user
itself as its first step (the vote): there simplejwt's stateless variant (`JWTStatelessAuthentication`)
checks the token alone and the service refuses a deleted or deactivated account as authentication would.

simplejwt's messages reach clients as they are. Its Indonesian catalog is filed as id_ID, which Django does
not load for "id": named here, makemessages puts them in this project's catalog, which does.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken

SIMPLEJWT_MESSAGES = (
    _("Authorization header must contain two space-delimited values"),
    _("No active account found for the given token."),
)


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's; a signed token whose user id is not a number is refused (401) instead of raising (500)."""

    def get_user(self, validated_token):
        try:
            return super().get_user(validated_token)
        except (TypeError, ValueError) as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error


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
