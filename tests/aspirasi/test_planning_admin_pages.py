"""The planning admin pages (dashboard, pagu, forums, shortlist decisions, carried list, cycles) open for a
planner and an admin, with their rows, and are refused to a moderator and a resident."""

import pytest

from aspirasi.models import AreaBudget, CarriedProposal, Forum, Kelurahan, ShortlistDecision
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def world():
    manggar = Kelurahan.objects.get(slug="manggar")
    cycle = make_cycle(phase="deliberation", name="Musrenbang 2027")
    budget = AreaBudget.objects.create(
        cycle=cycle, level="kelurahan", kelurahan=manggar, amount=1_250_000_000, source="apbd"
    )
    forum = Forum.objects.create(
        cycle=cycle, level="kelurahan", kelurahan=manggar, held_on="2027-02-03", place="Aula Kelurahan Manggar",
        attendance_men=41, attendance_women=38, attendance_disabled=3, minutes="forums/berita-acara.pdf",
        delegates=["Budi Santoso"],
    )  # fmt: skip
    proposal = ProposalFactory(cycle=cycle, kelurahan=manggar, title="Posyandu lansia", estimated_cost=60_000_000)
    ShortlistDecision.objects.create(cycle=cycle, level="kelurahan", proposal=proposal, kind="pin", reason="Mendesak")
    CarriedProposal.objects.create(proposal=proposal, level="kecamatan", rank=1, forum=forum)
    return {"cycle": cycle, "budget": budget, "forum": forum}


# (path, a text the page must show once the world exists)
PAGES = [
    ("/admin/planning/dashboard/", "Musrenbang 2027"),
    ("/admin/aspirasi/areabudget/", "Rp\u00a01.250.000.000"),
    ("/admin/aspirasi/areabudget/add/", None),
    ("/admin/aspirasi/areabudget/{budget}/change/", "1250000000"),
    ("/admin/aspirasi/forum/", "Manggar"),
    ("/admin/aspirasi/forum/add/", None),
    ("/admin/aspirasi/forum/{forum}/change/", "Aula Kelurahan Manggar"),
    ("/admin/aspirasi/shortlistdecision/", "Mendesak"),
    ("/admin/aspirasi/carriedproposal/", "Posyandu lansia"),
    ("/admin/aspirasi/cycle/", "Musrenbang 2027"),
]


def _url(path: str, world: dict) -> str:
    return path.format(budget=world["budget"].pk, forum=world["forum"].pk)


@pytest.mark.parametrize(("path", "shown"), PAGES)
@pytest.mark.parametrize("who", ["planner", "admin_user"])
def test_planning_pages_open_for_planners_and_admins(client, request, world, who, path, shown):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(path, world), HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200, response.content[:500]
    if shown:
        assert shown in response.content.decode()


@pytest.mark.parametrize(("path", "_shown"), PAGES)
def test_planning_pages_are_refused_to_moderators_and_residents(
    client, world, moderator_manggar, resident, path, _shown
):
    url = _url(path, world)
    client.force_login(moderator_manggar)
    assert client.get(url).status_code == 403  # staff, but not a planner
    client.force_login(resident)
    refused = client.get(url)
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")  # not staff at all
    client.logout()
    assert client.get(url).status_code == 302
