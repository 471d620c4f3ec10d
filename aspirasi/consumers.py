"""The moderators' live queue socket, `ws/moderation/`: authenticate, join the area groups, forward events;
and a proposal's discussion, `ws/proposals/<id>/`.

Who joins which group is decided by aspirasi.policies (the same rule as the API and the admin); events
are built and sent by realtime.events after commit. Client messages are ignored.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from aspirasi import policies
from aspirasi.selectors import comments as selectors
from realtime import events
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


class ProposalThreadConsumer(ClosesOnLayerOutage, ClosesWhenLapsed, EventForwarding, AsyncJsonWebsocketConsumer):
    """`ws/proposals/<id>/`: a proposal's discussion live (`comment.created`, `comment.updated`).

    Anyone may read a public proposal's thread, anonymous readers included (the handshake's Origin is still
    checked as on every socket without a Bearer token: realtime.auth); a proposal that is not public only
    its author and staff, as the API's thread (selectors.comments.thread_proposal). Payloads name no one
    (services.comments.comment_payload)."""

    group: str | None = None

    async def connect(self):
        user = self.scope.get("user")
        signed_in = user is not None and user.is_authenticated
        if self.scope.get("auth") == "jwt" and not signed_in:
            await refuse(self, CLOSE_UNAUTHENTICATED)  # a token was sent and refused: refresh it, not anonymous
            return
        proposal_id = self.scope["url_route"]["kwargs"]["proposal_id"]
        proposal = await database_sync_to_async(selectors.thread_proposal)(pk=proposal_id, user=user)
        if proposal is None:
            # Missing and not public look the same; signing in may open an author's or staff's thread.
            await refuse(self, CLOSE_FORBIDDEN if signed_in else CLOSE_UNAUTHENTICATED)
            return
        self.group = events.proposal_thread_group(proposal.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)  # before accepting: miss nothing
        await self.accept()
        self.close_when_lapsed()

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """One-way, as the moderation socket: whatever a client sends is dropped unparsed."""
