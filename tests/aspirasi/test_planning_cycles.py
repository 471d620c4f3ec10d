import itertools
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from aspirasi.api.authentication import _user_by_id
from aspirasi.errors import EditingClosed, SubmissionClosed, VotingClosedPhase
from aspirasi.models.planning import PHASE_STARTS
from aspirasi.services.cycles import current_cycle_columns, cycle_current, cycle_from_columns, cycle_require_phase
from aspirasi.services.votes import votes_open_count
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
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


def _read_along(user):
    """The current cycle as the vote's hot path reads it: in the caller's statement (api/authentication.py)."""
    _user, values = _user_by_id(user.pk, also=current_cycle_columns())
    return cycle_from_columns(values)


@pytest.mark.parametrize("phase", ["upcoming", "submission", "voting", "closed"])
def test_the_current_cycle_read_along_with_the_caller_is_cycle_current(phase, resident):
    make_cycle(phase="closed", name="Musrenbang 2026")
    make_cycle(phase=phase, name="Musrenbang 2027")
    current, read_along = cycle_current(), _read_along(resident)
    assert read_along == current
    assert read_along.current_phase == current.current_phase  # its dates arrive as dates, on any database
    for _phase, field in PHASE_STARTS:
        assert getattr(read_along, field) == getattr(current, field)
    if phase == "voting":
        assert cycle_require_phase(action="vote", current=read_along) == read_along
    else:
        with pytest.raises(VotingClosedPhase):
            cycle_require_phase(action="vote", current=read_along)


def test_no_cycle_read_along_is_none(resident):
    assert _read_along(resident) is None
    assert cycle_require_phase(action="vote", current=None) is None


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
    assert votes_open_count(voter=resident, cycle=new) == 2
    assert votes_open_count(voter=resident, cycle=old) == 1
    assert votes_open_count(voter=resident, cycle=None) == 3


def test_public_cycles_list_shows_current_phase(api):
    make_cycle(phase="review")
    body = api.get("/api/v1/planning/cycles/").json()
    assert body[0]["name"] == "Musrenbang 2027"
    assert body[0]["current_phase"] == "review"
    assert body[0]["phases"][0]["phase"] == "submission"
    assert body[0]["weights"]["support"] == 3.0
