"""Status changes of proposals and reports: the one place that moves an item through its lifecycle.

Every change is a conditional UPDATE on the status it was read with, so when two people decide the same
item at once exactly one wins and the other gets `item_changed`. Each proposal change leaves a public
timeline entry, a live event for moderators and a notification for the people concerned.
"""

from django.db import transaction
from django.utils import timezone

from aspirasi import signals
from aspirasi.errors import IllegalTransition, ItemChanged
from aspirasi.models import Proposal, ProposalStatus, ProposalStatusEvent, Report, ReportStatus, Role, User
from realtime import events

P = ProposalStatus
PROPOSAL_TRANSITIONS: dict[str, frozenset[str]] = {
    P.SUBMITTED: frozenset({P.IN_REVIEW, P.PUBLISHED, P.REJECTED, P.MERGED, P.WITHDRAWN}),
    P.IN_REVIEW: frozenset({P.SUBMITTED, P.PUBLISHED, P.REJECTED, P.MERGED, P.WITHDRAWN}),
    P.PUBLISHED: frozenset({P.REJECTED, P.MERGED, P.ACCEPTED}),
    P.ACCEPTED: frozenset({P.IN_PROGRESS, P.COMPLETED}),
    P.IN_PROGRESS: frozenset({P.COMPLETED}),
}

R = ReportStatus
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    R.NEW: frozenset({R.VERIFIED, R.REJECTED, R.LINKED}),
    R.VERIFIED: frozenset({R.RESOLVED, R.LINKED, R.REJECTED}),
    R.LINKED: frozenset({R.RESOLVED}),
}


def actor_role(actor: User | None, *, author_id: int | None = None) -> str:
    """How the timeline names who acted: by role, never by name."""
    if actor is None:
        return "system"
    if actor.pk == author_id and actor.role == Role.RESIDENT:
        return "author"
    return "admin" if actor.is_superuser else actor.role


def proposal_payload(proposal: Proposal) -> dict:
    """The plain-JSON description of a proposal in live events."""
    return {
        "proposal_id": proposal.pk,
        "title": proposal.title,
        "status": proposal.status,
        "kelurahan_id": proposal.kelurahan_id,
        "category_id": proposal.category_id,
        "vote_count": proposal.vote_count,
        "claimed_by": proposal.claimed_by_id,
        "is_hidden": proposal.is_hidden,
        "created_at": proposal.created_at.isoformat() if proposal.created_at else None,
    }


def report_payload(report: Report) -> dict:
    return {
        "report_id": report.pk,
        "status": report.status,
        "kelurahan_id": report.kelurahan_id,
        "kelurahan_confirmed": report.kelurahan_confirmed,
        "category_id": report.category_id,
        "claimed_by": report.claimed_by_id,
        "is_hidden": report.is_hidden,
        "created_at": report.created_at.isoformat() if report.created_at else None,
    }


@transaction.atomic
def proposal_change_status(
    *, proposal: Proposal, to_status: str, actor: User | None, message: str = "", **fields
) -> Proposal:
    """Move `proposal` to `to_status` (plus `fields`), record the timeline entry, publish `proposal.updated`
    after commit and notify. Raises IllegalTransition, or ItemChanged when someone else changed it first."""
    from_status = proposal.status
    if to_status not in PROPOSAL_TRANSITIONS.get(from_status, ()):
        raise IllegalTransition()
    now = timezone.now()
    fields.update(status=to_status, updated_at=now)
    if to_status == P.PUBLISHED and proposal.published_at is None:
        fields["published_at"] = now
    if to_status not in (P.SUBMITTED, P.IN_REVIEW):
        fields.setdefault("claimed_by", None)
        fields.setdefault("claimed_at", None)
    if not Proposal.objects.filter(pk=proposal.pk, status=from_status).update(**fields):
        raise ItemChanged()
    for name, value in fields.items():
        setattr(proposal, name, value)
    ProposalStatusEvent.objects.create(
        proposal=proposal,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_role=actor_role(actor, author_id=proposal.author_id),
        message=message,
    )
    events.publish(
        events.PROPOSAL_UPDATED,
        groups=events.moderation_groups(proposal.kelurahan_id),
        payload=proposal_payload(proposal),
    )
    signals.proposal_status_changed.send(
        sender=Proposal, proposal=proposal, from_status=from_status, to_status=to_status, message=message
    )
    return proposal


@transaction.atomic
def report_change_status(*, report: Report, to_status: str, actor: User | None, message: str = "", **fields) -> Report:
    """Move `report` to `to_status` (plus `fields`), publish `report.updated` after commit and notify the author."""
    from_status = report.status
    if to_status not in REPORT_TRANSITIONS.get(from_status, ()):
        raise IllegalTransition()
    fields.update(status=to_status, updated_at=timezone.now(), claimed_by=None, claimed_at=None)
    if not Report.objects.filter(pk=report.pk, status=from_status).update(**fields):
        raise ItemChanged()
    for name, value in fields.items():
        setattr(report, name, value)
    events.publish(
        events.REPORT_UPDATED, groups=events.moderation_groups(report.kelurahan_id), payload=report_payload(report)
    )
    signals.report_status_changed.send(
        sender=Report, report=report, from_status=from_status, to_status=to_status, message=message
    )
    return report
