"""End-to-end fixtures: a real daphne process (see tests/browser/server.py)."""

from tests.browser.server import asgi_database_template, asgi_server  # noqa: F401 - fixtures
