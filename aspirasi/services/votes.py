"""Votes (dukungan): a resident supports a published proposal once, within a budget of open votes.

Counts stay exact under concurrency: the voter's row is locked so one resident's votes serialize (the
budget check and the insert are one step), the unique (proposal, voter) constraint refuses a double vote,
and `vote_count` only ever moves by one in the database (a conditional UPDATE), never from a value read.
"""

import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from aspirasi import public_list
from aspirasi.errors import ProposalNotFound, VoteBudgetExhausted, VotingClosed
from aspirasi.models import Cycle, Proposal, ProposalStatus, User, Vote
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.services.cycles import NOT_READ, NotRead, cycle_require_phase
from notifications import events
from notifications.services import notify_vote_milestone

logger = logging.getLogger(__name__)

# Live tallies are coalesced: at most one `vote.tally` per proposal per window (see below).
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


def _uses_budget(*, cycle_id: int | None, cycle: Cycle | None) -> int:
    """Whether a vote on a proposal of `cycle_id`, while it is published, is one of _open_votes (1 or 0)."""
    return int(cycle is None or cycle_id == cycle.pk)


def votes_open_count(*, voter: User, cycle: Cycle | None = None) -> int:
    return _open_votes(voter=voter, cycle=cycle).count()


# --- Casting and withdrawing ------------------------------------------------------------------------------
#
# A vote is the hot path of a voting week. On PostgreSQL it is one call of the function `aspirasi_vote`
# (migration 0008): lock the voter, read the ballot, check, write, all in one round trip and one commit;
# building the same statements through the ORM cost more CPU than running them. Elsewhere (SQLite, the
# embedded default) `_vote_in_steps` runs the same rules statement by statement. Both give an `_Outcome`, and
# the whole test suite runs against both (.ci/run): a rule changed here is changed in a new migration too.


@dataclass(frozen=True)
class _Outcome:
    outcome: str  # one of the constants below
    vote_count: int | None = None
    open_votes: int | None = None  # the voter's votes using the budget, after this one
    author_id: int | None = None
    title: str = ""


NOT_FOUND, CLOSED, BUDGET = "not_found", "closed", "budget"  # refusals
UNCHANGED, CAST, WITHDRAWN = "unchanged", "cast", "withdrawn"


def _vote(*, proposal_id: int, voter: User, cast: bool, cycle: Cycle | None) -> _Outcome:
    if connection.vendor == "postgresql":
        return _vote_in_database(proposal_id=proposal_id, voter=voter, cast=cast, cycle=cycle)
    return _vote_in_steps(proposal_id=proposal_id, voter=voter, cast=cast, cycle=cycle)


def _vote_in_database(*, proposal_id: int, voter: User, cast: bool, cycle: Cycle | None) -> _Outcome:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM aspirasi_vote(%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                proposal_id,
                voter.pk,
                cast,
                cycle.pk if cycle else None,
                settings.VOTE_BUDGET,
                ProposalStatus.PUBLISHED.value,
                [status.value for status in PUBLIC_STATUSES],
                public_list.tally_shard(proposal_id),
            ],
        )
        return _Outcome(*cursor.fetchone())


_VOTE, _PROPOSAL = Vote._meta.db_table, Proposal._meta.db_table
_PUBLIC = ", ".join(["%s"] * len(PUBLIC_STATUSES))


def _ballot_sql(in_cycle: str) -> str:
    return f"""
SELECT p.title, p.author_id, p.cycle_id, p.status, p.is_hidden, p.vote_count,
       (p.status IN ({_PUBLIC}) AND NOT p.is_hidden) OR p.author_id = %s AS visible,
       EXISTS (SELECT 1 FROM {_VOTE} v WHERE v.proposal_id = p.id AND v.voter_id = %s) AS voted,
       (SELECT COUNT(*) FROM {_VOTE} v INNER JOIN {_PROPOSAL} q ON q.id = v.proposal_id
         WHERE v.voter_id = %s AND q.status = %s{in_cycle}) AS open_votes
FROM {_PROPOSAL} p
WHERE p.id = %s"""  # noqa: S608 - table names from _meta, values as parameters


_BALLOT, _BALLOT_IN_CYCLE = _ballot_sql(""), _ballot_sql(" AND q.cycle_id = %s")
_INSERT_VOTE = (
    f"INSERT INTO {_VOTE} (proposal_id, voter_id, created_at) VALUES (%s, %s, %s) "  # noqa: S608
    "ON CONFLICT (proposal_id, voter_id) DO NOTHING RETURNING id"
)
_DELETE_VOTE = f"DELETE FROM {_VOTE} WHERE proposal_id = %s AND voter_id = %s RETURNING id"  # noqa: S608
# Conditional: a moderator closing or hiding the proposal meanwhile makes this 0 rows (the cast rolls back).
_COUNT_UP = (
    f"UPDATE {_PROPOSAL} SET vote_count = vote_count + 1 "  # noqa: S608
    "WHERE id = %s AND status = %s AND NOT is_hidden RETURNING vote_count"
)
_COUNT_DOWN = f"UPDATE {_PROPOSAL} SET vote_count = vote_count - 1 WHERE id = %s RETURNING vote_count"  # noqa: S608


def _execute(sql: str, params: list) -> tuple | None:
    """Run one of the statements above; its first row (None when it touched nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@transaction.atomic
def _vote_in_steps(*, proposal_id: int, voter: User, cast: bool, cycle: Cycle | None) -> _Outcome:
    """aspirasi_vote, statement by statement: the rules read top to bottom."""
    # Serializes this resident's votes: two concurrent casts cannot both pass the budget check. A statement
    # of its own: one that waited for the lock would read with the snapshot it started with.
    User.objects.select_for_update().filter(pk=voter.pk).values_list("pk", flat=True).get()
    # The ballot: may the voter see the proposal (a resident's view of selectors.proposals_visible_to), have
    # they voted here, how many of their votes use the budget (_open_votes).
    sql, params = _BALLOT, [*PUBLIC_STATUSES, voter.pk, voter.pk, voter.pk, ProposalStatus.PUBLISHED]
    if cycle is not None:
        sql, params = _BALLOT_IN_CYCLE, [*params, cycle.pk]
    row = _execute(sql, [*params, proposal_id])
    if row is None or not row[6]:
        return _Outcome(NOT_FOUND)
    title, author_id, cycle_id, status, is_hidden, vote_count, _visible, voted, open_votes = row
    found = functools.partial(_Outcome, author_id=author_id, title=title)
    uses_budget = _uses_budget(cycle_id=cycle_id, cycle=cycle)
    if bool(voted) == cast:
        return found(UNCHANGED, vote_count, open_votes)  # a repeated cast, or a withdrawal with no vote
    if cast:
        if status != ProposalStatus.PUBLISHED or is_hidden:
            return found(CLOSED, vote_count, open_votes)
        if open_votes >= settings.VOTE_BUDGET:
            return found(BUDGET, vote_count, open_votes)
        # The unique constraint is the last word on "once" (a merge may have moved this voter's vote here).
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        if _execute(_INSERT_VOTE, [proposal_id, voter.pk, now]) is None:
            return found(UNCHANGED, vote_count, open_votes + uses_budget)
        counted = _execute(_COUNT_UP, [proposal_id, ProposalStatus.PUBLISHED])
        if counted is None:
            raise VotingClosed()  # closed meanwhile: the atomic block rolls the vote back
        public_list.move_tallies(proposal_id)
        return found(CAST, counted[0], open_votes + uses_budget)
    if status != ProposalStatus.PUBLISHED:
        return found(CLOSED, vote_count, open_votes)
    # The voter's lock keeps their vote; only deleting the proposal (cascading) can take it meanwhile.
    if _execute(_DELETE_VOTE, [proposal_id, voter.pk]) is None:
        return _Outcome(NOT_FOUND)
    (vote_count,) = _execute(_COUNT_DOWN, [proposal_id])
    public_list.move_tallies(proposal_id)
    return found(WITHDRAWN, vote_count, open_votes - uses_budget)


_REFUSALS = {NOT_FOUND: ProposalNotFound, CLOSED: VotingClosed, BUDGET: VoteBudgetExhausted}


def _state(proposal_id: int, result: _Outcome, *, has_voted: bool) -> VoteState:
    if result.outcome in _REFUSALS:
        raise _REFUSALS[result.outcome]()
    return VoteState(
        proposal_id=proposal_id,
        vote_count=result.vote_count,
        has_voted=has_voted,
        votes_remaining=max(0, settings.VOTE_BUDGET - result.open_votes),
        created=result.outcome == CAST,
    )


def vote_cast(*, proposal_id: int, voter: User, cycle: Cycle | NotRead | None = NOT_READ) -> VoteState:
    """Record `voter`'s support once (a repeat is a no-op). Raises ProposalNotFound (not visible to the
    voter), VotingClosed, VoteBudgetExhausted, VotingClosedPhase. Publishes a coalesced `vote.tally` after
    commit and notifies the author at a milestone. `cycle`: the current cycle, when the caller read it."""
    cycle = cycle_require_phase(action="vote", current=cycle)
    result = _vote(proposal_id=proposal_id, voter=voter, cast=True, cycle=cycle)
    state = _state(proposal_id, result, has_voted=True)
    if result.outcome == CAST:
        vote_tally_publish(proposal_id=proposal_id)
        notify_vote_milestone(
            proposal_id=proposal_id, author_id=result.author_id, title=result.title, vote_count=result.vote_count
        )
    return state


def vote_withdraw(*, proposal_id: int, voter: User, cycle: Cycle | NotRead | None = NOT_READ) -> VoteState:
    """Withdraw `voter`'s vote (no vote: a no-op). Raises ProposalNotFound, VotingClosed once the proposal
    has left `published`, VotingClosedPhase outside the cycle's voting phase. Publishes a coalesced
    `vote.tally`."""
    cycle = cycle_require_phase(action="vote", current=cycle)
    result = _vote(proposal_id=proposal_id, voter=voter, cast=False, cycle=cycle)
    state = _state(proposal_id, result, has_voted=False)
    if result.outcome == WITHDRAWN:
        vote_tally_publish(proposal_id=proposal_id)
    return state


# --- Live tally, coalesced ------------------------------------------------------------------------------
#
# At most one `vote.tally` per proposal per window, however many votes arrive (issue #3), and the last count
# always arrives. A vote only adds its proposal to this process's set of changed ones: no round trip. One
# daemon thread per process publishes the set in rounds: the first change after a quiet window at once,
# later ones together at the window's end. A round claims its proposals' windows in the shared cache (one
# round trip for all of them, so two processes never both send one proposal in a window), reads their
# committed counts in one query and sends; a proposal another process holds waits for this process's next
# round, so a vote counted here after that process read its count is still sent. (A coalescing key per vote,
# and a thread and a query per trailing send, had cost more CPU than the vote's own statements.)


class _TallySender:
    """The proposals whose count changed in this process, and the thread that publishes them in rounds.
    `send(proposal_ids)` publishes what it can and returns the ids to try again in the next round."""

    def __init__(self, *, window: float, send: Callable[[list[int]], list[int]]):
        self.window, self._send = window, send
        self._changed: set[int] = set()
        self._ready = threading.Condition()
        self._pid: int | None = None

    def mark(self, proposal_id: int) -> None:
        self._mark([proposal_id])

    def _mark(self, proposal_ids) -> None:
        with self._ready:
            if self._pid != os.getpid():  # first change in this (possibly forked) process
                threading.Thread(target=self._send_forever, name="vote-tally", daemon=True).start()
                self._pid = os.getpid()
            self._changed.update(proposal_ids)
            self._ready.notify()

    def _send_forever(self) -> None:
        last_round = -self.window
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._changed)
            time.sleep(max(0.0, last_round + self.window - time.monotonic()))  # the first change: at once
            last_round = time.monotonic()
            with self._ready:  # what changed until now, the waiting included
                proposal_ids, self._changed = sorted(self._changed), set()
            try:
                # As around a request: a connection past CONN_MAX_AGE or broken (a database restart) is replaced.
                close_old_connections()
                again = self._send(proposal_ids)
            except Exception:  # the thread outlives any one round; the round is tried again
                logger.warning("live vote tallies not sent", exc_info=True)
                again = proposal_ids
            if again:
                self._mark(again)


def _claim_windows(proposal_ids: list[int]) -> list[int]:
    """The ids whose tally window this process takes now: shared by every process through the cache."""
    keys = [f"vote-tally:{proposal_id}" for proposal_id in proposal_ids]
    client = getattr(getattr(cache, "client", None), "get_client", None)
    if client is None:  # a cache without pipelines (locmem by default): one add per proposal
        return [pid for pid, key in zip(proposal_ids, keys, strict=True) if cache.add(key, 1, TALLY_WINDOW_SECONDS)]
    # django-redis: all of them in one round trip (SET NX PX is what its cache.add sends, one at a time).
    pipeline = client(write=True).pipeline(transaction=False)
    for key in keys:
        pipeline.set(cache.make_and_validate_key(key), 1, nx=True, px=int(TALLY_WINDOW_SECONDS * 1000))
    return [pid for pid, won in zip(proposal_ids, pipeline.execute(), strict=True) if won]


def vote_tally_send(proposal_ids: list[int]) -> list[int]:
    """Publish `vote.tally` with the committed count of those of `proposal_ids` whose window this process
    could claim (one query); returns the others, for the next round."""
    claimed = _claim_windows(proposal_ids)
    rows = Proposal.objects.filter(pk__in=claimed).values_list("pk", "kelurahan_id", "vote_count")
    for proposal_id, kelurahan_id, vote_count in rows:
        events.publish(
            events.VOTE_TALLY,
            groups=events.moderation_groups(kelurahan_id),
            payload={"proposal_id": proposal_id, "kelurahan_id": kelurahan_id, "vote_count": vote_count},
        )
    return sorted(set(proposal_ids) - set(claimed))


_tallies = _TallySender(window=TALLY_WINDOW_SECONDS, send=vote_tally_send)


def vote_tally_publish(*, proposal_id: int) -> None:
    """After commit, have this process's sender publish `vote.tally` for `proposal_id` (coalesced)."""
    transaction.on_commit(lambda: _tallies.mark(proposal_id))
