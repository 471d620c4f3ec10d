"""Admin for proposals, reports, flags, OPD and the audit trail, scoped by the moderator's areas.

Who sees and decides what comes from aspirasi.policies, not from Django's model permissions: moderators
see their areas, admins everything, planners read only. Items are never edited in a form; decisions are
admin actions that call the same services as the API (aspirasi.services.moderation). The workbench
(/admin/moderation/live/, aspirasi/admin/workbench.py) is the queue with its decision panel, live.
"""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aspirasi import policies
from aspirasi.admin import workbench
from aspirasi.admin.feedback import decided_message, item_title
from aspirasi.admin.item_pages import ItemPageMixin
from aspirasi.admin_site import MenuPage
from aspirasi.models import AuditEntry, Flag, Opd, Proposal, ProposalStatusEvent, Report
from aspirasi.services.moderation import PROPOSAL, REPORT, RejectionReason, decisions_bulk
from aspirasi.templatetags.aspirasi_admin import rupiah


class FlaggedFilter(admin.SimpleListFilter):
    title = _("open flags")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        field = "proposal" if queryset.model is Proposal else "report"
        open_flags = Flag.objects.filter(resolved_at__isnull=True, **{field: OuterRef("pk")})
        return queryset.filter(Exists(open_flags)) if self.value() == "yes" else queryset.exclude(Exists(open_flags))


class _ScopedAdmin(admin.ModelAdmin):
    """Read-only lists scoped by the policy; `scope_fields` are the kelurahan paths an object is placed by."""

    scope_fields: tuple[str, ...] = ("kelurahan",)

    def _scope(self, user):
        scope = None
        for field in self.scope_fields:
            part = policies.moderation_read_scope(user, field=field)
            scope = part if scope is None else scope | part
        return scope

    def get_queryset(self, request):
        return super().get_queryset(request).filter(self._scope(request.user))

    def has_module_permission(self, request):
        return policies.can_read_moderation(request.user)

    def has_view_permission(self, request, obj=None):
        return policies.can_read_moderation(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("author"))
    def written_by(self, obj):
        # Staff see who wrote it (policies.can_see_authors), by name: the phone stays in the accounts admin.
        return obj.author.display_name if obj.author_id else "-"

    def has_moderate_permission(self, request):
        """Decision actions: moderators and admins (each item is still checked against the actor's areas)."""
        return policies.can_act_as_moderator(request.user)


def _decide(request, queryset, *, item_type: str, action: str, decision=None, **arguments) -> None:
    title_field = "title" if item_type == PROPOSAL else "description"
    titles = dict(queryset.values_list("pk", title_field))
    items = [(item_type, pk) for pk in sorted(titles)]
    results = decisions_bulk(actor=request.user, items=items, action=action, **arguments)
    done = [(r["id"], item_title(item_type, titles[r["id"]])) for r in results if r["ok"]]
    failed = [f"#{r['id']}: {r['code']}" for r in results if not r["ok"]]
    if done:
        messages.success(request, decided_message(item_type=item_type, action=action, items=done, decision=decision))
    if failed:
        messages.warning(request, _("Not decided: %(items)s") % {"items": ", ".join(failed)})


_SPAM_MESSAGE = _("Removed as spam or offensive content.")


@admin.action(description=_("Claim for review"), permissions=["moderate"])
def claim_selected(modeladmin, request, queryset):
    _decide(request, queryset, item_type=modeladmin.item_type, action="review")


@admin.action(description=_("Publish (or restore a flagged item)"), permissions=["moderate"])
def publish_selected(modeladmin, request, queryset):
    _decide(request, queryset, item_type=modeladmin.item_type, action="publish")


@admin.action(description=_("Reject as spam or offensive"), permissions=["moderate"])
def reject_as_spam(modeladmin, request, queryset):
    _decide(
        request,
        queryset,
        item_type=modeladmin.item_type,
        action="reject",
        decision=_("rejected as spam or offensive"),
        reason=RejectionReason.OFFENSIVE,
        message=str(_SPAM_MESSAGE),
    )


@admin.action(description=_("Verify (or restore a flagged item)"), permissions=["moderate"])
def verify_selected(modeladmin, request, queryset):
    _decide(request, queryset, item_type=modeladmin.item_type, action="verify")


@admin.action(description=_("Hide a flagged item (uphold its flags)"), permissions=["moderate"])
def hide_selected(modeladmin, request, queryset):
    _decide(request, queryset, item_type=modeladmin.item_type, action="hide")


class ProposalStatusEventInline(admin.TabularInline):
    model = ProposalStatusEvent
    # actor_pseudonym: who acted, once their account was erased (services/account_data.py)
    fields = ["created_at", "from_status", "to_status", "actor_role", "actor", "actor_pseudonym", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("status timeline")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return policies.can_read_moderation(request.user)


@admin.register(Proposal)
class ProposalAdmin(ItemPageMixin, _ScopedAdmin):
    item_type = PROPOSAL
    list_display = ["title", "photo", "status", "kelurahan", "category", "vote_count", "is_hidden", "created_at"]
    list_filter = [
        "status",
        ("kelurahan__kecamatan", admin.RelatedOnlyFieldListFilter),
        ("kelurahan", admin.RelatedOnlyFieldListFilter),
        "category",
        "is_hidden",
        ("flag_review_requested_at", admin.EmptyFieldListFilter),
        FlaggedFilter,
    ]
    list_select_related = ["kelurahan", "category"]
    search_fields = ["title", "description", "author__display_name", "author__phone"]
    date_hierarchy = "created_at"
    inlines = [ProposalStatusEventInline]
    actions = [claim_selected, publish_selected, hide_selected, reject_as_spam]
    readonly_fields = ["estimated_cost_rupiah", "written_by"]
    fieldsets = [
        (_("Proposal"), {"fields": ["title", "description", "category"]}),
        (_("Place"), {"fields": ["kelurahan", ("rt", "rw"), ("latitude", "longitude")]}),
        (
            _("Benefit and cost"),
            {
                "fields": [
                    ("estimated_beneficiaries", "estimated_poor_households"),
                    ("volume", "unit"),
                    "estimated_cost_rupiah",
                ]
            },
        ),
        (_("Author"), {"fields": ["written_by", "anonymous", "source_report"]}),
        (
            _("Moderation"),
            {
                "fields": [
                    "status",
                    ("claimed_by", "claimed_at"),
                    ("rejection_reason", "rejection_message"),
                    "merged_into",
                    ("is_hidden", "flag_review_requested_at"),
                ]
            },
        ),
        (_("Planning"), {"fields": ["cycle", "opd", "program", "vote_count"]}),
        (_("Dates (WITA)"), {"fields": [("created_at", "published_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kelurahan__kecamatan", "category", "author", "claimed_by")
            .prefetch_related("photos")
        )

    @admin.display(description=_("estimated cost"))
    def estimated_cost_rupiah(self, obj):
        return rupiah(obj.estimated_cost)

    @admin.display(description=_("photo"))
    def photo(self, obj):
        photos = list(obj.photos.all())  # prefetched: no query per row
        if not photos or not photos[0].thumbnail_small:
            return "-"
        return format_html('<img src="{}" alt="" style="height:40px">', photos[0].thumbnail_small.url)


@admin.register(Report)
class ReportAdmin(ItemPageMixin, _ScopedAdmin):
    item_type = REPORT
    list_display = ["short_description", "thumbnail", "status", "kelurahan", "category", "is_hidden", "created_at"]
    list_filter = [
        "status",
        ("kelurahan__kecamatan", admin.RelatedOnlyFieldListFilter),
        ("kelurahan", admin.RelatedOnlyFieldListFilter),
        "category",
        "kelurahan_confirmed",
        "origin",
        "is_hidden",
        ("flag_review_requested_at", admin.EmptyFieldListFilter),
        FlaggedFilter,
    ]
    list_select_related = ["kelurahan", "category"]
    search_fields = ["description", "author__display_name", "author__phone"]
    date_hierarchy = "created_at"
    actions = [claim_selected, verify_selected, hide_selected, reject_as_spam]
    readonly_fields = ["written_by"]
    fieldsets = [
        (_("Report"), {"fields": ["description", "category", "origin"]}),
        (_("Place"), {"fields": ["kelurahan", "kelurahan_confirmed", ("latitude", "longitude"), "location_source"]}),
        (_("Author"), {"fields": ["written_by"]}),
        (
            _("Moderation"),
            {
                "fields": [
                    "status",
                    ("claimed_by", "claimed_at"),
                    ("rejection_reason", "rejection_message"),
                    ("is_hidden", "flag_review_requested_at"),
                    "linked_proposal",
                ]
            },
        ),
        (_("Resolution"), {"fields": ["resolution_note"]}),
        (_("Dates (WITA)"), {"fields": [("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kelurahan__kecamatan", "category", "author", "claimed_by")

    @admin.display(description=_("description"))
    def short_description(self, obj):
        return obj.description[:80]

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        if not obj.thumbnail_small:
            return "-"
        return format_html('<img src="{}" alt="" style="height:40px">', obj.thumbnail_small.url)


@admin.register(Flag)
class FlagAdmin(_ScopedAdmin):
    scope_fields = ("proposal__kelurahan", "report__kelurahan")
    list_display = ["reason", "proposal", "report", "flagger", "created_at", "resolved_at", "outcome", "resolved_by"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter), "outcome"]
    list_select_related = ["proposal", "report", "flagger", "resolved_by"]
    search_fields = ["message", "proposal__title", "report__description"]


@admin.register(AuditEntry)
class AuditEntryAdmin(_ScopedAdmin):
    list_display = [
        "created_at",
        "action",
        "item_type",
        "item_id",
        "kelurahan",
        "actor",
        "actor_pseudonym",
        "actor_role",
    ]
    list_filter = ["action", "item_type", "actor_role", ("kelurahan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["kelurahan", "actor"]
    search_fields = ["message", "actor__display_name", "=item_id"]
    date_hierarchy = "created_at"


@admin.register(Opd)
class OpdAdmin(admin.ModelAdmin):
    """City departments: reference data that admins maintain and everyone on staff reads."""

    list_display = ["name", "short_name", "slug", "is_active"]
    search_fields = ["name", "short_name"]

    def has_module_permission(self, request):
        return policies.can_read_moderation(request.user)

    def has_view_permission(self, request, obj=None):
        return policies.can_read_moderation(request.user)

    def has_add_permission(self, request):
        return policies.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return policies.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # proposals keep their OPD (PROTECT); deactivate instead


# --- the workbench (/admin/moderation/live/) and its decision panel: aspirasi/admin/workbench.py ---------

admin.site.add_pages(
    workbench.urls, menu=[MenuPage("moderation-live", _("Live moderation queue"), policies.can_act_as_moderator)]
)
