"""The Open311 API keys in the admin, in headless Chromium: issuing a key by keyboard shows it once on an
accessible page (axe-core: no serious or critical violation), in Indonesian and English."""

from pathlib import Path

import pytest

from tests.browser import server
from tests.browser.axe import axe_violations, describe

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ADMIN_PHONE = "+6281211110009"
SEED_ADMIN = f"""
from aspirasi.models import User
from aspirasi.services.accounts import user_assign_role
admin = User.objects.create_user(phone="{ADMIN_PHONE}", password={server.PASSWORD!r}, display_name="Admin Kota")
user_assign_role(user=admin, role="admin")
"""


@pytest.fixture(scope="module")
def site(asgi_database_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("open311-admin")
    env = server.server_env(server.copy_database(asgi_database_template, root / "db"))
    server.manage(env, "shell", stdin=SEED_ADMIN)
    with server.daphne(env, log=root / "daphne.log") as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    assert CHROMIUM.exists(), "Chromium is required at /usr/bin/chromium (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("locale", ["id-ID", "en-US"])
def test_a_key_is_issued_by_keyboard_and_shown_once_on_an_accessible_page(site, chromium, locale):
    context = chromium.new_context(locale=locale)
    page = context.new_page()
    try:
        page.goto(f"{site}/admin/login/?next=/admin/")
        page.fill("#id_username", ADMIN_PHONE)
        page.fill("#id_password", server.PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{site}/admin/")

        page.goto(f"{site}/admin/open311/apikey/add/")
        assert axe_violations(page) == [], describe(axe_violations(page))
        page.focus("#id_name")
        page.keyboard.type(f"Aplikasi {locale}")
        page.keyboard.press("Enter")  # submits the form: "save"
        page.wait_for_selector("#api-key")

        key = page.locator("#api-key").inner_text().strip()
        assert len(key) == 43
        assert page.get_attribute("html", "lang") == locale[:2]
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.goto(f"{site}/admin/open311/apikey/")
        assert f"Aplikasi {locale}" in page.content() and key not in page.content()  # never shown again
    finally:
        context.close()
