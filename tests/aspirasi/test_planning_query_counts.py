"""The planning list endpoints read in a fixed number of queries: the same count with N rows and with 2N
(budgets, forums, shortlist, results, priorities, a ballot, the T-D.4 export)."""

import pytest

from aspirasi.models import AreaBudget, BallotChoice, CarriedProposal, Forum, Kelurahan, PaperSupport, ShortlistDecision
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

N = 3


@pytest.fixture
def cycle():
    return make_cycle(phase="deliberation")


def _kelurahan(start: int, count: int) -> list[Kelurahan]:
    return list(Kelurahan.objects.order_by("id")[start : start + count])


def _areas(cycle, start: int, count: int, *, per_area: int = 2) -> list[Kelurahan]:
    """`count` more kelurahan with a pagu, a forum with minutes, proposals (one pinned, one carried into the
    kecamatan level, one with paper support)."""
    areas = _kelurahan(start, count)
    for kelurahan in areas:
        AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=kelurahan, amount=100, source="apbd")
        forum = Forum.objects.create(
            cycle=cycle, level="kelurahan", kelurahan=kelurahan, held_on="2027-02-03", place="Aula",
            attendance_men=1, attendance_women=2, attendance_disabled=0, minutes="forums/x.pdf",
            delegates=["Budi"],
        )  # fmt: skip
        proposals = [ProposalFactory(cycle=cycle, kelurahan=kelurahan, estimated_cost=40) for _ in range(per_area)]
        ProposalFactory(cycle=cycle, kelurahan=kelurahan, estimated_cost=None)
        ShortlistDecision.objects.create(
            cycle=cycle, level="kelurahan", proposal=proposals[0], kind="pin", reason="Mendesak"
        )
        CarriedProposal.objects.create(proposal=proposals[1], level="kecamatan", rank=1, forum=forum)
        PaperSupport.objects.create(forum=forum, proposal=proposals[1], count=5)
    return areas


def _same_count_twice(django_assert_num_queries, expected: int, grow, request, check=None):
    """`request()` in `expected` queries; again after `grow()` doubled the rows, in as many. Counted once
    the caller is kept (api/authentication.py): the view's own queries."""
    request()
    with django_assert_num_queries(expected):
        first = request()
    grow()
    with django_assert_num_queries(expected):
        second = request()
    assert first.status_code == second.status_code == 200, second.content
    if check:
        check(first, second)
    return first, second


def test_budgets_list(as_planner, cycle, django_assert_num_queries):
    _areas(cycle, 0, N)
    # the cycle + one query per level (budgets_of, with its area joined)
    _same_count_twice(
        django_assert_num_queries,
        QUERIES["budgets"],
        lambda: _areas(cycle, N, N),
        lambda: as_planner.get("/api/v1/planning/budgets/", {"cycle": cycle.pk}),
        lambda first, second: (len(first.json()), len(second.json())) == (N, 2 * N) or pytest.fail("rows"),
    )


def test_forums_list(as_planner, cycle, django_assert_num_queries):
    _areas(cycle, 0, N)
    _same_count_twice(
        django_assert_num_queries,
        QUERIES["forums"],
        lambda: _areas(cycle, N, N),
        lambda: as_planner.get("/api/v1/planning/forums/", {"cycle": cycle.pk}),
        lambda first, second: (len(first.json()), len(second.json())) == (N, 2 * N) or pytest.fail("rows"),
    )


def test_shortlist_of_every_area(as_planner, cycle, django_assert_num_queries):
    _areas(cycle, 0, N)

    def check(first, second):
        assert [len(body.json()["areas"]) for body in (first, second)] == [N, 2 * N]
        assert all(area["proposals"] and area["without_cost_estimate"] for area in second.json()["areas"])

    _same_count_twice(
        django_assert_num_queries,
        QUERIES["shortlist"],
        lambda: _areas(cycle, N, N),
        lambda: as_planner.get("/api/v1/planning/shortlist/", {"cycle": cycle.pk}),
        check,
    )


def test_shortlist_of_one_area_as_it_grows(as_planner, cycle, django_assert_num_queries):
    (manggar,) = _areas(cycle, 0, 1, per_area=N)
    _same_count_twice(
        django_assert_num_queries,
        QUERIES["shortlist_area"],
        lambda: [ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=10) for _ in range(N + 1)],
        lambda: as_planner.get("/api/v1/planning/shortlist/", {"cycle": cycle.pk, "area": manggar.pk}),
    )


def test_results_of_an_area_as_it_grows(as_planner, cycle, django_assert_num_queries):
    (manggar,) = _areas(cycle, 0, 1, per_area=N)

    def check(first, second):
        assert [body.json()["count"] for body in (first, second)] == [N + 1, 2 * N + 2]
        assert any(row["paper_support"] == 5 for row in second.json()["results"])

    _same_count_twice(
        django_assert_num_queries,
        QUERIES["results"],
        lambda: [ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=10) for _ in range(N + 1)],
        lambda: as_planner.get("/api/v1/planning/results/", {"cycle": cycle.pk, "area": manggar.pk}),
        check,
    )


def test_priorities_list(as_planner, cycle, django_assert_num_queries):
    _areas(cycle, 0, N)
    _same_count_twice(
        django_assert_num_queries,
        QUERIES["priorities"],
        lambda: _areas(cycle, N, N),
        lambda: as_planner.get("/api/v1/planning/priorities/", {"cycle": cycle.pk}),
    )


@pytest.mark.parametrize(("which", "level"), [("shortlist", "kelurahan"), ("carried", "kecamatan")])
def test_td4_export(as_planner, cycle, django_assert_num_queries, which, level):
    _areas(cycle, 0, N)

    def check(first, second):
        # the header and a row per costed proposal (shortlist) or per carried one
        lines = [len(body.content.decode().strip().splitlines()) for body in (first, second)]
        assert lines[1] - 1 == 2 * (lines[0] - 1) > 0

    _same_count_twice(
        django_assert_num_queries,
        QUERIES[f"td4_{which}"],
        lambda: _areas(cycle, N, N),
        lambda: as_planner.get(
            "/api/v1/planning/exports/td4/", {"cycle": cycle.pk, "list": which, "level": level, "format": "csv"}
        ),
        check,
    )


def test_ballot_read_as_it_grows(as_resident, resident, django_assert_num_queries):
    cycle = make_cycle(phase="voting")
    cycle.budget_ballot = True
    cycle.save()
    AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=resident.kelurahan, amount=10**9, source="apbd")

    def choose(count):
        for _ in range(count):
            proposal = ProposalFactory(cycle=cycle, kelurahan=resident.kelurahan, estimated_cost=10)
            BallotChoice.objects.create(cycle=cycle, voter=resident, proposal=proposal)

    choose(N)
    _same_count_twice(
        django_assert_num_queries,
        QUERIES["ballot"],
        lambda: choose(N),
        lambda: as_resident.get(f"/api/v1/planning/ballots/{cycle.pk}/"),
        lambda first, second: [len(b.json()["proposals"]) for b in (first, second)] == [N, 2 * N] or pytest.fail(),
    )


QUERIES = {
    "budgets": 4,  # the cycle, budgets_of per level (3)
    "forums": 1,  # the forums with their areas
    # the cycle, the budgets, the decisions, scoring's most votes, the scored rows
    "shortlist": 5,
    "shortlist_area": 6,  # + the area's name
    # the shortlist's 6, the forum, its paper support, scoring's most votes again, the page, its count
    "results": 11,
    "priorities": 6,
    "td4_shortlist": 5,  # the shortlist's
    "td4_carried": 2,
    "ballot": 6,  # the cycle, the voter's locked read (in a savepoint: 3), the pagu, the choices
}
