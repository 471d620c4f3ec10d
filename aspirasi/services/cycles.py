"""Musrenbang cycles: which cycle is current and what its phase allows.

The proposal and vote services ask here before they write: `cycle_require_phase(action="submit")` in
the submit service, `"edit"` in the edit service, `"vote"` in vote cast and withdraw. With no cycle
defined (or none started yet) everything stays allowed, which is how the app behaved before cycles.
"""

import enum
import functools

from django.db import connection
from django.utils import timezone

from aspirasi import rows
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


# What deciding a phase needs of the current cycle: a statement that runs anyway (a token's authentication,
# api/authentication.py) can read it along, one round trip fewer on the vote's hot path.
_PHASE_ATTNAMES = ("id", *(field for _phase, field in PHASE_STARTS))


@functools.cache
def _current_cycle_subqueries(vendor: str) -> tuple[str, ...]:
    table = connection.ops.quote_name(Cycle._meta.db_table)
    current = f"FROM {table} WHERE submission_starts_on <= %s ORDER BY submission_starts_on DESC, id DESC LIMIT 1"
    return tuple(f"(SELECT {connection.ops.quote_name(attname)} {current})" for attname in _PHASE_ATTNAMES)


def current_cycle_columns() -> tuple[list[str], list]:
    """cycle_current()'s id and phase dates as scalar subqueries (columns, parameters)."""
    columns = list(_current_cycle_subqueries(connection.vendor))
    return columns, [connection.ops.adapt_datefield_value(timezone.localdate())] * len(columns)


def cycle_from_columns(values) -> Cycle | None:
    """The cycle read by current_cycle_columns() (only its phase dates loaded), or None."""
    return rows.from_row(Cycle, _PHASE_ATTNAMES, values) if values[0] is not None else None


class NotRead(enum.Enum):
    NOT_READ = "not read"


NOT_READ = NotRead.NOT_READ  # the current cycle is read when it is needed


def cycle_require_phase(*, action: str, current: Cycle | NotRead | None = NOT_READ) -> Cycle | None:
    """Return the current cycle if its phase allows `action` ("submit", "edit", "vote"); no side effects.
    A caller that has read the current cycle already passes it as `current` (None: there is none).

    Raises SubmissionClosed, EditingClosed or VotingClosedPhase otherwise; allows everything without a cycle."""
    if action not in PHASE_ALLOWS:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(PHASE_ALLOWS)}")
    cycle = cycle_current() if current is NOT_READ else current
    if cycle is not None and cycle.current_phase not in PHASE_ALLOWS[action]:
        raise _ERRORS[action]()
    return cycle
