"""What every socket shares: how events are forwarded, when a socket closes, the route of unknown paths.

The domain's consumers (aspirasi/consumers.py, notifications/consumers.py) build on these; no domain logic here.
"""

import asyncio
import logging
import time

from django.conf import settings
from redis.exceptions import RedisError

from realtime.auth import CLOSE_RECONNECT, CLOSE_UNAUTHENTICATED, CLOSE_UNAVAILABLE, refuse
from realtime.metrics import OPEN_SOCKETS

logger = logging.getLogger(__name__)

# What the Redis channel layer raises when its Redis is down (refused, reset) or hung (read timeout):
# redis-py wraps socket errors in its own. The in-memory layer raises none.
LAYER_ERRORS = (RedisError,)


async def refuse_unknown_path(scope, receive, send):
    """The route of every other path: closing before accepting refuses the handshake (Daphne answers HTTP
    403), as Channels does for a consumer that closes in connect(); no consumer, so no channel layer."""
    await receive()  # websocket.connect
    await send({"type": "websocket.close"})


class EventForwarding:
    """What a socket does with the group messages realtime.events sends: each event one frame."""

    async def event_message(self, event):
        await self.send_json(event["message"])

    async def event_batch(self, event):  # several events for this group at once (events.send_each)
        for message in event["messages"]:
            await self.send_json(message)


class ClosesWhenLapsed:
    """Closes an accepted socket when what it was accepted on lapses: its token at expiry (4401: refresh the
    token, then reconnect), any socket at WEBSOCKET_MAX_AGE_SECONDS (4408: reconnect now), whichever comes
    first. The reconnection is authorized afresh and joins its groups again: a deactivated user or a
    moderator who lost an area stops receiving events, and no socket outlives its group membership (the
    channel layer drops a member after a day, in silence)."""

    _lapse: asyncio.TimerHandle | None = None
    _closing: asyncio.Future | None = None

    def close_when_lapsed(self) -> None:
        seconds, code = float(settings.WEBSOCKET_MAX_AGE_SECONDS), CLOSE_RECONNECT
        expires_at = self.scope.get("auth_expires_at")
        if expires_at is not None and (token_left := expires_at - time.time()) < seconds:
            seconds, code = max(0.0, token_left), CLOSE_UNAUTHENTICATED
        self._lapse = asyncio.get_running_loop().call_later(seconds, self._lapsed, code)

    def _lapsed(self, code: int) -> None:
        self._closing = asyncio.ensure_future(self.close(code=code))  # kept: a task nobody holds may vanish

    def _stop_lapse(self) -> None:
        if self._lapse is not None:
            self._lapse.cancel()

    async def websocket_disconnect(self, message):
        self._stop_lapse()
        await super().websocket_disconnect(message)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._stop_lapse()  # also when the consumer ends without a disconnect (ClosesOnLayerOutage)


class ClosesOnLayerOutage:
    """When the channel layer fails (Redis down or hung: joining a group, reading the socket's channel, or
    leaving), the socket is closed with 4503 (accepted first if need be, as every refusal is) and one
    warning line is logged. Unhandled, the error ended the consumer: an HTTP 500 at the handshake and a
    traceback in the log for every attempt, while the client's retries kept coming."""

    _accepted = False
    _closed = False  # by this side or by the client

    async def accept(self, *args, **kwargs):
        await super().accept(*args, **kwargs)
        self._accepted = True
        OPEN_SOCKETS.labels(type(self).__name__).inc()  # back down when the consumer ends, in __call__

    async def close(self, *args, **kwargs):
        self._closed = True
        await super().close(*args, **kwargs)

    async def websocket_disconnect(self, message):
        self._closed = True
        await super().websocket_disconnect(message)

    async def __call__(self, scope, receive, send):
        try:
            await self._served(scope, receive, send)
        finally:
            if self._accepted:
                OPEN_SOCKETS.labels(type(self).__name__).dec()

    async def _served(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as error:
            logger.warning(
                "socket %s closed (%s): channel layer unavailable: %r", scope["path"], CLOSE_UNAVAILABLE, error
            )
            if self._closed:
                return
            if self._accepted:
                await self.close(code=CLOSE_UNAVAILABLE)
            else:
                await refuse(self, CLOSE_UNAVAILABLE)
