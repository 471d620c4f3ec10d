"""The planning admin pages in headless Chromium, signed in as a planner: the dashboard (its charts drawn),
the pagu list and form, the forum list and form are accessible (axe-core: no serious or critical violation)
in Indonesian and English, and load nothing off the server.

One daphne server and one browser for the module (tests/browser/server.py), seeded once through
`manage.py shell`, as tests/browser/test_admin_pages.py does for the moderators' pages.
"""

import json
from pathlib import Path

import pytest

from tests.browser import server
from tests.browser.axe import axe_violations, describe

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

# A planner and a cycle in its voting phase with a pagu, a forum and a supported proposal; prints the ids.
SEED_PLANNING = """
import json
from datetime import timedelta
from django.utils import timezone
from aspirasi.models import AreaBudget, Cycle, Forum, Kelurahan, User
from aspirasi.services.accounts import user_assign_role
from tests.factories import ProposalFactory, VoteFactory
manggar = Kelurahan.objects.get(slug="manggar")
planner = User.objects.create_user(phone="+6281211110009", password=PASSWORD, display_name="Perencana Kota")
user_assign_role(user=planner, role="planner")
today = timezone.localdate()
cycle = Cycle.objects.create(
    name="Musrenbang 2027", submission_starts_on=today - timedelta(days=20),
    review_starts_on=today - timedelta(days=10),
    voting_starts_on=today - timedelta(days=1), deliberation_starts_on=today + timedelta(days=10),
    closes_on=today + timedelta(days=20),
)
budget = AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=manggar, amount=1250000000, source="apbd")
forum = Forum.objects.create(
    cycle=cycle, level="kelurahan", kelurahan=manggar, held_on=today, place="Aula Kelurahan Manggar",
    attendance_men=41, attendance_women=38, attendance_disabled=3, minutes="forums/berita-acara.pdf",
    delegates=["Budi Santoso"],
)
proposal = ProposalFactory(
    cycle=cycle, kelurahan=manggar, title="Posyandu lansia", estimated_cost=60000000, vote_count=1
)
VoteFactory(proposal=proposal)
print(json.dumps({"phone": planner.phone, "budget": budget.pk, "forum": forum.pk, "proposal": proposal.pk}))
"""

PAGES = {
    "dashboard": "/admin/planning/dashboard/",
    "shortlist": "/admin/planning/shortlist/",
    "budgets": "/admin/aspirasi/areabudget/",
    "budget": "/admin/aspirasi/areabudget/{budget}/change/",
    "budget_add": "/admin/aspirasi/areabudget/add/",
    "forums": "/admin/aspirasi/forum/",
    "forum": "/admin/aspirasi/forum/{forum}/change/",
    "forum_add": "/admin/aspirasi/forum/add/",
}


@pytest.fixture(scope="module")
def site(asgi_database_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("planning-pages")
    env = server.server_env(server.copy_database(asgi_database_template, root / "db"))
    *_, ids = server.manage(env, "shell", stdin=f"PASSWORD = {server.PASSWORD!r}\n{SEED_PLANNING}").strip().splitlines()
    with server.daphne(env, log=root / "daphne.log") as url:
        yield url, json.loads(ids)


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
def planner_page(request, site, chromium):
    """A page signed in as the planner in `locale`; records the requests that leave the server."""
    url, ids = site
    context = chromium.new_context(locale=request.param)
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: None if r.url.startswith(url) else foreign.append(r.url))
    page.goto(f"{url}/admin/login/?next=/admin/")
    page.fill("#id_username", ids["phone"])
    page.fill("#id_password", server.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")
    yield page, url, ids, request.param[:2], foreign
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_planning_page_is_accessible(planner_page, name):
    page, url, ids, language, foreign = planner_page
    response = page.goto(url + PAGES[name].format(**ids))
    assert response.status == 200
    if name == "dashboard":
        page.wait_for_function("window.planningCharts && Object.keys(window.planningCharts).length === 3")
    assert page.get_attribute("html", "lang") == language
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert foreign == [], f"requests off the server: {foreign}"


def test_a_planner_pins_a_proposal_with_the_keyboard_and_unpins_it(planner_page):
    page, url, ids, language, _foreign = planner_page
    page.goto(f"{url}/admin/planning/shortlist/")
    reason = page.locator(f"#reason-{ids['proposal']}")
    reason.focus()
    page.keyboard.type("Jalan rusak berat")
    page.keyboard.press("Tab")  # to "Pin"
    assert page.evaluate("document.activeElement.value") == "pin"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/admin/planning/shortlist/?*")

    success = page.locator(".messagelist .success")
    expected = "disematkan" if language == "id" else "is pinned"
    assert expected in success.inner_text()
    row = page.locator("tr", has=page.locator(f"a[href='/admin/aspirasi/proposal/{ids['proposal']}/change/']"))
    assert ("Disematkan" if language == "id" else "Pinned") in row.inner_text()
    unpin = row.locator("button[value=clear]")
    unpin.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#reason-{ids['proposal']}")
