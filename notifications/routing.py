"""WebSocket routes; each consumer decides who may connect (see aspirasi.policies)."""

from django.urls import path  # noqa: F401 - used by the routes below

websocket_urlpatterns: list = [
    # --- moderation live queue
    # --- personal notifications
]
