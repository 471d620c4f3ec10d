"""How API requests are authenticated: simplejwt's bearer tokens, with one refusal added.

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


class JWTScheme(SimpleJWTScheme):
    """Documents it in the OpenAPI schema as simplejwt's bearer JWT (drf-spectacular matches the exact class)."""

    target_class = JWTAuthentication
