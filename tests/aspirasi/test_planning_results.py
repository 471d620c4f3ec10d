"""Public results of a level: planners' only until the cycle closes, then everyone's; no author named."""

import pytest

from aspirasi.models import AreaBudget, Forum, Kelurahan, PaperSupport
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

RESULTS = "/api/v1/planning/results/"


@pytest.fixture
def manggar():
    return Kelurahan.objects.get(slug="manggar")


def _world(phase, manggar):
    cycle = make_cycle(phase=phase)
    AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=manggar, amount=100, source="apbd")
    forum = Forum.objects.create(
        cycle=cycle, level="kelurahan", kelurahan=manggar, held_on="2027-02-03", place="Aula",
        attendance_men=10, attendance_women=12, attendance_disabled=1, minutes="forums/x.pdf",
    )  # fmt: skip
    author = UserFactory(display_name="Nama Penulis Rahasia")
    proposals = [ProposalFactory(cycle=cycle, kelurahan=manggar, author=author, estimated_cost=60) for _ in range(3)]
    PaperSupport.objects.create(forum=forum, proposal=proposals[0], count=17)
    return cycle, proposals


def test_before_the_cycle_closes_only_planners_read_results(as_resident, as_planner, api, manggar):
    cycle, _proposals = _world("deliberation", manggar)
    query = {"cycle": cycle.pk, "area": manggar.pk}
    assert as_resident.get(RESULTS, query).json()["code"] == "results_not_public"
    assert api.get(RESULTS, query).status_code == 403
    planner_view = as_planner.get(RESULTS, query).json()
    assert planner_view["public"] is False and planner_view["count"] == 3


def test_after_closing_everyone_reads_ranks_shortlist_forum_and_paper_support(
    api, manggar, django_assert_max_num_queries
):
    cycle, proposals = _world("closed", manggar)
    with django_assert_max_num_queries(12):
        response = api.get(RESULTS, {"cycle": cycle.pk, "area": manggar.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["public"] is True
    assert body["forum"]["attendance"] == {"men": 10, "women": 12, "disabled": 1, "total": 22}
    assert body["shortlist"]["shortlist"]["count"] == 1
    assert {row["id"] for row in body["results"]} == {p.pk for p in proposals}
    paper = {row["id"]: row["paper_support"] for row in body["results"]}
    assert paper[proposals[0].pk] == 17 and paper[proposals[1].pk] is None
    assert all(row["breakdown"] for row in body["results"])
    assert b"Nama Penulis Rahasia" not in response.content


def test_area_is_required_below_the_city(api, manggar):
    _world("closed", manggar)
    assert api.get(RESULTS).json()["code"] == "area_mismatch"
