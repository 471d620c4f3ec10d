"""WebSocket routes; each consumer decides who may connect (see aspirasi.policies)."""

websocket_urlpatterns: list = []
