"""Musrenbang cycles: which cycle is current and what its phase allows.

The proposal and vote services ask here before they write: `cycle_require_phase(action="submit")` in
the submit service, `"edit"` in the edit service, `"vote"` in vote cast and withdraw. With no cycle
defined (or none started yet) everything stays allowed, which is how the app behaved before cycles.

The vote asks on every cast, so it reads the current cycle from this process's cache (`caches["cycles"]`),
keyed by the cycles' version and today's date: a trigger on the cycles' table moves the version in the
writing transaction, whoever writes (migration 0028), and the vote reads it in the statement that locks the
voter, so a changed phase, date or vote scope reaches the next vote, in every process, without anyone
invalidating anything.
"""

import functools
from datetime import date

from django.core.cache import caches
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from aspirasi.errors import EditingClosed, SubmissionClosed, VotingClosedPhase
from aspirasi.models import Cycle, ListVersion, Phase

# The phases in which each resident action is allowed while a cycle is current.
PHASE_ALLOWS: dict[str, frozenset[str]] = {
    "submit": frozenset({Phase.SUBMISSION}),
    "edit": frozenset({Phase.SUBMISSION, Phase.REVIEW}),
    "vote": frozenset({Phase.VOTING}),
}
_ERRORS = {"submit": SubmissionClosed, "edit": EditingClosed, "vote": VotingClosedPhase}
CYCLES_VERSION = "cycles"  # the ListVersion row the cycles' trigger moves


@functools.cache
def cycles_version() -> Coalesce:
    """The cycles' version as a column, for a statement the caller sends anyway (no round trip of its own);
    0 until a cycle is first written. Built once: a queryset's annotate() resolves a copy of it."""
    return Coalesce(Subquery(ListVersion.objects.filter(name=CYCLES_VERSION).values("value")[:1]), 0)


def cycle_current(*, version: int | None = None) -> Cycle | None:
    """The cycle that started most recently (today is on or after its submission date), or None.

    A closed cycle stays current until the next one starts, so nothing is submitted between cycles. Given
    the cycles' `version` (read with `cycles_version()`), the answer comes from this process's cache for as
    long as the version and the day stay the same."""
    today = timezone.localdate()
    if version is None:
        return _started_last(today)
    key = f"current:{version}:{today.isoformat()}"
    cached = caches["cycles"].get(key)
    if cached is None:
        cached = (_started_last(today),)  # a tuple: "no cycle" is an answer to keep too
        caches["cycles"].set(key, cached)
    return cached[0]


def _started_last(today: date) -> Cycle | None:
    return Cycle.objects.filter(submission_starts_on__lte=today).order_by("-submission_starts_on", "-id").first()


def _require_known(action: str) -> None:
    if action not in PHASE_ALLOWS:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(PHASE_ALLOWS)}")


def cycle_require_phase(*, action: str, version: int | None = None) -> Cycle | None:
    """Return the current cycle if its phase allows `action` ("submit", "edit", "vote"); no side effects.
    `version`: as cycle_current's.

    Raises SubmissionClosed, EditingClosed or VotingClosedPhase otherwise; allows everything without a cycle."""
    _require_known(action)
    cycle = cycle_current(version=version)
    if cycle is not None and cycle.current_phase not in PHASE_ALLOWS[action]:
        raise _ERRORS[action]()
    return cycle
