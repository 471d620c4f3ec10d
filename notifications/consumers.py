"""`ws/notifications/`: a logged-in user's own notifications, live."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.selectors import notification_unread_count
from realtime import events
from realtime.auth import CLOSE_UNAUTHENTICATED, refuse
from realtime.consumers import ClosesOnLayerOutage, ClosesWhenLapsed, EventForwarding


class NotificationConsumer(ClosesOnLayerOutage, ClosesWhenLapsed, EventForwarding, AsyncJsonWebsocketConsumer):
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
