"""ASGI entry point: HTTP to Django, WebSockets through authentication to the consumers.

In production this process serves /ws/ (see docs/deploy.md); `make run` serves everything with it.
"""

import os
from http import HTTPStatus

from django.core.asgi import get_asgi_application


def _reason_phrases_for_twisted() -> None:
    """daphne (`make run`, the test servers) answers through Twisted, whose table of reason phrases lacks
    422 and 429 ("429 Unknown Status"): Python's own table fills the gaps. uvicorn and gunicorn need nothing."""
    try:
        from twisted.web import http
    except ImportError:  # not served by daphne
        return
    for status in HTTPStatus:
        http.RESPONSES.setdefault(status.value, status.phrase.encode())


_reason_phrases_for_twisted()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django_asgi_app = get_asgi_application()  # sets Django up before anything imports models

from backend.warmup import warm_up  # noqa: E402

warm_up()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from backend.routing import websocket_urlpatterns  # noqa: E402
from realtime.auth import WebSocketAuthMiddleware  # noqa: E402

if settings.BENCH_FLOOR:
    from bench.floor import websocket_urlpatterns as bench_routes

    websocket_urlpatterns = [*bench_routes, *websocket_urlpatterns]  # ours end with a catch-all

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
