"""Notification triggers called by the domain services (never by post_save).

Interface fixed for the domain services; the notifications work fills in the bodies.
"""


def notify_proposal_status_changed(*, proposal, from_status: str, to_status: str, message: str = "") -> None:
    """Tell the author (and voters, for merged/accepted/completed) that a proposal changed status."""


def notify_report_status_changed(*, report, from_status: str, to_status: str, message: str = "") -> None:
    """Tell the author that their photo report changed status."""


def notify_vote_milestone(*, proposal, vote_count: int) -> None:
    """Tell the author when their proposal crosses a support milestone (10, 50, 100, 500, 1000), once each."""
