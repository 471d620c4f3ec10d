"""Musrenbang cycles: which cycle is current and what its phase allows.

The proposal and vote services ask here before they write: `cycle_require_phase(action="submit")` in
the submit service, `"edit"` in the edit service, `"vote"` in vote cast and withdraw. With no cycle
defined (or none started yet) everything stays allowed, which is how the app behaved before cycles.
"""

from django.utils import timezone

from aspirasi.errors import EditingClosed, SubmissionClosed, VotingClosedPhase
from aspirasi.models import Cycle, Phase

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


def cycle_require_phase(*, action: str) -> Cycle | None:
    """Return the current cycle if its phase allows `action` ("submit", "edit", "vote"); no side effects.

    Raises SubmissionClosed, EditingClosed or VotingClosedPhase otherwise; allows everything without a cycle."""
    _require_known(action)
    cycle = cycle_current()
    if cycle is not None and cycle.current_phase not in PHASE_ALLOWS[action]:
        raise _ERRORS[action]()
    return cycle
