"""The priority score and its breakdown, checked against values computed by hand from docs/planning.md."""

import math
from decimal import Decimal

import pytest

from aspirasi.models import Category, Kelurahan, ProposalStatus
from aspirasi.selectors.planning import cycle_weights, priorities_for_cycle, priority_explain, scored_proposals
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

WEIGHTS = {"support": 3, "beneficiaries": 2, "poor_households": 2, "pillar": 1, "need": 1, "cost": 1, "ballot": 0}


@pytest.fixture
def cycle():
    Kelurahan.objects.filter(slug="manggar").update(need_weight=Decimal("0.80"))
    Kelurahan.objects.filter(slug="teritip").update(need_weight=Decimal("0.40"))
    Category.objects.filter(slug="pendidikan").update(pillar_weight=Decimal("0.50"))
    return make_cycle(phase="deliberation", **WEIGHTS)


def expected_score(*, support, beneficiaries, poor, pillar, need, cost_per_beneficiary):
    terms = {
        "support": support,
        "beneficiaries": min(math.log(1 + beneficiaries) / math.log(10_001), 1.0),
        "poor_households": min(math.log(1 + poor) / math.log(1_001), 1.0),
        "pillar": pillar,
        "need": need,
        "cost": 0.0 if cost_per_beneficiary is None else 1 / (1 + cost_per_beneficiary / 1_000_000),
    }
    return 100 * sum(WEIGHTS[t] * v for t, v in terms.items()) / sum(WEIGHTS.values()), terms


def test_score_and_breakdown_match_the_hand_computed_formula(cycle):
    manggar, teritip = Kelurahan.objects.get(slug="manggar"), Kelurahan.objects.get(slug="teritip")
    strong = ProposalFactory(
        cycle=cycle,
        kelurahan=manggar,
        vote_count=40,
        estimated_beneficiaries=100,
        estimated_poor_households=10,
        estimated_cost=50_000_000,
    )
    weaker = ProposalFactory(
        cycle=cycle, kelurahan=manggar, vote_count=10, estimated_beneficiaries=None, estimated_poor_households=None
    )
    small = ProposalFactory(cycle=cycle, kelurahan=teritip, vote_count=3, estimated_beneficiaries=0)

    scores = {p.pk: p for p in scored_proposals(cycle=cycle)}
    want_strong, strong_terms = expected_score(
        support=1.0, beneficiaries=100, poor=10, pillar=0.5, need=0.8, cost_per_beneficiary=500_000
    )
    want_weaker, _terms = expected_score(
        support=0.25, beneficiaries=0, poor=0, pillar=0.5, need=0.8, cost_per_beneficiary=None
    )
    # Teritip's only proposal has the most votes there: 3 votes count as much as Manggar's 40.
    want_small, _terms = expected_score(
        support=1.0, beneficiaries=0, poor=0, pillar=0.5, need=0.4, cost_per_beneficiary=None
    )
    assert scores[strong.pk].score == pytest.approx(want_strong, abs=1e-6)
    assert scores[weaker.pk].score == pytest.approx(want_weaker, abs=1e-6)
    assert scores[small.pk].score == pytest.approx(want_small, abs=1e-6)

    row = next(r for r in priorities_for_cycle(cycle=cycle, level="kelurahan") if r.id == strong.pk)
    explained = priority_explain(row, level="kelurahan", weights=cycle_weights(cycle))
    assert explained["score"] == round(want_strong, 2)
    parts = {part["term"]: part for part in explained["breakdown"]}
    assert list(parts) == list(WEIGHTS)
    for term, value in strong_terms.items():
        assert parts[term]["value"] == pytest.approx(value, abs=1e-4)
        assert parts[term]["weight"] == WEIGHTS[term]
        assert parts[term]["contribution"] == pytest.approx(100 * WEIGHTS[term] * value / 10, abs=0.01)
    assert sum(p["contribution"] for p in parts.values()) == pytest.approx(want_strong, abs=0.05)


def test_only_published_or_later_unmerged_visible_proposals_of_the_cycle_are_scored(cycle):
    kept = [ProposalFactory(cycle=cycle, status=s) for s in ("published", "accepted", "in_progress", "completed")]
    target = kept[0]
    ProposalFactory(cycle=cycle, status=ProposalStatus.MERGED, merged_into=target)
    ProposalFactory(cycle=cycle, status=ProposalStatus.SUBMITTED)
    ProposalFactory(cycle=cycle, status=ProposalStatus.REJECTED)
    ProposalFactory(cycle=cycle, is_hidden=True)
    ProposalFactory(cycle=None)
    assert {p.pk for p in scored_proposals(cycle=cycle)} == {p.pk for p in kept}


def test_weights_are_tuned_per_cycle(cycle):
    proposal = ProposalFactory(cycle=cycle, vote_count=5)
    cycle.weight_support = cycle.weight_beneficiaries = cycle.weight_poor_households = Decimal("0")
    cycle.weight_pillar = cycle.weight_cost = Decimal("0")
    cycle.weight_need = Decimal("1")
    cycle.save()
    # Only the need term counts now: Manggar's 0.8 is the whole score.
    assert scored_proposals(cycle=cycle).get(pk=proposal.pk).score == pytest.approx(80.0)


def test_the_score_is_a_float_as_the_database_returns_it(cycle):
    # The score skips the per-row float() of a FloatField expression (selectors/planning.py): each backend must
    # give a float itself, a whole-number score included.
    ProposalFactory(cycle=cycle, vote_count=5, estimated_beneficiaries=100, estimated_cost=10_000_000)
    ProposalFactory(cycle=cycle, vote_count=0, estimated_beneficiaries=None, estimated_cost=None)
    scores = list(scored_proposals(cycle=cycle).values_list("score", flat=True))
    cycle.weight_support = cycle.weight_beneficiaries = cycle.weight_poor_households = Decimal("0")
    cycle.weight_pillar = cycle.weight_cost = Decimal("0")
    cycle.save()
    whole = list(scored_proposals(cycle=cycle).values_list("score", flat=True))
    assert whole == [80.0, 80.0]
    assert [type(score) for score in scores + whole] == [float] * 4


def test_cheaper_per_beneficiary_scores_higher(cycle):
    cheap = ProposalFactory(cycle=cycle, estimated_beneficiaries=100, estimated_cost=10_000_000)
    dear = ProposalFactory(cycle=cycle, estimated_beneficiaries=100, estimated_cost=900_000_000)
    scores = {p.pk: p.t_cost for p in scored_proposals(cycle=cycle)}
    assert scores[cheap.pk] > scores[dear.pk] > 0


def test_ties_rank_by_votes_then_age_then_id(cycle):
    Category.objects.update(pillar_weight=Decimal("1"))
    # Same score: nobody else in the kelurahan, so support is 1 for both with equal everything.
    first = ProposalFactory(cycle=cycle, vote_count=0)
    second = ProposalFactory(cycle=cycle, vote_count=0)
    third = ProposalFactory(cycle=cycle, vote_count=0)
    rows = list(priorities_for_cycle(cycle=cycle, level="kelurahan"))
    assert [r.id for r in rows] == [first.pk, second.pk, third.pk]
    assert [r.rank for r in rows] == [1, 2, 3]
