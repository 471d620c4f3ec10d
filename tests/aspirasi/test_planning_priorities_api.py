import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aspirasi.models import CarriedProposal, Category, Kecamatan, Kelurahan, ProposalStatus
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

URL = "/api/v1/planning/priorities/"
CARRY = "/api/v1/planning/priorities/carry/"


@pytest.fixture
def cycle():
    return make_cycle(phase="deliberation")


@pytest.fixture
def author(db):
    return UserFactory()


def proposals(cycle, author, n, **fields):
    return [ProposalFactory(cycle=cycle, author=author, **fields) for _ in range(n)]


def test_residents_and_moderators_cannot_see_priorities(as_resident, as_moderator, api):
    assert as_resident.get(URL).status_code == 403
    assert as_moderator.get(URL).status_code == 403
    assert api.get(URL).status_code == 401


def test_priorities_rank_within_kelurahan_and_pillar_with_totals(as_planner, cycle, author):
    manggar, teritip = Kelurahan.objects.get(slug="manggar"), Kelurahan.objects.get(slug="teritip")
    health = Category.objects.get(slug="kesehatan")
    a = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=9, estimated_cost=1_000_000)
    b = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, vote_count=3, estimated_cost=2_000_000)
    c = ProposalFactory(cycle=cycle, author=author, kelurahan=manggar, category=health, vote_count=1)
    d = ProposalFactory(cycle=cycle, author=author, kelurahan=teritip, vote_count=1)
    merged = ProposalFactory(
        cycle=cycle, author=author, kelurahan=manggar, status=ProposalStatus.MERGED, merged_into=a, vote_count=50
    )

    body = as_planner.get(URL, {"cycle": cycle.pk}).json()

    assert body["count"] == 4
    ranks = {r["id"]: (r["area"]["name"], r["pillar"]["slug"], r["rank"]) for r in body["results"]}
    assert merged.pk not in ranks
    assert ranks[a.pk] == ("Manggar", "pendidikan", 1)
    assert ranks[b.pk] == ("Manggar", "pendidikan", 2)
    assert ranks[c.pk] == ("Manggar", "kesehatan", 1)
    assert ranks[d.pk] == ("Teritip", "pendidikan", 1)
    manggar_education = next(
        t for t in body["totals"] if t["area"]["name"] == "Manggar" and t["pillar"]["slug"] == "pendidikan"
    )
    assert manggar_education == {
        **manggar_education,
        "count": 2,
        "votes": 12,
        "beneficiaries": 40,
        "estimated_cost": 3_000_000,
    }
    assert body["formula"]["tie_break"] == ["score desc", "votes desc", "created_at asc", "id asc"]
    assert {p["term"] for p in body["results"][0]["breakdown"]} == {
        "support",
        "beneficiaries",
        "poor_households",
        "pillar",
        "need",
        "cost",
        "ballot",
    }


def test_filters_by_area_and_category(as_admin, cycle, author):
    teritip = Kelurahan.objects.get(slug="teritip")
    proposals(cycle, author, 2)
    kept = ProposalFactory(cycle=cycle, author=author, kelurahan=teritip)
    body = as_admin.get(URL, {"cycle": cycle.pk, "area": teritip.pk}).json()
    assert [r["id"] for r in body["results"]] == [kept.pk]
    health = Category.objects.get(slug="kesehatan")
    assert as_admin.get(URL, {"cycle": cycle.pk, "category": health.pk}).json()["count"] == 0


def test_defaults_to_the_current_cycle(as_planner, cycle, author):
    proposals(cycle, author, 1)
    ProposalFactory(author=author, cycle=None)
    body = as_planner.get(URL).json()
    assert body["cycle"]["id"] == cycle.pk and body["count"] == 1


def test_bad_parameters_give_validation_errors(as_planner):
    response = as_planner.get(URL, {"level": "provinsi", "format": "pdf", "cycle": 999})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"level", "format", "cycle"}


def test_query_count_is_constant_whatever_the_rows(as_planner, cycle, author):
    proposals(cycle, author, 2)

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert as_planner.get(URL, params).status_code == 200
        return len(captured)

    queries({"cycle": cycle.pk, "limit": 1})  # the caller is kept from here on (api/authentication.py)
    few = queries({"cycle": cycle.pk, "limit": 1})
    proposals(cycle, author, 6, kelurahan=Kelurahan.objects.get(slug="teritip"))
    assert queries({"cycle": cycle.pk, "limit": 50}) == few
    assert queries({"cycle": cycle.pk, "limit": 50, "level": "kecamatan"}) == few


def test_staged_musrenbang_carries_proposals_up_the_levels(as_planner, as_resident, cycle, author):
    first, second, _stays = proposals(cycle, author, 3)
    timur = Kecamatan.objects.get(code="64.71.01")

    assert as_resident.post(CARRY, {"proposal": first.pk, "level": "kecamatan", "rank": 1}).status_code == 403
    response = as_planner.post(CARRY, {"proposal": first.pk, "level": "city", "rank": 1})
    assert response.status_code == 409 and response.json()["code"] == "not_carried_to_kecamatan"
    for proposal, rank in ((second, 1), (first, 2)):
        response = as_planner.post(CARRY, {"proposal": proposal.pk, "level": "kecamatan", "rank": rank})
        assert response.status_code == 201, response.json()

    body = as_planner.get(URL, {"cycle": cycle.pk, "level": "kecamatan"}).json()
    assert {r["id"] for r in body["results"]} == {first.pk, second.pk}
    assert {r["area"]["id"] for r in body["results"]} == {timur.pk}
    assert {r["id"]: r["carried"]["kecamatan"] for r in body["results"]} == {first.pk: 2, second.pk: 1}

    assert as_planner.post(CARRY, {"proposal": first.pk, "level": "city", "rank": 1}).status_code == 201
    city = as_planner.get(URL, {"cycle": cycle.pk, "level": "city"}).json()
    assert [r["id"] for r in city["results"]] == [first.pk]
    assert city["results"][0]["area"]["name"] == "Kota Balikpapan"
    # Below, each proposal is still one row, with the rank of every level it was carried into.
    kelurahan = as_planner.get(URL, {"cycle": cycle.pk, "level": "kelurahan"}).json()["results"]
    assert sorted(r["id"] for r in kelurahan) == sorted([first.pk, second.pk, _stays.pk])
    carried = {r["id"]: r["carried"] for r in kelurahan}
    assert carried[first.pk] == {"kecamatan": 2, "city": 1}
    assert carried[second.pk] == {"kecamatan": 1, "city": None}
    assert carried[_stays.pk] == {"kecamatan": None, "city": None}

    refused = as_planner.delete(f"{CARRY}?proposal={first.pk}&level=kecamatan")
    assert refused.status_code == 409 and refused.json()["code"] == "carried_further"
    assert as_planner.delete(f"{CARRY}?proposal={first.pk}&level=city").status_code == 204
    assert as_planner.delete(f"{CARRY}?proposal={first.pk}&level=city").status_code == 404
    assert not CarriedProposal.objects.filter(proposal=first, level="city").exists()


def test_carrying_again_changes_the_rank_and_unpublished_cannot_be_carried(as_planner, cycle, author):
    proposal = ProposalFactory(cycle=cycle, author=author)
    as_planner.post(CARRY, {"proposal": proposal.pk, "level": "kecamatan", "rank": 3})
    as_planner.post(CARRY, {"proposal": proposal.pk, "level": "kecamatan", "rank": 1})
    assert CarriedProposal.objects.get(proposal=proposal).rank == 1
    draft = ProposalFactory(cycle=cycle, author=author, status=ProposalStatus.SUBMITTED)
    response = as_planner.post(CARRY, {"proposal": draft.pk, "level": "kecamatan", "rank": 1})
    assert response.status_code == 409 and response.json()["code"] == "not_carriable"


@pytest.mark.parametrize("level", ["kelurahan", "kecamatan", "city"])
def test_totals_sum_the_rows_per_area_and_pillar_in_the_rows_order(level, cycle, author):
    """The totals are summed apart from the rows (grouped by ids, named from the reference tables): they must
    still agree with the rows, group for group and in the same order, at every level."""
    from django.utils import translation

    from aspirasi.selectors.planning import priorities_for_cycle, priority_totals

    areas = list(Kelurahan.objects.order_by("-name")[:5])  # several kecamatan, not in the rows' order
    assert len({kelurahan.kecamatan_id for kelurahan in areas}) > 1
    pillars = list(Category.objects.all())
    for n in range(24):
        proposal = ProposalFactory(
            cycle=cycle,
            author=author,
            kelurahan=areas[n % len(areas)],
            category=pillars[n % len(pillars)],
            vote_count=n,
            estimated_cost=1000 * n or None,
        )
        for carried_into in ("kecamatan", "city")[: n % 3]:
            CarriedProposal.objects.create(proposal=proposal, level=carried_into, rank=1 + n % 5)

    for language, name_field in (("id", "category__name_id"), ("en", "category__name_en")):
        with translation.override(language):
            rows = [row._asdict() for row in priorities_for_cycle(cycle=cycle, level=level)]
            totals = priority_totals(cycle=cycle, level=level)
        area_id = {"kelurahan": "kelurahan_id", "kecamatan": "kelurahan__kecamatan_id", "city": None}[level]
        area_name = {"kelurahan": "kelurahan__name", "kecamatan": "kelurahan__kecamatan__name"}.get(level)
        expected = {}
        for row in rows:  # dicts keep the order groups first appear in
            key = (row[area_id] if area_id else None, row["category_id"])
            total = expected.setdefault(
                key,
                {
                    "area": {"id": key[0], "name": row[area_name] if area_name else "Kota Balikpapan"},
                    "pillar": {
                        "id": row["category_id"],
                        "slug": row["category__slug"],
                        "name": row[name_field],
                        "name_id": row["category__name_id"],
                    },
                    "count": 0,
                    "votes": 0,
                    "beneficiaries": 0,
                    "estimated_cost": 0,
                },
            )
            total["count"] += 1
            total["votes"] += row["vote_count"]
            total["beneficiaries"] += row["estimated_beneficiaries"] or 0
            total["estimated_cost"] += row["estimated_cost"] or 0
        assert len(rows) > 0
        assert totals == list(expected.values())
