"""The WebSocket handshake authenticates by Bearer JWT or session cookie, never by query string; an unknown
path is refused and a channel layer outage closes the socket cleanly."""

import logging

import pytest
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import SESSION_KEY
from django.urls import path

from aspirasi.services.accounts import tokens_for, user_assign_role
from realtime.auth import CLOSE_UNAVAILABLE, WebSocketAuthMiddleware
from tests.factories import UserFactory
from tests.hardening.test_faults import SilentRedis, _free_port, _use_redis_layer, private_redis  # noqa: F401 - fixture

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


# --- what the real application answers: an unknown path, a channel layer that is down -------------------


async def _handshake(path: str, user=None) -> tuple[bool, int | None]:
    """(accepted, close code) of a handshake on backend.asgi's application, as the Bearer app does it."""
    from backend.asgi import application

    headers = []
    if user is not None:
        token = await database_sync_to_async(tokens_for)(user)
        headers.append((b"authorization", f"Bearer {token['access']}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        connected, code = await communicator.connect(timeout=5)
        if connected:
            message = await communicator.receive_output(timeout=5)
            assert message["type"] == "websocket.close", message
            code = message["code"]
        return connected, code
    finally:
        await communicator.disconnect()


@pytest.mark.parametrize("path", ["ws/nonexistent/", "ws/", "ws/moderation/x/", "ws/notifications", "api/v1/me/"])
async def test_unknown_path_is_refused_at_the_handshake(path, caplog):
    user = await database_sync_to_async(UserFactory)()
    with caplog.at_level(logging.DEBUG):
        connected, code = await _handshake(path, user)

    assert not connected  # refused before accepting: Daphne answers the handshake with HTTP 403
    assert code == 1000
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.fixture(params=["dead", "silent"])
def broken_redis_layer(request, settings):
    """The channel layer on a Redis that refuses connections (down) or never answers (hung); reads give up
    after half a second instead of the production 10 s."""
    settings.CHANNEL_LAYERS_REDIS_HOST_OPTIONS = {**settings.CHANNEL_LAYERS_REDIS_HOST_OPTIONS, "socket_timeout": 0.5}
    if request.param == "dead":
        _use_redis_layer(settings, f"redis://127.0.0.1:{_free_port()}/0")
        yield
    else:
        redis = SilentRedis()
        _use_redis_layer(settings, redis.url)
        yield
        redis.close()
    channel_layers.backends = {}


@pytest.mark.parametrize("path", ["ws/notifications/", "ws/moderation/"])
async def test_a_handshake_while_the_channel_layer_is_down_closes_with_4503(path, broken_redis_layer, caplog):
    user = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(user_assign_role)(user=user, role="admin")  # admits to both sockets
    with caplog.at_level(logging.DEBUG):
        connected, code = await _handshake(path, user)

    assert connected and code == CLOSE_UNAVAILABLE
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert "channel layer" in warnings[0].getMessage()
    assert not [record for record in caplog.records if record.exc_info]  # one line, no traceback


async def test_an_open_socket_is_closed_with_4503_when_redis_goes_away(private_redis, caplog):  # noqa: F811
    from backend.asgi import application

    user = await database_sync_to_async(UserFactory)()
    token = await database_sync_to_async(tokens_for)(user)
    headers = [(b"authorization", f"Bearer {token['access']}".encode())]
    communicator = WebsocketCommunicator(application, "ws/notifications/", headers=headers)
    try:
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "notification.unread_count"
        with caplog.at_level(logging.DEBUG):
            private_redis.stop()
            message = await communicator.receive_output(timeout=15)
    finally:
        await communicator.disconnect()

    assert message == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}
    assert [record.levelno for record in caplog.records if record.levelno >= logging.WARNING] == [logging.WARNING]
    assert not [record for record in caplog.records if record.exc_info]
