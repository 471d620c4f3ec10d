"""Admin for the discussion's comments (issue 25): read-only lists scoped by area, hide and restore actions,
and a comment's page (its thread, flags, audit trail and the decision panel: admin/item_pages.py).

The text is plain text: Django's admin escapes what a display method returns, so markup a resident wrote
shows as the characters they typed, never as HTML. Decisions call services/moderation.py, as the API does:
audited, the author notified.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from aspirasi import policies
from aspirasi.admin.item_pages import CommentPageMixin
from aspirasi.admin.moderation import FlaggedFilter, _ScopedAdmin
from aspirasi.errors import DomainError
from aspirasi.models import Comment, CommentFlag
from aspirasi.services.moderation import comment_hide, comment_restore


class CommentActionForm(ActionForm):
    """The list's action bar with the reason a hide needs (its authors are told it)."""

    reason = forms.CharField(
        label=_("Reason, told to the author:"),
        required=False,
        max_length=500,  # Comment.hidden_reason
        widget=forms.TextInput(attrs={"size": 40}),
    )


def _decide(request, queryset, decide, **arguments) -> None:
    done, failed = [], []
    for comment in queryset.order_by("pk"):
        try:
            decide(comment=comment, actor=request.user, **arguments)
            done.append(f"#{comment.pk}")
        except DomainError as error:
            failed.append(f"#{comment.pk}: {error.code}")
    if done:
        messages.success(request, _("Decided: %(items)s") % {"items": ", ".join(done)})
    if failed:
        messages.warning(request, _("Not decided: %(items)s") % {"items": ", ".join(failed)})


@admin.action(description=_("Hide with the reason below (the author is told)"), permissions=["moderate"])
def hide_comments(modeladmin, request, queryset):
    reason = request.POST.get("reason", "").strip()[:500]
    if not reason:
        messages.warning(request, _("Write the reason for hiding: the authors are told it. Nothing was hidden."))
        return
    _decide(request, queryset, comment_hide, reason=reason)


@admin.action(description=_("Restore (or dismiss the flags of) a comment"), permissions=["moderate"])
def restore_comments(modeladmin, request, queryset):
    _decide(request, queryset, comment_restore)


class CommentFlaggedFilter(FlaggedFilter):
    """Comments whose flags wait for a decision."""

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        open_flags = Exists(CommentFlag.objects.filter(resolved_at__isnull=True, comment=OuterRef("pk")))
        return queryset.filter(open_flags) if self.value() == "yes" else queryset.exclude(open_flags)


@admin.register(Comment)
class CommentAdmin(CommentPageMixin, _ScopedAdmin):
    list_display = ["text", "thread", "state", "is_official", "author_role", "written_by", "kelurahan", "created_at"]
    list_filter = ["state", "is_official", CommentFlaggedFilter]
    search_fields = ["body"]
    date_hierarchy = "created_at"
    actions = [hide_comments, restore_comments]
    action_form = CommentActionForm
    fields = [
        "text",
        "thread",
        "parent",
        "state",
        "hidden_reason",
        "is_official",
        "author_role",
        "author_opd",
        "written_by",
        "kelurahan",
        "flag_review_requested_at",
        "created_at",
        "edited_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "author_opd", "kelurahan__kecamatan", "proposal", "report")
        )

    def has_moderate_permission(self, request):
        return policies.can_act_as_moderator(request.user)

    @admin.display(description=_("text"))
    def text(self, obj):
        return obj.body[:200] or "-"  # a str: the admin escapes it

    @admin.display(description=_("thread"))
    def thread(self, obj):
        if obj.proposal_id:
            return _("proposal #%(id)s") % {"id": obj.proposal_id}
        return _("report #%(id)s") % {"id": obj.report_id}
