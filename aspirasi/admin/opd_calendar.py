"""The SLA calendar and routing rules in the admin: what admins maintain for the OPD loop (docs/sla.md)."""

from django.contrib import admin

from aspirasi import policies
from aspirasi.models import CalendarDay


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
