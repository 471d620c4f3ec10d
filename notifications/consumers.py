"""`ws/notifications/`: a logged-in user's own notifications, live; and what every socket shares (how events
are forwarded, when a socket closes). No domain logic here."""

import asyncio
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from notifications import events
from notifications.auth import CLOSE_RECONNECT, CLOSE_UNAUTHENTICATED, refuse
from notifications.selectors import notification_unread_count


class EventForwarding:
    """What a socket does with the group messages notifications.events sends: each event one frame."""

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

    async def websocket_disconnect(self, message):
        if self._lapse is not None:
            self._lapse.cancel()
        await super().websocket_disconnect(message)


class NotificationConsumer(ClosesWhenLapsed, EventForwarding, AsyncJsonWebsocketConsumer):
    """Joins `user.<id>`; forwards `notification.created` and `notification.unread_count`. On connect it
    sends the current unread count so a reconnecting app is in step at once."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await refuse(self, CLOSE_UNAUTHENTICATED)
            return
        self.group = events.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.close_when_lapsed()
        count = await database_sync_to_async(notification_unread_count)(user=user)
        await self.send_json(events.build_message(events.NOTIFICATION_UNREAD_COUNT, {"unread": count}))

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """The socket is one-way; what a client sends is ignored."""
