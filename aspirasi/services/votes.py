"""Votes (dukungan): a resident supports a published proposal once, within a budget of open votes.

Counts stay exact under concurrency: the voter's row is locked so one resident's votes serialize (the
budget check and the insert are one step), the unique (proposal, voter) constraint refuses a double vote,
and `vote_count` only ever moves with F() in a conditional UPDATE.
"""

import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from aspirasi import public_list
from aspirasi.errors import VoteBudgetExhausted, VotingClosed
from aspirasi.models import Cycle, Proposal, ProposalStatus, User, Vote
from aspirasi.services.cycles import cycle_require_phase
from notifications import events
from notifications.services import notify_vote_milestone

logger = logging.getLogger(__name__)

# Live tallies are coalesced: at most one `vote.tally` per proposal per window, and the last count arrives.
TALLY_WINDOW_SECONDS = 1.0


@dataclass(frozen=True)
class VoteState:
    proposal_id: int
    vote_count: int
    has_voted: bool
    votes_remaining: int
    created: bool = False


def _open_votes(*, voter: User, cycle: Cycle | None) -> QuerySet[Vote]:
    """Votes of `voter` that still use the budget: on proposals still published, of `cycle` when there is
    one (each Musrenbang cycle gives a resident a fresh budget)."""
    votes = Vote.objects.filter(voter=voter, proposal__status=ProposalStatus.PUBLISHED)
    if cycle is not None:
        votes = votes.filter(proposal__cycle=cycle)
    return votes


def _uses_budget(*, proposal: Proposal, cycle: Cycle | None) -> bool:
    """Whether a vote on `proposal`, while it is published, is one of _open_votes: the same cycle rule."""
    return cycle is None or proposal.cycle_id == cycle.pk


def votes_open_count(*, voter: User, cycle: Cycle | None = None) -> int:
    return _open_votes(voter=voter, cycle=cycle).count()


@dataclass(frozen=True)
class _Ballot:
    voted: bool
    status: str
    is_hidden: bool
    open_votes: int

    @property
    def votable(self) -> bool:
        return self.status == ProposalStatus.PUBLISHED and not self.is_hidden


def _ballot(*, proposal_id: int, voter: User, cycle: Cycle | None) -> _Ballot:
    """What decides a cast, read in one statement (under the voter's lock): has the voter voted here, may
    the proposal still be voted for, and how many of the voter's votes use the budget."""
    open_votes = _open_votes(voter=voter, cycle=cycle).order_by().values("voter").annotate(n=Count("pk"))
    row = (
        Proposal.objects.filter(pk=proposal_id)
        .values("status", "is_hidden")
        .annotate(
            voted=Exists(Vote.objects.filter(proposal=OuterRef("pk"), voter=voter)),
            open_votes=Coalesce(Subquery(open_votes.values("n"), output_field=IntegerField()), 0),
        )
        .get()
    )
    return _Ballot(**row)


def vote_state(*, proposal: Proposal, voter: User, cycle: Cycle | None, created: bool = False) -> VoteState:
    """The caller's view of their vote on `proposal` (budget counted in `cycle`), read fresh from the database."""
    return VoteState(
        proposal_id=proposal.pk,
        vote_count=_vote_count(proposal.pk),
        has_voted=Vote.objects.filter(proposal=proposal, voter=voter).exists(),
        votes_remaining=max(0, settings.VOTE_BUDGET - votes_open_count(voter=voter, cycle=cycle)),
        created=created,
    )


def _vote_count(proposal_id: int) -> int:
    return Proposal.objects.filter(pk=proposal_id).values_list("vote_count", flat=True).get()


def _lock_voter(voter: User) -> None:
    # Serializes this resident's votes: two concurrent casts cannot both pass the budget check.
    User.objects.select_for_update().filter(pk=voter.pk).values_list("pk", flat=True).get()


def _votable(proposal_id: int):
    return Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.PUBLISHED, is_hidden=False)


@transaction.atomic
def vote_cast(*, proposal: Proposal, voter: User) -> VoteState:
    """Record `voter`'s support once (a repeat is a no-op). Raises VotingClosed, VoteBudgetExhausted.
    Publishes a coalesced `vote.tally` after commit and notifies the author at a milestone."""
    cycle = cycle_require_phase(action="vote")
    _lock_voter(voter)
    ballot = _ballot(proposal_id=proposal.pk, voter=voter, cycle=cycle)
    if ballot.voted:
        return vote_state(proposal=proposal, voter=voter, cycle=cycle)
    if not ballot.votable:
        raise VotingClosed()
    open_votes = ballot.open_votes
    if open_votes >= settings.VOTE_BUDGET:
        raise VoteBudgetExhausted()
    try:
        with transaction.atomic():
            Vote.objects.create(proposal=proposal, voter=voter)
    except IntegrityError:  # the constraint is the last word on "once"
        return vote_state(proposal=proposal, voter=voter, cycle=cycle)
    # Conditional: a moderator closing the proposal meanwhile makes this 0 rows, and the insert rolls back.
    if not _votable(proposal.pk).update(vote_count=F("vote_count") + 1):
        raise VotingClosed()
    public_list.mark_tallies_changed()
    # The voter's row lock keeps their budget as counted above; only the tally is read again.
    state = VoteState(
        proposal_id=proposal.pk,
        vote_count=_vote_count(proposal.pk),
        has_voted=True,
        votes_remaining=max(0, settings.VOTE_BUDGET - open_votes - _uses_budget(proposal=proposal, cycle=cycle)),
        created=True,
    )
    vote_tally_publish(proposal_id=proposal.pk, kelurahan_id=proposal.kelurahan_id, vote_count=state.vote_count)
    notify_vote_milestone(proposal=proposal, vote_count=state.vote_count)
    return state


@transaction.atomic
def vote_withdraw(*, proposal: Proposal, voter: User) -> VoteState:
    """Withdraw `voter`'s vote (no vote: a no-op). Raises VotingClosed once the proposal has left
    `published`, VotingClosedPhase outside the cycle's voting phase. Publishes a coalesced `vote.tally`."""
    cycle = cycle_require_phase(action="vote")
    _lock_voter(voter)
    ballot = _ballot(proposal_id=proposal.pk, voter=voter, cycle=cycle)
    if not ballot.voted:
        return vote_state(proposal=proposal, voter=voter, cycle=cycle)
    if ballot.status != ProposalStatus.PUBLISHED:
        raise VotingClosed()
    deleted, _ = Vote.objects.filter(proposal=proposal, voter=voter).delete()
    if deleted:
        Proposal.objects.filter(pk=proposal.pk).update(vote_count=F("vote_count") - 1)
        public_list.mark_tallies_changed()
    # As in vote_cast: the budget counted under the voter's lock, less the vote just withdrawn.
    counted_in_budget = bool(deleted) and _uses_budget(proposal=proposal, cycle=cycle)
    state = VoteState(
        proposal_id=proposal.pk,
        vote_count=_vote_count(proposal.pk),
        has_voted=False,
        votes_remaining=max(0, settings.VOTE_BUDGET - ballot.open_votes + counted_in_budget),
    )
    vote_tally_publish(proposal_id=proposal.pk, kelurahan_id=proposal.kelurahan_id, vote_count=state.vote_count)
    return state


# --- Live tally, coalesced ------------------------------------------------------------------------------


def _tally_key(proposal_id: int, edge: str) -> str:
    return f"vote-tally:{edge}:{proposal_id}"


def _tally_payload(proposal_id: int, kelurahan_id: int, vote_count: int) -> dict:
    return {"proposal_id": proposal_id, "kelurahan_id": kelurahan_id, "vote_count": vote_count}


def vote_tally_publish(*, proposal_id: int, kelurahan_id: int, vote_count: int) -> None:
    """Publish `vote.tally` after commit, at most once per proposal per window: the first change of a window
    goes at once (leading edge); later ones schedule a single trailing send that reads the fresh count."""
    if cache.add(_tally_key(proposal_id, "leading"), 1, timeout=TALLY_WINDOW_SECONDS):
        events.publish(
            events.VOTE_TALLY,
            groups=events.moderation_groups(kelurahan_id),
            payload=_tally_payload(proposal_id, kelurahan_id, vote_count),
        )
    elif cache.add(_tally_key(proposal_id, "trailing"), 1, timeout=TALLY_WINDOW_SECONDS):
        transaction.on_commit(lambda: _schedule_trailing(proposal_id))


def _schedule_trailing(proposal_id: int) -> None:
    timer = threading.Timer(TALLY_WINDOW_SECONDS, _send_trailing_in_thread, args=(proposal_id,))
    timer.daemon = True
    timer.start()


def _send_trailing_in_thread(proposal_id: int) -> None:
    try:
        vote_tally_send_trailing(proposal_id=proposal_id)
    finally:
        connection.close()  # the timer's thread-local connection goes back (to the pool)


def vote_tally_send_trailing(*, proposal_id: int) -> None:
    """The trailing send of a window: read the committed count and publish it; it opens the next window so
    a vote right after it waits rather than sending a second message within the same second."""
    try:
        # Open the next window before reading, and free the trailing slot: a vote committed after the read
        # schedules the next trailing send, so the last count always arrives.
        cache.set(_tally_key(proposal_id, "leading"), 1, timeout=TALLY_WINDOW_SECONDS)
        cache.delete(_tally_key(proposal_id, "trailing"))
        row = Proposal.objects.filter(pk=proposal_id).values("kelurahan_id", "vote_count").first()
        if row is None:
            return
        events.publish(
            events.VOTE_TALLY,
            groups=events.moderation_groups(row["kelurahan_id"]),
            payload=_tally_payload(proposal_id, row["kelurahan_id"], row["vote_count"]),
        )
    except Exception:
        logger.warning("trailing vote tally for proposal %s failed", proposal_id, exc_info=True)
