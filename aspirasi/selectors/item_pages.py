"""Reads for a proposal's, report's or comment's admin page: its photos, flags and audit trail, one query each."""

from dataclasses import dataclass

from aspirasi.models import AuditEntry, Comment, CommentFlag, Flag, Proposal, ProposalPhoto, Report

PROPOSAL = "proposal"
REPORT = "report"
COMMENT = "comment"


@dataclass(frozen=True)
class ItemPage:
    photos: list  # ProposalPhoto rows of a proposal; a report's own image is on the report
    flags: list[Flag]
    audit: list[AuditEntry]


def item_page(*, item: Proposal | Report) -> ItemPage:
    """What an item's admin page shows beside its fields: photos, every flag (newest first) and its audit
    trail (oldest first, so it reads as a story). Three queries at most, whatever the counts."""
    is_proposal = isinstance(item, Proposal)
    item_type = PROPOSAL if is_proposal else REPORT
    photos = list(ProposalPhoto.objects.filter(proposal=item).order_by("created_at", "pk")) if is_proposal else []
    flags = list(
        Flag.objects.filter(**{item_type: item}).select_related("flagger", "resolved_by").order_by("-created_at")
    )
    audit = list(
        AuditEntry.objects.filter(item_type=item_type, item_id=item.pk)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return ItemPage(photos=photos, flags=flags, audit=audit)


def comment_page(*, comment: Comment) -> ItemPage:
    """A comment's admin page beside its fields: every flag (newest first) and its audit trail (oldest
    first). Two queries, whatever the counts."""
    flags = list(CommentFlag.objects.filter(comment=comment).select_related("flagger", "resolved_by"))
    audit = list(
        AuditEntry.objects.filter(item_type=COMMENT, item_id=comment.pk)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return ItemPage(photos=[], flags=flags, audit=audit)
