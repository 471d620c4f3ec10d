"""WSGI entry point: gunicorn serves the HTTP API in production (see docs/deploy.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
application = get_wsgi_application()

from backend.warmup import warm_up  # noqa: E402 - after Django is set up

warm_up()
