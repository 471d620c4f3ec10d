"""WebSocket routes, wired here with the HTTP ones; each consumer decides who may connect (aspirasi.policies)."""

from django.urls import path, re_path

from aspirasi.consumers import ModerationConsumer, OpdConsumer, ProposalThreadConsumer
from notifications.consumers import NotificationConsumer
from realtime.consumers import refuse_unknown_path

websocket_urlpatterns: list = [
    # --- moderation live queue
    path("ws/moderation/", ModerationConsumer.as_asgi()),
    # --- an OPD's live inbox (docs/sla.md)
    path("ws/opd/", OpdConsumer.as_asgi()),
    # --- personal notifications
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    # --- a proposal's discussion, anonymous readers allowed on public proposals
    path("ws/proposals/<int:proposal_id>/", ProposalThreadConsumer.as_asgi()),
    # --- last: any other path is refused at the handshake (the router itself would raise: an HTTP 500)
    re_path(r"", refuse_unknown_path),
]
