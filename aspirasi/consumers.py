"""The moderators' live queue socket, `ws/moderation/`: authenticate, join the area groups, forward events.

Who joins which group is decided by aspirasi.policies (the same rule as the API and the admin); events
are built and sent by realtime.events after commit. Client messages are ignored.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from aspirasi import policies
from realtime.auth import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, refuse
from realtime.consumers import ClosesOnLayerOutage, ClosesWhenLapsed, EventForwarding


class ModerationConsumer(ClosesOnLayerOutage, ClosesWhenLapsed, EventForwarding, AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await refuse(self, CLOSE_UNAUTHENTICATED)
            return
        groups = await database_sync_to_async(policies.moderation_socket_groups)(user)
        if not groups:
            await refuse(self, CLOSE_FORBIDDEN)
            return
        # Join before accepting, so an event published right after the handshake is not missed.
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()
        self.close_when_lapsed()  # who joins what is decided again at the reconnection

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """The socket is one-way: whatever a client sends (even malformed or a flood) is dropped unparsed."""


class OpdConsumer(ModerationConsumer):
    """An OPD's live inbox, `ws/opd/`: its officers join `opd.<id>` (docs/sla.md). Authenticated exactly as the
    moderation socket (same middleware, Origin check and close codes); anyone else is refused."""

    async def connect(self):
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await refuse(self, CLOSE_UNAUTHENTICATED)
            return
        groups = await database_sync_to_async(policies.opd_socket_groups)(user)
        if not groups:
            await refuse(self, CLOSE_FORBIDDEN)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()
        self.close_when_lapsed()
