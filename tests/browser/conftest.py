"""Fixtures for end-to-end tests against a real daphne process (see tests/browser/server.py)."""

from pathlib import Path

import pytest

from tests.browser.server import asgi_database_template, asgi_server  # noqa: F401 - fixtures

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium through Playwright, one per module (a module may define its own)."""
    assert CHROMIUM.exists(), "Chromium is required at /usr/bin/chromium (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
