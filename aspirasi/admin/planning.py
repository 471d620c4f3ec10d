"""Admin for planning cycles, carried proposals, programs and the planner dashboard.

Planners and admins only (aspirasi.policies). Program status/progress changes and new program updates go
through services.planning, so linked proposals move and their people are notified as through the API.
"""

import tempfile

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aspirasi import exports
from aspirasi.admin_site import MenuPage
from aspirasi.errors import InvalidMinutes
from aspirasi.models import (
    AreaBudget,
    CarriedProposal,
    Cycle,
    Forum,
    PaperSupport,
    Phase,
    Program,
    ProgramUpdate,
    ShortlistDecision,
)
from aspirasi.policies import can_plan
from aspirasi.selectors.planning import CITY_NAME, planning_dashboard, priority_rows, priority_totals
from aspirasi.services.cycles import cycle_current
from aspirasi.services.forums import check_pdf
from aspirasi.services.planning import program_set_progress, program_update_create
from aspirasi.templatetags.aspirasi_admin import rupiah


class _PlannersOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return can_plan(request.user)

    def has_view_permission(self, request, obj=None):
        return can_plan(request.user)

    def has_add_permission(self, request):
        return can_plan(request.user)

    def has_change_permission(self, request, obj=None):
        return can_plan(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_plan(request.user)


@admin.action(description=_("Export priorities (XLSX, kelurahan level)"))
def export_priorities_xlsx(modeladmin, request, queryset):
    cycle = queryset.first()
    filters = {"cycle": cycle, "level": "kelurahan"}
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    exports.xlsx_write(
        priority_rows(**filters), totals=priority_totals(**filters), target=target, level_title="kelurahan"
    )
    target.seek(0)
    filename = exports.export_filename(cycle_name=cycle.name, level="kelurahan", fmt="xlsx")
    return FileResponse(target, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPES["xlsx"])


@admin.register(Cycle)
class CycleAdmin(_PlannersOnly):
    list_display = ["name", "current_phase", "vote_scope", "submission_starts_on", "voting_starts_on", "closes_on"]
    actions = [export_priorities_xlsx]
    fieldsets = [
        (None, {"fields": ["name"]}),
        (
            _("Phases (each starts on its date and ends the day before the next)"),
            {
                "fields": [
                    "submission_starts_on",
                    "review_starts_on",
                    "voting_starts_on",
                    "deliberation_starts_on",
                    "closes_on",
                ]
            },
        ),
        (_("Votes"), {"fields": ["vote_scope", "budget_ballot"]}),
        (
            _("Priority score weights (docs/planning.md)"),
            {
                "fields": [
                    "weight_support",
                    "weight_beneficiaries",
                    "weight_poor_households",
                    "weight_pillar",
                    "weight_need",
                    "weight_cost",
                    "weight_ballot",
                ]
            },
        ),
    ]

    @admin.display(description=_("current phase"))
    def current_phase(self, cycle):
        return cycle.current_phase


@admin.register(CarriedProposal)
class CarriedProposalAdmin(_PlannersOnly):
    list_display = ["proposal", "level", "rank", "carried_by", "carried_at"]
    list_filter = ["level"]
    raw_id_fields = ["proposal"]
    readonly_fields = ["carried_by", "carried_at"]

    def save_model(self, request, obj, form, change):
        obj.carried_by = request.user
        super().save_model(request, obj, form, change)


class ProgramUpdateInline(admin.TabularInline):
    model = ProgramUpdate
    extra = 0
    fields = ["date", "note", "photo", "progress_percent"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # added through ProgramUpdateAdmin, which runs the service


@admin.register(AreaBudget)
class AreaBudgetAdmin(_PlannersOnly):
    """The pagu indikatif of each area and level of a cycle: the ceiling its funded shortlist fits."""

    list_display = ["cycle", "level", "area", "amount_rupiah", "source", "updated_at"]
    list_filter = ["cycle", "level", "source"]
    fields = ["cycle", "level", "kelurahan", "kecamatan", "amount", "source", "note"]
    list_select_related = ["cycle", "kelurahan", "kecamatan"]

    @admin.display(description=_("area"))
    def area(self, budget):
        return budget.kelurahan or budget.kecamatan or CITY_NAME

    @admin.display(description=_("pagu (IDR)"), ordering="amount")
    def amount_rupiah(self, budget):
        return rupiah(budget.amount)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ShortlistDecision)
class ShortlistDecisionAdmin(_PlannersOnly):
    """Read-only here: pins and exclusions are made through the API, which audits them."""

    list_display = ["proposal", "cycle", "level", "kind", "reason", "decided_at"]
    list_filter = ["cycle", "level", "kind"]
    list_select_related = ["proposal", "cycle"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ForumAdminForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = [
            "cycle",
            "level",
            "kelurahan",
            "kecamatan",
            "held_on",
            "place",
            "attendance_men",
            "attendance_women",
            "attendance_disabled",
            "delegates",
            "minutes",
        ]

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes and hasattr(minutes, "size") and not isinstance(minutes, FieldFile):
            try:
                check_pdf(minutes)
            except InvalidMinutes as error:
                raise forms.ValidationError(str(error.message)) from None
        return minutes


class PaperSupportInline(admin.TabularInline):
    model = PaperSupport
    extra = 0
    fields = ["proposal", "count", "entered_by", "entered_at"]
    readonly_fields = fields  # entered through the API, which audits who entered it

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Forum)
class ForumAdmin(_PlannersOnly):
    """Musrenbang forum records: date, place, attendance, delegates and the berita acara (PDF)."""

    form = ForumAdminForm
    list_display = ["__str__", "cycle", "level", "held_on", "place", "attendance_men", "attendance_women"]
    list_filter = ["cycle", "level"]
    readonly_fields = ["recorded_by", "created_at"]
    inlines = [PaperSupportInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Program)
class ProgramAdmin(_PlannersOnly):
    list_display = ["name", "opd", "category", "cycle", "budget_rupiah", "status", "progress_percent"]
    list_filter = ["status", "cycle", "category"]
    search_fields = ["name"]
    inlines = [ProgramUpdateInline]

    @admin.display(description=_("budget"), ordering="budget")
    def budget_rupiah(self, program):
        return rupiah(program.budget)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        status, progress = obj.status, obj.progress_percent
        # Other fields save as usual; status and progress go through the service, which moves proposals.
        original = Program.objects.get(pk=obj.pk)
        obj.status, obj.progress_percent = original.status, original.progress_percent
        super().save_model(request, obj, form, change)
        program_set_progress(program=obj, actor=request.user, status=status, progress_percent=progress)
        obj.refresh_from_db()


@admin.register(ProgramUpdate)
class ProgramUpdateAdmin(_PlannersOnly):
    list_display = ["program", "date", "progress_percent"]
    list_filter = ["program"]
    fields = ["program", "date", "note", "photo", "progress_percent"]

    def has_change_permission(self, request, obj=None):
        return obj is None and can_plan(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            return
        update = program_update_create(
            program=obj.program,
            day=obj.date,
            note=obj.note,
            photo=form.cleaned_data.get("photo") or None,
            progress_percent=obj.progress_percent,
            actor=request.user,
        )
        obj.pk = update.pk
        messages.info(request, _("Progress recorded."))


# --- the planner dashboard: /admin/planning/dashboard/ ------------------------------------------------


def dashboard_view(request):
    """Totals per pillar and per kecamatan, votes over time and top proposals of the current cycle."""
    if not can_plan(request.user):
        raise PermissionDenied
    cycle = cycle_current()
    context = {
        **admin.site.each_context(request),
        "title": _("Planning dashboard"),
        "cycle": cycle,
        "phase_label": Phase(cycle.current_phase).label if cycle else None,
        "data": planning_dashboard(cycle=cycle),
        "generated_at": timezone.now(),
    }
    return TemplateResponse(request, "aspirasi/planning/dashboard.html", context)


def urls() -> list:
    return [path("planning/dashboard/", admin.site.admin_view(dashboard_view), name="planning-dashboard")]


admin.site.add_pages(urls, menu=[MenuPage("planning-dashboard", _("Planning dashboard"), can_plan)])
