"""The audit trail: one AuditEntry per decision on a proposal or a report, whoever (or whatever) decides."""

from aspirasi.models import AuditEntry, Comment, Proposal, Report, User
from aspirasi.services.status import actor_role


def audit_record(
    *, actor: User | None, item: Proposal | Report | Comment, action: str, before: dict, after: dict, message: str = ""
) -> AuditEntry:
    """Record `action` on `item` by `actor` (None: the system, e.g. a flag threshold), filed under the item's
    kelurahan so each area's moderators see their own trail."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_role=actor_role(actor),
        # A comment says its own type (Comment.audit_item_type) and carries its item's kelurahan.
        item_type=getattr(item, "audit_item_type", None) or ("proposal" if isinstance(item, Proposal) else "report"),
        item_id=item.pk,
        kelurahan_id=item.kelurahan_id,
        action=action,
        before=before,
        after=after,
        message=message,
    )
