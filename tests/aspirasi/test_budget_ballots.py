"""Residents' budget ballots: within the kelurahan's pagu, replaced whole, in the voting phase; the ballot's
tally is a term of the priority score (issue 24)."""

from decimal import Decimal

import pytest

from aspirasi.models import AreaBudget, BallotChoice, Kelurahan
from aspirasi.selectors.planning import priorities_for_cycle
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def manggar():
    return Kelurahan.objects.get(slug="manggar")


@pytest.fixture
def cycle(manggar):
    cycle = make_cycle(phase="voting")
    cycle.budget_ballot = True
    cycle.save()
    AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=manggar, amount=100, source="apbd")
    return cycle


def _url(cycle):
    return f"/api/v1/planning/ballots/{cycle.pk}/"


def test_resident_casts_and_changes_a_ballot(as_resident, resident, cycle, manggar):
    a, b, c = (ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=cost) for cost in (60, 40, 50))
    cast = as_resident.put(_url(cycle), {"proposals": [a.pk, b.pk]}, format="json")
    assert cast.status_code == 200, cast.content
    assert cast.json() == {
        "cycle": cycle.pk,
        "kelurahan": manggar.pk,
        "pagu": 100,
        "total_cost": 100,
        "remaining": 0,
        "proposals": [
            {"id": a.pk, "title": a.title, "estimated_cost": 60},
            {"id": b.pk, "title": b.title, "estimated_cost": 40},
        ],
    }
    changed = as_resident.put(_url(cycle), {"proposals": [c.pk]}, format="json")
    assert changed.json()["total_cost"] == 50
    assert list(BallotChoice.objects.filter(voter=resident).values_list("proposal_id", flat=True)) == [c.pk]
    assert as_resident.get(_url(cycle)).json()["proposals"] == [{"id": c.pk, "title": c.title, "estimated_cost": 50}]


def test_a_ballot_over_the_pagu_changes_nothing(as_resident, resident, cycle, manggar):
    a, b = (ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=cost) for cost in (60, 50))
    as_resident.put(_url(cycle), {"proposals": [a.pk]}, format="json")
    response = as_resident.put(_url(cycle), {"proposals": [a.pk, b.pk]}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["code"] == "ballot_over_pagu"
    assert list(BallotChoice.objects.filter(voter=resident).values_list("proposal_id", flat=True)) == [a.pk]


def test_only_costed_published_proposals_of_the_voters_kelurahan(as_resident, cycle, manggar):
    elsewhere = ProposalFactory(cycle=cycle, kelurahan=Kelurahan.objects.get(slug="teritip"), estimated_cost=1)
    uncosted = ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=None)
    for proposal in (elsewhere, uncosted):
        response = as_resident.put(_url(cycle), {"proposals": [proposal.pk]}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "ballot_proposal_invalid"
    twice = as_resident.put(_url(cycle), {"proposals": [uncosted.pk, uncosted.pk]}, format="json")
    assert twice.json()["code"] == "validation_error"


def test_outside_the_voting_phase_or_offer_it_is_refused(as_resident, cycle, manggar):
    proposal = ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=1)
    cycle.voting_starts_on, cycle.deliberation_starts_on = cycle.deliberation_starts_on, cycle.closes_on
    cycle.closes_on = cycle.closes_on.replace(year=cycle.closes_on.year + 1)
    cycle.save()
    closed = as_resident.put(_url(cycle), {"proposals": [proposal.pk]}, format="json")
    assert closed.status_code == 409 and closed.json()["code"] == "voting_closed_phase"
    cycle.budget_ballot = False
    cycle.save()
    assert as_resident.get(_url(cycle)).json()["code"] == "ballot_not_offered"


def test_staff_and_unverified_residents_cannot_cast(as_planner, cycle, manggar):
    from tests.conftest import client_for

    unverified = client_for(UserFactory(kelurahan=manggar, phone_verified_at=None))
    assert as_planner.put(_url(cycle), {"proposals": []}, format="json").json()["code"] == "permission_denied"
    assert unverified.put(_url(cycle), {"proposals": []}, format="json").status_code == 403


def test_ballots_are_a_term_of_the_score(cycle, manggar):
    cycle.weight_ballot = Decimal("5")
    cycle.save()
    chosen, other = ProposalFactory(cycle=cycle, kelurahan=manggar), ProposalFactory(cycle=cycle, kelurahan=manggar)
    for voter in UserFactory.create_batch(2, kelurahan=manggar):
        BallotChoice.objects.create(cycle=cycle, voter=voter, proposal=chosen)
    rows = {row.id: row for row in priorities_for_cycle(cycle=cycle, level="kelurahan")}
    assert rows[chosen.pk].t_ballot == 1.0 and rows[other.pk].t_ballot == 0.0
    assert rows[chosen.pk].score > rows[other.pk].score
