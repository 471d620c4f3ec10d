"""Musrenbang cycles: which cycle is current and what its phase allows.

The proposal and vote services ask here before they write: `cycle_require_phase(action="submit")` in
the submit service, `"edit"` in the edit service, `"vote"` in vote cast and withdraw. With no cycle
defined (or none started yet) everything stays allowed, which is how the app behaved before cycles.
"""

import functools

from django.db import connection
from django.utils import timezone

from aspirasi.errors import EditingClosed, SubmissionClosed, VotingClosedPhase
from aspirasi.models import Cycle, Phase
from aspirasi.models.planning import PHASE_STARTS

# The phases in which each resident action is allowed while a cycle is current.
PHASE_ALLOWS: dict[str, frozenset[str]] = {
    "submit": frozenset({Phase.SUBMISSION}),
    "edit": frozenset({Phase.SUBMISSION, Phase.REVIEW}),
    "vote": frozenset({Phase.VOTING}),
}
_ERRORS = {"submit": SubmissionClosed, "edit": EditingClosed, "vote": VotingClosedPhase}


def cycle_current() -> Cycle | None:
    """The cycle that started most recently (today is on or after its submission date), or None.

    A closed cycle stays current until the next one starts, so nothing is submitted between cycles."""
    started = Cycle.objects.filter(submission_starts_on__lte=timezone.localdate())
    return started.order_by("-submission_starts_on", "-id").first()


def _require_known(action: str) -> None:
    if action not in PHASE_ALLOWS:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(PHASE_ALLOWS)}")


# The same rule as SQL, for a statement that decides in the database (the vote on PostgreSQL, one round trip:
# services/votes.py). Generated from PHASE_STARTS and PHASE_ALLOWS, so the rule stays defined here.
@functools.cache
def _current_cycle_gate(vendor: str, action: str) -> tuple[str, str, int]:
    table = connection.ops.quote_name(Cycle._meta.db_table)
    current = f"FROM {table} WHERE submission_starts_on <= %s ORDER BY submission_starts_on DESC, id DESC LIMIT 1"
    starts = [connection.ops.quote_name(field) for _phase, field in PHASE_STARTS]
    # The phase on a day is the last one (in PHASE_STARTS' order) that has started by then: Cycle.phase_on.
    in_phase = [
        " AND ".join([f"{starts[index]} <= %s", *(f"NOT ({later} <= %s)" for later in starts[index + 1 :])])
        for index, (phase, _field) in enumerate(PHASE_STARTS)
        if phase in PHASE_ALLOWS[action]
    ]
    allows = " OR ".join(f"({condition})" for condition in in_phase)
    cycle_sql, allows_sql = f"(SELECT id {current})", f"(SELECT {allows} {current})"
    return cycle_sql, allows_sql, cycle_sql.count("%s") + allows_sql.count("%s")


def current_cycle_gate_sql(action: str) -> tuple[str, str, list]:
    """cycle_require_phase(action=...) as two scalar subqueries: the current cycle's id (NULL: no cycle, all
    allowed) and whether its phase allows `action`; returns both and their parameters, in that order."""
    _require_known(action)
    cycle_sql, allows_sql, n_params = _current_cycle_gate(connection.vendor, action)
    today = connection.ops.adapt_datefield_value(timezone.localdate())  # every parameter is today
    return cycle_sql, allows_sql, [today] * n_params


def cycle_require_phase(*, action: str) -> Cycle | None:
    """Return the current cycle if its phase allows `action` ("submit", "edit", "vote"); no side effects.

    Raises SubmissionClosed, EditingClosed or VotingClosedPhase otherwise; allows everything without a cycle."""
    _require_known(action)
    cycle = cycle_current()
    if cycle is not None and cycle.current_phase not in PHASE_ALLOWS[action]:
        raise _ERRORS[action]()
    return cycle
