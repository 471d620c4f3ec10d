"""The WebSocket handshake authenticates by Bearer JWT or session cookie, never by query string."""

import pytest
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import SESSION_KEY
from django.urls import path

from aspirasi.services.accounts import tokens_for
from notifications.auth import WebSocketAuthMiddleware
from tests.factories import UserFactory

# serialized_rollback restores the reference data (areas, categories) that a transactional flush removes.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class WhoAmI(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        await self.send_json({"user": user.pk if user.is_authenticated else None, "auth": self.scope.get("auth")})


app = WebSocketAuthMiddleware(URLRouter([path("ws/whoami/", WhoAmI.as_asgi())]))


async def _connect(path="ws/whoami/", headers=()):
    communicator = WebsocketCommunicator(app, path, headers=list(headers))
    connected, _ = await communicator.connect()
    message = await communicator.receive_json_from() if connected else None
    await communicator.disconnect()
    return connected, message


async def test_bearer_jwt_authenticates_without_origin():
    user = await database_sync_to_async(UserFactory)()
    token = await database_sync_to_async(tokens_for)(user)
    connected, message = await _connect(headers=[(b"authorization", f"Bearer {token['access']}".encode())])
    assert connected
    assert message == {"user": user.pk, "auth": "jwt"}


async def test_bad_bearer_is_anonymous():
    connected, message = await _connect(headers=[(b"authorization", b"Bearer garbage")])
    assert connected and message["user"] is None


async def test_token_in_query_string_is_ignored():
    user = await database_sync_to_async(UserFactory)()
    token = await database_sync_to_async(tokens_for)(user)
    connected, message = await _connect(
        path=f"ws/whoami/?token={token['access']}", headers=[(b"origin", b"http://127.0.0.1")]
    )
    assert connected and message["user"] is None


async def _session_cookie(user) -> bytes:
    from importlib import import_module

    from django.conf import settings

    def make():
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    key = await database_sync_to_async(make)()
    return f"{settings.SESSION_COOKIE_NAME}={key}".encode()


async def test_session_cookie_from_allowed_origin_authenticates():
    user = await database_sync_to_async(UserFactory)()
    cookie = await _session_cookie(user)
    connected, message = await _connect(headers=[(b"cookie", cookie), (b"origin", b"http://127.0.0.1:8000")])
    assert connected
    assert message == {"user": user.pk, "auth": "session"}


async def test_session_cookie_from_foreign_origin_is_refused():
    user = await database_sync_to_async(UserFactory)()
    cookie = await _session_cookie(user)
    connected, _ = await _connect(headers=[(b"cookie", cookie), (b"origin", b"https://evil.example.com")])
    assert not connected


async def test_session_cookie_without_origin_is_refused():
    user = await database_sync_to_async(UserFactory)()
    cookie = await _session_cookie(user)
    connected, _ = await _connect(headers=[(b"cookie", cookie)])
    assert not connected
