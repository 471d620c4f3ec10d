import itertools
from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from aspirasi.errors import EditingClosed, SubmissionClosed, VotingClosedPhase
from aspirasi.models.planning import PHASE_STARTS
from aspirasi.services.cycles import cycle_current, cycle_require_phase
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle, open_votes_count  # noqa: F401 - fixture
from tests.factories import ProposalFactory, VoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def test_without_a_cycle_every_action_is_allowed():
    assert cycle_current() is None
    for action in ("submit", "edit", "vote"):
        assert cycle_require_phase(action=action) is None


@pytest.mark.parametrize(
    ("phase", "allowed", "refused"),
    [
        ("submission", {"submit", "edit"}, {"vote": VotingClosedPhase}),
        ("review", {"edit"}, {"submit": SubmissionClosed, "vote": VotingClosedPhase}),
        ("voting", {"vote"}, {"submit": SubmissionClosed, "edit": EditingClosed}),
        ("deliberation", set(), {"submit": SubmissionClosed, "edit": EditingClosed, "vote": VotingClosedPhase}),
        ("closed", set(), {"submit": SubmissionClosed, "edit": EditingClosed, "vote": VotingClosedPhase}),
    ],
)
def test_phase_gates_actions(phase, allowed, refused):
    cycle = make_cycle(phase=phase)
    assert cycle.current_phase == phase
    for action in allowed:
        assert cycle_require_phase(action=action) == cycle
    for action, error in refused.items():
        with pytest.raises(error) as caught:
            cycle_require_phase(action=action)
        assert caught.value.code in {"submission_closed", "editing_closed", "voting_closed_phase"}


def test_a_cycle_that_has_not_started_gates_nothing():
    make_cycle(phase="upcoming")
    assert cycle_current() is None
    assert cycle_require_phase(action="submit") is None


def test_the_latest_started_cycle_is_current():
    make_cycle(phase="closed", name="Musrenbang 2026")
    newer = make_cycle(phase="submission", name="Musrenbang 2027")
    assert cycle_current() == newer


def test_the_vote_gate_on_each_day_of_a_cycle_is_its_phase(resident):
    # Every day around a cycle's phase boundaries: voting is allowed exactly on Cycle.phase_on's voting days.
    cycle = make_cycle(phase="voting")
    boundaries = [getattr(cycle, field) for _phase, field in PHASE_STARTS]
    days = sorted({day + timedelta(days=delta) for day in boundaries for delta in (-1, 0, 1)})
    for day in days:
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            try:
                allowed = cycle_require_phase(action="vote")
            except VotingClosedPhase:
                allowed = False
        if day < cycle.submission_starts_on:
            assert allowed is None, day
        else:
            assert (allowed == cycle) == (cycle.phase_on(day) == "voting"), day


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        cycle_require_phase(action="delete")


def test_phases_out_of_order_are_refused_by_the_database():
    cycle = make_cycle(phase="voting")
    cycle.voting_starts_on = cycle.review_starts_on - timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        cycle.save()


def test_phase_dates_follow_each_other_without_gaps():
    cycle = make_cycle(phase="voting")
    phases = cycle.phase_dates()
    assert [p["phase"] for p in phases] == ["submission", "review", "voting", "deliberation", "closed"]
    for current, following in itertools.pairwise(phases):
        assert current["ends_on"] == following["starts_on"] - timedelta(days=1)
    assert phases[-1]["ends_on"] is None


def test_vote_budget_counts_only_the_cycles_votes(resident):
    old = make_cycle(phase="closed", name="Musrenbang 2026")
    new = make_cycle(phase="voting", name="Musrenbang 2027")
    VoteFactory(voter=resident, proposal=ProposalFactory(cycle=old))
    VoteFactory(voter=resident, proposal=ProposalFactory(cycle=new))
    VoteFactory(voter=resident, proposal=ProposalFactory(cycle=new))
    assert open_votes_count(voter=resident, cycle=new) == 2
    assert open_votes_count(voter=resident, cycle=old) == 1
    assert open_votes_count(voter=resident, cycle=None) == 3


def test_public_cycles_list_shows_current_phase(api):
    make_cycle(phase="review")
    body = api.get("/api/v1/planning/cycles/").json()
    assert body[0]["name"] == "Musrenbang 2027"
    assert body[0]["current_phase"] == "review"
    assert body[0]["phases"][0]["phase"] == "submission"
    assert body[0]["weights"]["support"] == 3.0
