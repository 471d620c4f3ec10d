"""WebSocket routes; each consumer decides who may connect (see aspirasi.policies)."""

from django.urls import path

from aspirasi.consumers import ModerationConsumer
from notifications.consumers import NotificationConsumer

websocket_urlpatterns: list = [
    # --- moderation live queue
    path("ws/moderation/", ModerationConsumer.as_asgi()),
    # --- personal notifications
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
