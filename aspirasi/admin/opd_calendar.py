"""The SLA calendar and routing rules in the admin: what admins maintain for the OPD loop (docs/sla.md)."""

from django.contrib import admin

from aspirasi import policies
from aspirasi.models import CalendarDay, Disposition, Escalation, RoutingRule


class _AdminEditable(admin.ModelAdmin):
    """Staff who read moderation see it; only admins change it."""

    def has_module_permission(self, request):
        return policies.can_read_moderation(request.user)

    def has_view_permission(self, request, obj=None):
        return policies.can_read_moderation(request.user)

    def has_add_permission(self, request):
        return policies.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return policies.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return policies.is_admin(request.user)


@admin.register(CalendarDay)
class CalendarDayAdmin(_AdminEditable):
    """Cuti bersama and local days off (decreed each year; the holidays package cannot know them)."""

    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"


@admin.register(RoutingRule)
class RoutingRuleAdmin(_AdminEditable):
    """A category's default OPD, and overrides per kecamatan: the disposition's suggestion."""

    list_display = ["category", "kecamatan", "opd"]
    list_filter = ["category", "kecamatan", "opd"]


class _ReadOnly(admin.ModelAdmin):
    """Written by the services only (services/dispositions.py): staff read it here."""

    def has_module_permission(self, request):
        return policies.can_read_moderation(request.user)

    def has_view_permission(self, request, obj=None):
        return policies.can_read_moderation(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Disposition)
class DispositionAdmin(_ReadOnly):
    list_display = ["id", "opd", "report", "proposal", "state", "is_reopen", "due_at", "created_at"]
    list_filter = ["state", "is_reopen", "opd"]
    list_select_related = ["opd", "report", "proposal"]
    date_hierarchy = "created_at"


@admin.register(Escalation)
class EscalationAdmin(_ReadOnly):
    list_display = ["key", "stage", "opd", "due_at", "created_at"]
    list_filter = ["stage", "opd"]
