from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """The live plumbing: events to WebSocket groups, socket authentication, shared consumer behaviour.

    Model-free, and it imports nothing of the domain: aspirasi and notifications call it, never back."""

    name = "realtime"
