"""The planner dashboard in a real headless Chromium: Chart.js loads from our static files and draws."""

import shutil

import pytest
from django.test import Client

from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, VoteFactory

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fast_passwords"),
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs the system Chromium"),
]


def test_dashboard_charts_render_in_chromium(live_server, planner):
    playwright_api = pytest.importorskip("playwright.sync_api")
    cycle = make_cycle(phase="voting")
    VoteFactory(proposal=ProposalFactory(cycle=cycle, vote_count=1))
    client = Client()
    client.force_login(planner)
    session = client.cookies["sessionid"].value
    external_requests = []

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            context = browser.new_context()
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
            page = context.new_page()
            page.on(
                "request",
                lambda request: (
                    None if request.url.startswith(live_server.url) else external_requests.append(request.url)
                ),
            )
            page.goto(f"{live_server.url}/admin/planning/dashboard/")
            page.wait_for_function("window.planningCharts && Object.keys(window.planningCharts).length === 3")
            sizes = page.evaluate(
                """() => ["chart-pillars", "chart-kecamatan", "chart-votes"].map(id => {
                    const canvas = document.getElementById(id);
                    return {id, width: canvas.width, height: canvas.height, chart: !!Chart.getChart(canvas)};
                })"""
            )
            points = page.evaluate("() => window.planningCharts.pillars.data.datasets[0].data")
        finally:
            browser.close()

    assert all(s["chart"] and s["width"] > 0 and s["height"] > 0 for s in sizes), sizes
    assert points == [1]
    assert external_requests == []
