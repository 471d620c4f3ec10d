"""The proposal, report and workload admin pages in headless Chromium: accessible (axe-core: no serious or
critical violation) in Indonesian and English, and the map draws its marker without any tile host.

One daphne server and one browser for the module (tests/browser/server.py); the data is seeded once through
`manage.py shell` in the server's database, the decisions through the services as in production.
"""

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser import server
from tests.browser.axe import axe_violations, describe

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

# A proposal with a photo, a point, a cost, flags and decisions; a report with its photo; prints their ids.
SEED_ITEMS = """
import json
from decimal import Decimal
from django.core.files.base import ContentFile
from aspirasi.models import Flag, Kelurahan, ProposalPhoto, User
from aspirasi.services import moderation
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, UserFactory, image_bytes
manggar = Kelurahan.objects.get(slug="manggar")
moderator = User.objects.get(phone="+6281211110001")
proposal = ProposalFactory(
    kelurahan=manggar, status="submitted", title="Pelatihan menjahit untuk ibu-ibu RT 05",
    estimated_cost=1250000, latitude=Decimal("-1.250000"), longitude=Decimal("116.950000"),
)
ProposalPhoto.objects.create(
    proposal=proposal,
    image=ContentFile(image_bytes(size=(640, 480)), name="foto.jpg"),
    thumbnail_small=ContentFile(image_bytes(size=(80, 60)), name="foto-s.jpg"),
    thumbnail_large=ContentFile(image_bytes(size=(320, 240)), name="foto-l.jpg"),
)
moderation.proposal_claim(proposal=proposal, actor=moderator)
moderation.proposal_publish(proposal=proposal, actor=moderator, message="Lengkap")
Flag.objects.create(proposal=proposal, flagger=UserFactory(), reason="spam", message="Iklan")
report = ReportFactory(kelurahan=manggar, latitude=Decimal("-1.260000"), longitude=Decimal("116.960000"))
moderation.report_claim(report=report, actor=moderator)
ProposalFactory(kelurahan=manggar, status="submitted", title="Sumur bor untuk RT 07")
from open311.models import ApiKey
from open311.services import api_key_issue, service_request_create
api_key = ApiKey(name="Aplikasi kecamatan")
api_key_issue(api_key=api_key, actor=moderator)
filed = service_request_create(
    api_key=api_key, category=report.category, kelurahan=manggar, description="Saluran tersumbat",
    latitude=None, longitude=None, address_string="Jl. Mulawarman RT 12", media_url="https://example.com/foto.jpg",
    filer={},
)
print(json.dumps({"proposal": proposal.pk, "report": report.pk, "open311": filed.report_id}))
"""


@pytest.fixture(scope="module")
def site(asgi_database_template, tmp_path_factory):
    """(base URL, seeded ids, moderator's phone): a daphne server with no map tiles configured."""
    root = tmp_path_factory.mktemp("admin-pages")
    env = server.server_env(server.copy_database(asgi_database_template, root / "db"))
    env["MAP_TILE_URL"] = ""
    # One shell for the people and the items: each Django start-up costs seconds on a busy machine.
    script = f"PASSWORD = {server.PASSWORD!r}\n{server.SEED_PEOPLE}\n{SEED_ITEMS}"
    *_, people, ids = server.manage(env, "shell", stdin=script).strip().splitlines()
    with server.daphne(env, log=root / "daphne.log") as url:
        yield url, json.loads(ids), json.loads(people)["moderator_phone"]


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


@pytest.fixture(scope="module", params=["id-ID", "en-US"])
def signed_in(request, site, chromium):
    """A page of a browser context in `locale`, signed in as the moderator; records requests off the server."""
    url, ids, phone = site
    context = chromium.new_context(locale=request.param)
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: None if r.url.startswith(url) else foreign.append(r.url))
    page.goto(f"{url}/admin/login/?next=/admin/")
    page.fill("#id_username", phone)
    page.fill("#id_password", server.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")
    yield page, url, ids, request.param[:2], foreign
    context.close()


def test_axe_harness_reports_what_it_finds(chromium):
    page = chromium.new_page()
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    violations = axe_violations(page)
    page.close()
    assert [v["id"] for v in violations] == ["image-alt"]
    assert "image-alt" in describe(violations) and "<img" in describe(violations)


def test_proposal_page_is_accessible_and_its_map_needs_no_tiles(signed_in):
    page, url, ids, language, foreign = signed_in
    page.goto(f"{url}/admin/aspirasi/proposal/{ids['proposal']}/change/")
    page.wait_for_selector("[data-map][data-map-ready] .leaflet-marker-icon")

    assert page.get_attribute("html", "lang") == language
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    marker = page.locator(".leaflet-marker-icon")
    assert marker.get_attribute("alt") == "Pelatihan menjahit untuk ibu-ibu RT 05"
    assert marker.get_attribute("tabindex") == "0"  # the marker is reachable by keyboard
    assert page.locator(".leaflet-tile").count() == 0
    assert "-1.250000, 116.950000" in page.locator(".aspirasi-map-text").inner_text()
    photo = page.locator(".item-photo-list img").first
    assert page.evaluate("(img) => img.complete && img.naturalWidth", photo.element_handle()) == 320
    assert "Rp\u00a01.250.000" in page.locator(".item-summary").inner_text()
    assert foreign == [], f"requests off the server: {foreign}"


def test_report_page_is_accessible(signed_in):
    page, url, ids, _language, foreign = signed_in
    page.goto(f"{url}/admin/aspirasi/report/{ids['report']}/change/")
    page.wait_for_selector("[data-map][data-map-ready] .leaflet-marker-icon")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert foreign == []


def test_an_open311_report_page_shows_the_address_and_photo_link_accessibly(signed_in):
    page, url, ids, _language, foreign = signed_in
    page.goto(f"{url}/admin/aspirasi/report/{ids['open311']}/change/")
    summary = page.locator(".item-summary")
    assert "Jl. Mulawarman RT 12" in summary.inner_text()
    link = summary.locator("a[href='https://example.com/foto.jpg']")
    assert link.get_attribute("rel") == "noopener noreferrer nofollow" and link.get_attribute("target") == "_blank"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert foreign == []  # shown as a link, never loaded by the page


def test_the_admin_index_links_the_sla_report_accessibly(signed_in):
    page, url, _ids, _language, _foreign = signed_in
    page.goto(f"{url}/admin/")
    assert page.locator(".app-work th a[href='/admin/opd/sla/']").count() == 1  # under "My work"
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_workload_page_is_accessible(signed_in):
    page, url, _ids, language, foreign = signed_in
    page.goto(f"{url}/admin/moderation/workload/")
    assert page.get_attribute("html", "lang") == language
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    moderators = page.locator("#workload-moderators tbody").inner_text()
    assert "Moderator Manggar" in moderators
    assert "Sumur bor untuk RT 07" in page.locator("#workload-waiting").inner_text()
    assert all(urlparse(u).hostname in ("127.0.0.1",) for u in foreign)
