"""Pagu per area and level, the funded shortlist with its reasons, pins and exclusions (issue 24)."""

import itertools

import pytest

from aspirasi.models import AreaBudget, AuditEntry, CarriedProposal, Kelurahan
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

BUDGETS = "/api/v1/planning/budgets/"
SHORTLIST = "/api/v1/planning/shortlist/"
DECISIONS = "/api/v1/planning/shortlist/decisions/"


@pytest.fixture
def cycle():
    return make_cycle(phase="deliberation")


@pytest.fixture
def manggar():
    return Kelurahan.objects.get(slug="manggar")


@pytest.fixture
def author(db):
    return UserFactory()


def _pagu(cycle, kelurahan, amount):
    return AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=kelurahan, amount=amount, source="apbd")


def test_planner_sets_and_changes_a_pagu(as_planner, cycle, manggar):
    created = as_planner.post(
        BUDGETS,
        {"cycle": cycle.pk, "level": "kelurahan", "area": manggar.pk, "amount": 1_500_000_000, "source": "apbd"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["area"] == {"id": manggar.pk, "name": "Manggar"}
    assert body["amount"] == 1_500_000_000

    again = as_planner.post(
        BUDGETS,
        {"cycle": cycle.pk, "level": "kelurahan", "area": manggar.pk, "amount": 1, "source": "apbd"},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "pagu_exists"

    changed = as_planner.patch(f"{BUDGETS}{body['id']}/", {"amount": 2_000_000_000, "source": "piwk"}, format="json")
    assert changed.status_code == 200 and changed.json()["amount"] == 2_000_000_000

    city = as_planner.post(BUDGETS, {"cycle": cycle.pk, "level": "city", "amount": 9, "source": "other"}, format="json")
    assert city.status_code == 201 and city.json()["area"] == {"id": None, "name": "Kota Balikpapan"}
    listed = as_planner.get(BUDGETS, {"cycle": cycle.pk}).json()
    assert [(b["level"], b["amount"]) for b in listed] == [("kelurahan", 2_000_000_000), ("city", 9)]


@pytest.mark.parametrize(
    ("level", "area", "amount", "code"),
    [
        ("kelurahan", None, 10, "area_mismatch"),
        ("city", 1, 10, "area_mismatch"),
        ("kecamatan", 999, 10, "area_mismatch"),
        ("kelurahan", 1, 0, "validation_error"),
        ("kelurahan", 1, 10**15, "validation_error"),
        ("kelurahan", 1, 2.5, "validation_error"),
    ],
)
def test_bad_pagu_is_refused_with_a_code(as_planner, cycle, level, area, amount, code):
    body = {"cycle": cycle.pk, "level": level, "area": area, "amount": amount, "source": "apbd"}
    response = as_planner.post(BUDGETS, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (400, 409)
    assert response.json()["code"] == code
    assert not AreaBudget.objects.exists()


def test_residents_see_no_budgets_or_shortlist(as_resident, api, cycle):
    assert as_resident.get(BUDGETS).status_code == 403
    assert as_resident.get(SHORTLIST).status_code == 403
    assert api.get(SHORTLIST).status_code == 401


def test_shortlist_is_the_optimum_with_reasons(as_planner, cycle, manggar, author):
    _pagu(cycle, manggar, 100_000_000)
    # Ranked a > b > c by votes; greedy takes a (60M) then nothing else fits the 40M left; the optimum b + c.
    a = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=10, estimated_cost=60_000_000)
    b = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=9, estimated_cost=50_000_000)
    c = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=9, estimated_cost=50_000_000)
    uncosted = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=10, estimated_cost=None)

    response = as_planner.get(SHORTLIST, {"cycle": cycle.pk, "area": manggar.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    (area,) = response.json()["areas"]
    items = {p["id"]: p for p in area["proposals"]}
    assert {i for i, p in items.items() if p["in_shortlist"]} == {b.pk, c.pk}
    assert {i for i, p in items.items() if p["in_greedy"]} == {a.pk}
    assert items[a.pk]["reason"] == {
        "code": "over_remaining_pagu",
        "text": "Over the remaining pagu by Rp\u00a060,000,000.",
        "over_by": 60_000_000,
    }
    assert items[b.pk]["reason"]["code"] == "fits"
    assert area["shortlist"]["total_cost"] == 100_000_000 and area["remaining"] == 0
    assert area["shortlist"]["total_score"] > area["greedy"]["total_score"]
    assert [p["id"] for p in area["without_cost_estimate"]] == [uncosted.pk]
    assert area["without_cost_estimate"][0]["reason"]["code"] == "no_cost_estimate"

    indonesian = as_planner.get(SHORTLIST, {"cycle": cycle.pk, "area": manggar.pk}).json()
    over = next(p for p in indonesian["areas"][0]["proposals"] if p["id"] == a.pk)
    assert over["reason"]["text"] == "Melebihi sisa pagu sebesar Rp\u00a060.000.000."


def test_pin_and_exclude_are_audited_and_the_shortlist_moves_around_them(as_planner, planner, cycle, manggar, author):
    _pagu(cycle, manggar, 100_000_000)
    a = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=10, estimated_cost=60_000_000)
    b = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=9, estimated_cost=50_000_000)
    c = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=9, estimated_cost=40_000_000)

    pin = {"cycle": cycle.pk, "level": "kelurahan", "proposal": a.pk, "kind": "pin", "reason": "Jalan rusak berat"}
    assert as_planner.put(DECISIONS, pin, format="json").status_code == 200
    exclude = {**pin, "proposal": b.pk, "kind": "exclude", "reason": "Sudah didanai CSR"}
    assert as_planner.put(DECISIONS, exclude, format="json").status_code == 200

    area = as_planner.get(SHORTLIST, {"cycle": cycle.pk, "area": manggar.pk}).json()["areas"][0]
    items = {p["id"]: p for p in area["proposals"]}
    assert items[a.pk]["in_shortlist"] and items[a.pk]["reason"]["code"] == "pinned"
    assert items[a.pk]["decision"] == {"kind": "pin", "reason": "Jalan rusak berat"}
    assert not items[b.pk]["in_shortlist"] and items[b.pk]["reason"]["code"] == "excluded"
    assert items[c.pk]["in_shortlist"] and items[c.pk]["reason"]["code"] == "fits"
    entries = list(AuditEntry.objects.filter(actor=planner).order_by("id").values_list("action", "item_id", "message"))
    assert entries == [("shortlist_pin", a.pk, "Jalan rusak berat"), ("shortlist_exclude", b.pk, "Sudah didanai CSR")]

    undo = as_planner.delete(DECISIONS + f"?cycle={cycle.pk}&level=kelurahan&proposal={b.pk}")
    assert undo.status_code == 204
    assert as_planner.delete(DECISIONS + f"?cycle={cycle.pk}&level=kelurahan&proposal={b.pk}").status_code == 404
    assert AuditEntry.objects.filter(action="shortlist_cleared", item_id=b.pk).count() == 1


def test_only_ranked_proposals_can_be_pinned(as_planner, cycle, manggar, author):
    other_cycle = ProposalFactory(author=author, kelurahan=manggar, estimated_cost=1)
    body = {"cycle": cycle.pk, "level": "kelurahan", "proposal": other_cycle.pk, "kind": "pin", "reason": "x"}
    response = as_planner.put(DECISIONS, body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_shortlistable"
    carried_only = {**body, "level": "kecamatan"}
    assert as_planner.put(DECISIONS, carried_only, format="json").json()["code"] == "not_shortlistable"


def test_area_without_pagu_is_a_conflict(as_planner, cycle, manggar):
    response = as_planner.get(SHORTLIST, {"cycle": cycle.pk, "area": manggar.pk})
    assert response.status_code == 409 and response.json()["code"] == "pagu_missing"


def test_kecamatan_shortlist_reads_the_carried(as_planner, cycle, manggar, author):
    kecamatan = manggar.kecamatan
    AreaBudget.objects.create(cycle=cycle, level="kecamatan", kecamatan=kecamatan, amount=10, source="piwk")
    carried = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, estimated_cost=5)
    ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, estimated_cost=5)
    CarriedProposal.objects.create(proposal=carried, level="kecamatan", rank=1)
    area = as_planner.get(SHORTLIST, {"cycle": cycle.pk, "level": "kecamatan", "area": kecamatan.pk}).json()["areas"]
    assert [p["id"] for p in area[0]["proposals"]] == [carried.pk]


def test_every_kelurahan_at_once_in_a_fixed_number_of_queries(as_planner, cycle, author, django_assert_max_num_queries):
    areas = list(Kelurahan.objects.order_by("id")[:6])
    for kelurahan, n in itertools.product(areas, range(3)):
        _pagu(cycle, kelurahan, 100) if n == 0 else None
        ProposalFactory(cycle=cycle, author=author, kelurahan=kelurahan, estimated_cost=40 + n)
    with django_assert_max_num_queries(9):
        body = as_planner.get(SHORTLIST, {"cycle": cycle.pk}).json()
    assert len(body["areas"]) == 6
    assert all(area["shortlist"]["count"] == 2 for area in body["areas"])
