"""The live triage page in a real browser: a proposal submitted through the API appears without a reload.

Headless Chromium from the system package (/usr/bin/chromium) drives the admin page served by a real daphne
process (HTTP and WebSockets); Playwright never downloads a browser. Missing Chromium fails the test.
"""

import json
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import server

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _post(url: str, *, token: str, body: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 - our own test server
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status in (200, 201)
        return json.loads(response.read())


@contextmanager
def _live_page(url: str, people: dict):
    """Headless Chromium on the live triage page, signed in as the seeded moderator, its socket connected."""
    assert CHROMIUM.exists(), "Chromium is required at /usr/bin/chromium (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{url}/admin/login/?next=/admin/moderation/live/")
            page.fill("#id_username", people["moderator_phone"])
            page.fill("#id_password", server.PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"{url}/admin/moderation/live/")
            page.wait_for_selector("#moderation-live[data-connected='1']", timeout=5000)
            yield page
        finally:
            browser.close()


def test_new_proposal_appears_on_the_live_page_without_a_reload(asgi_server):
    url, env = asgi_server
    people = server.seed_people(env)

    with _live_page(url, people) as page:
        assert page.locator("#live-queue tbody tr").count() == 0

        proposal_id = _post(
            f"{url}/api/v1/proposals/",
            token=people["resident_token"],
            body={
                "title": "Pelatihan menjahit untuk ibu-ibu RT 05",
                "description": "Ibu rumah tangga butuh keterampilan untuk usaha rumahan.",
                "category": people["category_id"],
                "kelurahan": people["kelurahan_id"],
            },
        )["id"]
        # Live, without a reload (how fast is make bench's workbench case, not a timed test).
        row = page.wait_for_selector(f"#item-proposal-{proposal_id}", timeout=10000)
        assert "Pelatihan menjahit untuk ibu-ibu RT 05" in row.inner_text()
        assert "Manggar" in row.inner_text()

        # Another moderator's tools (here: the API) claim it, then decide it: the row follows live.
        decision = f"{url}/api/v1/moderation/proposals/{proposal_id}/decision/"
        _post(decision, token=people["moderator_token"], body={"action": "review"})
        page.wait_for_function(
            f"document.querySelector('#item-proposal-{proposal_id} td.claimed').textContent.includes('Moderator')",
            timeout=10000,
        )
        _post(decision, token=people["moderator_token"], body={"action": "publish"})
        page.wait_for_selector(f"#item-proposal-{proposal_id}", state="detached", timeout=10000)
        assert page.url == f"{url}/admin/moderation/live/"  # no reload happened


@pytest.fixture
def short_lived_sockets(asgi_database_template, tmp_path):
    """The live page's server with sockets that reach their maximum age after 3 s."""
    env = server.server_env(server.copy_database(asgi_database_template, tmp_path / "db"))
    env["WEBSOCKET_MAX_AGE_SECONDS"] = "3"
    with server.daphne(env, log=tmp_path / "daphne.log") as url:
        yield url, env


# A submitted proposal written past the services, so no event announces it: only reading the page again
# can show it. Prints its id.
SUBMIT_SILENTLY = """
from aspirasi.models import Kelurahan, User
from tests.factories import ProposalFactory
author = User.objects.get(phone="+6281211110002")
print(ProposalFactory(author=author, kelurahan=Kelurahan.objects.get(slug="manggar"), status="submitted").pk)
"""


def test_after_a_reconnection_the_live_page_shows_what_it_missed(short_lived_sockets):
    url, env = short_lived_sockets
    people = server.seed_people(env)

    with _live_page(url, people) as page:
        proposal_id = int(server.manage(env, "shell", stdin=SUBMIT_SILENTLY).strip().splitlines()[-1])

        # At 3 s the server closes the socket (4408); the page reconnects and reads its table again.
        page.wait_for_selector(f"#item-proposal-{proposal_id}", timeout=10000)
        assert int(page.locator("#moderation-live").get_attribute("data-synced")) >= 1
        assert page.locator("#moderation-live").get_attribute("data-connected") == "1"
        assert page.url == f"{url}/admin/moderation/live/"  # read again in place, not reloaded
