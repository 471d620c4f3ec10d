"""Votes (dukungan): a resident supports a published proposal once, within a budget of open votes.

Counts stay exact under concurrency: the voter's row is locked so one resident's votes serialize (the
budget check and the insert are one step), the proposal's row is locked by the ballot's read so the count
read there is the one the vote moves, the unique (proposal, voter) constraint refuses a double vote, and
`vote_count` only ever moves by one in the database (a conditional UPDATE), never from a value read.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aspirasi import pending_ids, policies, signals
from aspirasi.errors import (
    CallerInactive,
    CallerNotFound,
    NotAResident,
    PhoneNotVerified,
    ProposalNotFound,
    VoteBudgetExhausted,
    VoteOutOfScope,
    VotingClosed,
)
from aspirasi.models import Cycle, Proposal, ProposalStatus, User, Vote, VoteScope
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.services.cycles import cycle_require_phase, cycles_version
from realtime import events

# Live tallies are coalesced: at most one `vote.tally` per proposal per window (see below).
TALLY_WINDOW_SECONDS = 1.0


@dataclass(frozen=True)
class VoteState:
    proposal_id: int
    vote_count: int
    has_voted: bool
    votes_remaining: int
    created: bool = False


def _uses_budget(*, status: str, cycle_id: int | None, cycle: Cycle | None) -> bool:
    """Whether a vote still uses the budget: its proposal is still published and, when there is a current
    cycle, of that cycle (each Musrenbang cycle gives a resident a fresh budget)."""
    return status == ProposalStatus.PUBLISHED and (cycle is None or cycle_id == cycle.pk)


# --- Who may vote, on what --------------------------------------------------------------------------------
#
# The rules of a vote, in the order a refusal is told: who votes (an active, verified resident), the cycle's
# phase, the proposal (visible to the voter), where the voter lives (the cycle's vote scope), then the
# ballot (once, while published, within the budget). They run under the voter's row lock, so one resident's
# votes serialize and the budget check and the vote are one step.


# The vote's querysets, built once and cloned by each vote (as a view's `queryset`): a clone keeps the joins,
# annotations and columns already resolved, a third of the voter's read in Python.
# The voter with their kelurahan's kecamatan (the vote scope) and the cycles' version (the current cycle),
# in one statement; only the user's row is locked, FOR NO KEY UPDATE (what an UPDATE of the row would take):
# another of their votes waits, a row that merely references them (a comment, a notification) does not.
_VOTERS = (
    User.objects.select_for_update(of=("self",), no_key=True)
    .only("role", "is_active", "phone_verified_at", "kelurahan_id")
    .annotate(kecamatan_id=F("kelurahan__kecamatan_id"), cycles_version=cycles_version())
)
# Only the proposal's row is locked, as the voter's: its kelurahan (a join, when the scope needs its kecamatan)
# is only read.
_PROPOSALS = Proposal.objects.select_for_update(of=("self",), no_key=True).only(
    "title", "author_id", "cycle_id", "kelurahan_id", "status", "is_hidden", "vote_count"
)
_PROPOSALS_WITH_KECAMATAN = _PROPOSALS.annotate(kecamatan_id=F("kelurahan__kecamatan_id"))
_VOTES = Vote.objects.values_list("proposal_id", "proposal__status", "proposal__cycle_id")
_COUNTED = Proposal.objects.filter(status=ProposalStatus.PUBLISHED, is_hidden=False)  # open to votes


def _voter_locked(voter_id: int) -> User:
    """The voter, locked for this transaction, with their kelurahan's `kecamatan_id` (for the vote scope)
    and the cycles' version (`cycles_version`, for the current cycle); raises unless they may vote at all."""
    # A statement of its own: one that waited for the lock would read with the snapshot it started with.
    # get(), not first(): no ORDER BY to build for one row by its key.
    try:
        voter = _VOTERS.get(pk=voter_id)
    except User.DoesNotExist:
        raise CallerNotFound() from None  # deleted since the token was issued
    if not voter.is_active:
        raise CallerInactive()
    if not policies.is_resident(voter):
        raise NotAResident()
    # Read under the lock, like the role: a token issued before the phone was verified (or after it was
    # reset) obeys what the account says now.
    if not policies.is_verified_resident(voter):
        raise PhoneNotVerified()
    return voter


def _may_vote_in(*, voter: User, proposal: Proposal, cycle: Cycle | None) -> bool:
    """The cycle's vote scope: in a `city` cycle (and with no cycle) anyone's vote counts everywhere; in a
    `kecamatan` or `kelurahan` cycle only residents of the proposal's kecamatan or kelurahan."""
    scope = cycle.vote_scope if cycle is not None else VoteScope.CITY
    if scope == VoteScope.KELURAHAN:
        return voter.kelurahan_id is not None and voter.kelurahan_id == proposal.kelurahan_id
    if scope == VoteScope.KECAMATAN:
        return voter.kecamatan_id is not None and voter.kecamatan_id == proposal.kecamatan_id
    return True


@dataclass(frozen=True)
class _Ballot:
    proposal: Proposal  # title, author, cycle, kelurahan (and its kecamatan if the scope asks), status, etc.
    voted: bool  # the voter's vote on it is there
    open_votes: int  # the voter's votes using the budget, before this one
    uses_budget: int  # 1 when a vote on this proposal is one of those, else 0


def _proposal_locked(*, proposal_id: int, voter: User, cycle: Cycle | None) -> Proposal:
    """The proposal as the voter may see it, its row locked until the vote commits: its status and count
    cannot change meanwhile, so the count after the vote is this one moved by one (no read back), and a
    moderator's decision or a merge onto it waits for the vote, or the vote for it."""
    scoped = cycle is not None and cycle.vote_scope == VoteScope.KECAMATAN
    proposals = _PROPOSALS_WITH_KECAMATAN if scoped else _PROPOSALS
    try:
        proposal = proposals.get(pk=proposal_id)
    except Proposal.DoesNotExist:
        raise ProposalNotFound() from None
    # Who may see it, as proposals_visible_to says for a resident: the public ones and their own. Checked on
    # the row rather than in the statement's WHERE (the same rule, a third of the statement's cost to build).
    if not (proposal.author_id == voter.pk or (proposal.status in PUBLIC_STATUSES and not proposal.is_hidden)):
        raise ProposalNotFound()
    return proposal


def _votes_of(voter_id: int):
    """(proposal_id, status, cycle_id) of each of the voter's votes."""
    return _VOTES.filter(voter_id=voter_id)


def _ballot(*, proposal_id: int, voter: User, cycle: Cycle | None) -> _Ballot:
    """What the vote decides on: the proposal (locked), whether the voter's vote on it is there and how many
    of their votes use the budget. The voter's votes are read after both locks: their own votes wait on the
    voter's, a merge moving votes onto the proposal on the proposal's, so the read is what the vote changes."""
    proposal = _proposal_locked(proposal_id=proposal_id, voter=voter, cycle=cycle)
    # Every vote of the voter with its proposal's status and cycle, the rule applied here: a count of the
    # open ones in SQL (status = 'published' a parameter) got a prepared plan that scanned every published
    # proposal; this read's plan is the voter's index, whatever the values (docs/benchmarks.md).
    voted, open_votes = False, 0
    for voted_on, status, cycle_id in _votes_of(voter.pk):
        voted = voted or voted_on == proposal.pk
        open_votes += _uses_budget(status=status, cycle_id=cycle_id, cycle=cycle)
    # Whether this vote is one of them once cast (the vote needs the proposal published, so its status counts).
    uses_budget = int(_uses_budget(status=proposal.status, cycle_id=proposal.cycle_id, cycle=cycle))
    return _Ballot(proposal=proposal, voted=voted, open_votes=open_votes, uses_budget=uses_budget)


def _state(ballot: _Ballot, *, vote_count: int, has_voted: bool, open_votes: int, created: bool = False) -> VoteState:
    return VoteState(
        proposal_id=ballot.proposal.pk,
        vote_count=vote_count,
        has_voted=has_voted,
        votes_remaining=max(0, settings.VOTE_BUDGET - open_votes),
        created=created,
    )


@transaction.atomic
def vote_cast(*, proposal_id: int, voter_id: int) -> VoteState:
    """Record the support of the user `voter_id` once (a repeat is a no-op). Only an active, verified
    resident votes: raises NotAResident, PhoneNotVerified, CallerNotFound or CallerInactive (the account is
    read here, under its lock), then VotingClosedPhase, ProposalNotFound (not visible to the voter),
    VoteOutOfScope (the cycle's vote scope), VotingClosed, VoteBudgetExhausted.
    Publishes a coalesced `vote.tally` after commit and notifies the author at a milestone."""
    voter = _voter_locked(voter_id)
    cycle = cycle_require_phase(action="vote", version=voter.cycles_version)
    ballot = _ballot(proposal_id=proposal_id, voter=voter, cycle=cycle)
    proposal = ballot.proposal
    if not _may_vote_in(voter=voter, proposal=proposal, cycle=cycle):
        raise VoteOutOfScope()
    # A repeat answers as one before anything else is refused (a repeat on a closed proposal, or at the
    # budget's end, too). The unique constraint stays the backstop: a writer that took neither lock fails
    # this vote's insert instead of counting twice.
    if ballot.voted:
        return _state(ballot, vote_count=proposal.vote_count, has_voted=True, open_votes=ballot.open_votes)
    Vote.objects.create(proposal_id=proposal_id, voter_id=voter.pk)
    # A refusal from here on rolls the new vote back with the transaction.
    if proposal.status != ProposalStatus.PUBLISHED or proposal.is_hidden:
        raise VotingClosed()
    if ballot.open_votes >= settings.VOTE_BUDGET:
        raise VoteBudgetExhausted()
    # Conditional all the same: the count moves only on a proposal open to votes, whatever was read before.
    if not _COUNTED.filter(pk=proposal_id).update(vote_count=F("vote_count") + 1):
        raise VotingClosed()
    vote_count = proposal.vote_count + 1  # the row is locked since the ballot read it: no read back
    vote_tally_publish(proposal_id=proposal_id)
    signals.vote_counted.send(
        sender=Vote, proposal_id=proposal_id, author_id=proposal.author_id, title=proposal.title, vote_count=vote_count
    )
    open_votes = ballot.open_votes + ballot.uses_budget
    return _state(ballot, vote_count=vote_count, has_voted=True, open_votes=open_votes, created=True)


@transaction.atomic
def vote_withdraw(*, proposal_id: int, voter_id: int) -> VoteState:
    """Withdraw the vote of the user `voter_id` (no vote: a no-op). Raises what vote_cast raises for the
    voter and the phase, ProposalNotFound, VotingClosed once the proposal has left `published`; not the
    vote scope (taking back support is always allowed, say after the scope changed). Publishes a coalesced
    `vote.tally`."""
    voter = _voter_locked(voter_id)
    cycle = cycle_require_phase(action="vote", version=voter.cycles_version)
    ballot = _ballot(proposal_id=proposal_id, voter=voter, cycle=cycle)
    if not ballot.voted:
        return _state(ballot, vote_count=ballot.proposal.vote_count, has_voted=False, open_votes=ballot.open_votes)
    if ballot.proposal.status != ProposalStatus.PUBLISHED:
        raise VotingClosed()
    Vote.objects.filter(proposal_id=proposal_id, voter_id=voter.pk).delete()
    Proposal.objects.filter(pk=proposal_id).update(vote_count=F("vote_count") - 1)
    vote_tally_publish(proposal_id=proposal_id)
    open_votes = ballot.open_votes - ballot.uses_budget
    return _state(ballot, vote_count=ballot.proposal.vote_count - 1, has_voted=False, open_votes=open_votes)


# --- Live tally, coalesced ------------------------------------------------------------------------------
#
# At most one `vote.tally` per proposal per window, however many votes arrive, and the last count always
# arrives. Rounds, shared by every process: a vote adds its proposal to the round's pending set, and the
# first vote of a window takes the window's key in the shared cache and schedules one send, by the task
# worker, for the window's end; the send takes every pending proposal and reads the counts committed by
# then. One queued task per window for all proposals together, not one per proposal.

_PENDING = "vote-tally:pending"
_ROUND = "vote-tally:round"


def vote_tally_send(*, proposal_ids: list[int]) -> None:
    """Publish `vote.tally` with the committed count of each of `proposal_ids` (one query)."""
    rows = Proposal.objects.filter(pk__in=proposal_ids).values_list("pk", "kelurahan_id", "vote_count")
    events.publish_each(
        events.VOTE_TALLY,
        [
            (
                events.moderation_groups(kelurahan_id),
                {"proposal_id": proposal_id, "kelurahan_id": kelurahan_id, "vote_count": vote_count},
            )
            for proposal_id, kelurahan_id, vote_count in rows
        ],
    )


def vote_tally_round_send() -> None:
    """Publish `vote.tally` for every proposal voted on since the last round (the round's end)."""
    proposal_ids = pending_ids.take(_PENDING)
    if proposal_ids:
        vote_tally_send(proposal_ids=proposal_ids)


def _tally_schedule(proposal_id: int) -> None:
    from aspirasi.tasks import vote_tally_round_send as round_task
    from aspirasi.tasks import vote_tally_send as task

    if not task.get_backend().supports_defer:  # a backend that runs tasks at once cannot wait: no coalescing
        task.enqueue(proposal_ids=[proposal_id])
        return
    if pending_ids.add(_PENDING, proposal_id, window=_ROUND, seconds=TALLY_WINDOW_SECONDS):
        # A little after the key expires: a vote that found the key still held has added its proposal by then.
        run_after = timezone.now() + timedelta(seconds=TALLY_WINDOW_SECONDS + 0.25)
        round_task.using(run_after=run_after).enqueue()


def vote_tally_publish(*, proposal_id: int) -> None:
    """After commit, have `vote.tally` for `proposal_id` published at the end of its window (coalesced)."""
    transaction.on_commit(lambda: _tally_schedule(proposal_id))
