"""The proposal and report change pages: what the item is, what to do next, and everything to judge it by.

A summary leads (status in the reader's language, the next step, who holds the claim), then the decision
panel's place, photos, the point on a map, the fields in groups, flags and the audit trail. Items are never
edited in the form; decisions are the panel's and the list's actions (aspirasi.admin.moderation).
"""

from django.utils.translation import gettext_lazy as _

from aspirasi.models import CommentState, Proposal, ProposalStatus, Report, ReportStatus
from aspirasi.selectors.item_pages import comment_page, item_page

P, R = ProposalStatus, ReportStatus

# What the moderator does next, by status (a flagged public item waits for its flag decision first).
_PROPOSAL_NEXT = {
    P.SUBMITTED: _("Claim it, then publish it, reject it with a reason, or merge it into a similar proposal."),
    P.IN_REVIEW: _("Decide: publish it, reject it with a reason, or merge it into a similar proposal."),
    P.PUBLISHED: _("Nothing to decide: residents can support it. Assign an OPD or link it to a program if needed."),
    P.ACCEPTED: _("In the plan: follow its program."),
    P.IN_PROGRESS: _("Being carried out: follow its program."),
    P.COMPLETED: _("Completed: nothing to do."),
    P.REJECTED: _("Rejected: nothing to do."),
    P.MERGED: _("Merged into another proposal: nothing to do."),
    P.WITHDRAWN: _("Withdrawn by its author: nothing to do."),
}
_REPORT_NEXT = {
    R.NEW: _("Claim it, then verify it, reject it with a reason, or link it to a proposal."),
    R.VERIFIED: _("Resolve it with a note and a proof photo, promote it to a proposal, or link it to one."),
    R.RESOLVED: _("Resolved: nothing to do."),
    R.LINKED: _("Linked to a proposal: nothing to do."),
    R.REJECTED: _("Rejected: nothing to do."),
}
_FLAG_NEXT = _("Residents flagged it: restore it (keep it public) or hide it.")

# The audit trail's action codes (aspirasi.services.moderation, services/flags.py), as people say them.
AUDIT_ACTIONS = {
    "review": _("claimed for review"),
    "release": _("released"),
    "publish": _("published"),
    "reject": _("rejected"),
    "merge": _("merged"),
    "recategorize": _("category corrected"),
    "relocate": _("moved to another kelurahan"),
    "assign_opd": _("OPD assigned"),
    "dispose": _("forwarded to an OPD"),
    "verify": _("verified"),
    "resolve": _("resolved"),
    "link": _("linked to a proposal"),
    "promote": _("promoted to a proposal"),
    "hide": _("hidden"),
    "restore": _("restored"),
    "flag_review_requested": _("flags reached the review threshold"),
}


def next_step(item: Proposal | Report, *, open_flags: int) -> str:
    awaits_flags = item.flag_review_requested_at is not None or open_flags > 0
    public = item.status in (P.PUBLISHED, P.ACCEPTED, P.IN_PROGRESS, P.COMPLETED, R.VERIFIED, R.RESOLVED, R.LINKED)
    if awaits_flags and public and not item.is_hidden:
        return _FLAG_NEXT
    steps = _PROPOSAL_NEXT if isinstance(item, Proposal) else _REPORT_NEXT
    return steps.get(item.status, "")


_COMMENT_NEXT = {
    CommentState.VISIBLE: _("Nothing to decide: it is shown in its thread."),
    CommentState.HIDDEN: _("Hidden by a moderator: restore it if the decision was wrong."),
    CommentState.DELETED: _("Removed by its author: nothing to do."),
}
_COMMENT_FLAG_NEXT = _("Residents flagged it: keep it (restore) or hide it with a reason told to its author.")


def audit_rows(entries, *, status_choices=None) -> list[dict]:
    """The audit trail as the item pages show it: the decision in words, who, a status change by its labels."""
    rows = _audit_rows(entries)
    for row in rows:
        if row["status_change"] and status_choices is not None:
            row["status_change"] = tuple(str(status_choices.get(code, code or "-")) for code in row["status_change"])
    return rows


class CommentPageMixin:
    """The Comment ModelAdmin's change page, aspirasi/moderation/comment_change_form.html: the comment and its
    thread, what to do next, the decision panel, its flags and its audit trail."""

    change_form_template = "aspirasi/moderation/comment_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if comment is not None:
            page = comment_page(comment=comment)
            open_flags = sum(1 for flag in page.flags if flag.resolved_at is None)
            awaits = comment.state == CommentState.VISIBLE and (open_flags or comment.flag_review_requested_at)
            item_type = "proposal" if comment.proposal_id else "report"
            context.update(
                item_type="comment",
                thread_type=item_type,
                thread_url=f"admin:aspirasi_{item_type}_change",
                status_label=comment.get_state_display(),
                next_step=_COMMENT_FLAG_NEXT if awaits else _COMMENT_NEXT.get(comment.state, ""),
                flags=page.flags,
                open_flags=open_flags,
                audit=audit_rows(page.audit, status_choices=dict(CommentState.choices)),
            )
        return super().change_view(request, object_id, form_url, extra_context=context)


def _audit_rows(entries) -> list[dict]:
    rows = []
    for entry in entries:
        actor = entry.actor.display_name if entry.actor else (entry.actor_pseudonym or _("system"))
        before, after = entry.before or {}, entry.after or {}
        status_change = None
        if "status" in before and before.get("status") != after.get("status"):
            status_change = (before.get("status"), after.get("status"))
        rows.append(
            {
                "entry": entry,
                "action": AUDIT_ACTIONS.get(entry.action, entry.action),
                "actor": actor,
                "status_change": status_change,
            }
        )
    return rows


class ItemPageMixin:
    """A ModelAdmin of proposals or reports whose change page is aspirasi/moderation/item_change_form.html."""

    item_type: str
    change_form_template = "aspirasi/moderation/item_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if item is not None:
            page = item_page(item=item)
            open_flags = sum(1 for flag in page.flags if flag.resolved_at is None)
            audit = audit_rows(page.audit, status_choices=dict((P if isinstance(item, Proposal) else R).choices))
            context.update(
                item_type=self.item_type,
                item_title=item.title if isinstance(item, Proposal) else item.description[:80],
                status_label=item.get_status_display(),
                next_step=next_step(item, open_flags=open_flags),
                photos=page.photos,
                flags=page.flags,
                open_flags=open_flags,
                audit=audit,
            )
        return super().change_view(request, object_id, form_url, extra_context=context)
