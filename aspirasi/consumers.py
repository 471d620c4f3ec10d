"""The moderators' live queue socket, `ws/moderation/`: authenticate, join the area groups, forward events.

Who joins which group is decided by aspirasi.policies (the same rule as the API and the admin); events
are built and sent by notifications.events after commit. Client messages are ignored.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from aspirasi import policies

# Application close code: "forbidden" (4000-4999 are free for applications; 4403 mirrors HTTP 403).
CLOSE_FORBIDDEN = 4403


class ModerationConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        self.groups_joined = []
        user = self.scope.get("user")
        groups = await database_sync_to_async(policies.moderation_socket_groups)(user) if user else []
        if not groups:
            # Accept, then close with the code: a refusal inside the handshake reaches browsers only as 1006.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        # Join before accepting, so an event published right after the handshake is not missed.
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """The socket is one-way: whatever a client sends (even malformed or a flood) is dropped unparsed."""

    async def event_message(self, event):
        await self.send_json(event["message"])
