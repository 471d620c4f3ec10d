import re

import pytest

from aspirasi.models import ProposalStatus
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, VoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

URL = "/admin/planning/dashboard/"


def test_planner_sees_the_dashboard_with_local_charts(client, planner):
    cycle = make_cycle(phase="voting")
    proposal = ProposalFactory(cycle=cycle, title="Posyandu lansia", vote_count=1)
    VoteFactory(proposal=proposal)
    ProposalFactory(cycle=cycle, status=ProposalStatus.SUBMITTED, title="Belum dimoderasi")
    client.force_login(planner)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for canvas in ("chart-pillars", "chart-kecamatan", "chart-votes"):
        assert f'<canvas id="{canvas}"' in html
    assert "Posyandu lansia" in html and "Belum dimoderasi" not in html
    assert "tahap: Pemungutan dukungan" in html  # the phase's label, not its code
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert "/static/aspirasi/planning/vendor/chart.umd.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    # Nothing loads from elsewhere (a CSRF token may well contain the letters "cdn": look at addresses only).
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert not [address for address in addresses if "//" in address]
    data = response.context["data"]
    assert data["cycle"]["phase"] == "voting"
    assert data["pillars"][0]["count"] == 1 and data["pillars"][0]["votes"] == 1
    assert sum(day["count"] for day in data["votes_per_day"]) == 1


def test_moderators_and_residents_cannot_open_the_dashboard(client, moderator_manggar, resident):
    client.force_login(moderator_manggar)
    assert client.get(URL).status_code == 403
    client.force_login(resident)
    assert client.get(URL).status_code == 302  # not staff: the admin sends them to its login page


def test_planner_manages_cycles_in_the_admin(client, planner):
    client.force_login(planner)
    assert client.get("/admin/aspirasi/cycle/add/").status_code == 200
    assert client.get("/admin/aspirasi/program/").status_code == 200
