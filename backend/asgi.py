"""ASGI entry point: HTTP to Django, WebSockets through authentication to the consumers.

In production this process serves /ws/ (see docs/deploy.md); `make run` serves everything with it.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django_asgi_app = get_asgi_application()  # sets Django up before anything imports models

from backend.warmup import warm_up  # noqa: E402

warm_up()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from notifications.auth import WebSocketAuthMiddleware  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

if settings.BENCH_FLOOR:
    from bench.floor import websocket_urlpatterns as bench_routes

    websocket_urlpatterns = [*websocket_urlpatterns, *bench_routes]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
