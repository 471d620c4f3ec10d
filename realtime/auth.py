"""WebSocket authentication: a Bearer JWT on the handshake (mobile apps) or the session cookie (admin pages).

A token in the query string is never read: URLs end up in proxy logs. Cookie-authenticated sockets must
come from one of ALLOWED_HOSTS (Origin check), since a browser sends cookies cross-site; Bearer sockets
carry their credential explicitly and need no Origin.
"""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

# Application close codes, the same on every socket (4000-4999 are free for applications; they mirror HTTP):
CLOSE_UNAUTHENTICATED = 4401  # no valid credential: sign in (or refresh the token), then reconnect
CLOSE_FORBIDDEN = 4403  # signed in, but this socket is not for this user: do not reconnect
CLOSE_RECONNECT = 4408  # the socket reached its maximum age (WEBSOCKET_MAX_AGE_SECONDS): reconnect now
CLOSE_UNAVAILABLE = 4503  # the channel layer (Redis) is down or hung: reconnect later, with backoff


async def refuse(consumer, code: int) -> None:
    """Accept, then close with `code`: a refusal inside the handshake reaches clients only as a bare 1006
    (browsers) or an HTTP 403 without a reason, so apps could not tell "sign in again" from "not for you"."""
    await consumer.accept()
    await consumer.close(code=code)


def bearer_token(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


@database_sync_to_async
def user_from_token(raw_token: str) -> tuple:
    """(the token's user, its expiry as a POSIX timestamp); (AnonymousUser, None) for a token refused."""
    auth = JWTAuthentication()
    try:
        token = auth.get_validated_token(raw_token.encode())
        return auth.get_user(token), token["exp"]
    except (InvalidToken, TokenError, AuthenticationFailed):
        return AnonymousUser(), None


class _BearerAuth(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        user, expires_at = await user_from_token(bearer_token(scope))
        scope = dict(scope, user=user, auth="jwt", auth_expires_at=expires_at)
        return await self.inner(scope, receive, send)


class WebSocketAuthMiddleware:
    """Route each handshake to Bearer authentication or to cookie authentication behind an Origin check."""

    def __init__(self, inner):
        self.with_bearer = _BearerAuth(inner)
        self.with_cookie = AllowedHostsOriginValidator(AuthMiddlewareStack(_mark_cookie(inner)))

    async def __call__(self, scope, receive, send):
        if bearer_token(scope) is not None:
            return await self.with_bearer(scope, receive, send)
        return await self.with_cookie(scope, receive, send)


def _mark_cookie(inner):
    async def app(scope, receive, send):
        return await inner(dict(scope, auth="session"), receive, send)

    return app
