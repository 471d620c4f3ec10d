"""Open311 in the admin, for administrators only: API keys (issued here, the key shown once; revoked by an
action) and the requests filed with them (read only, with the filer's details for the moderators' follow-up)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aspirasi import policies
from open311.models import ApiKey, ServiceRequest
from open311.services import api_key_issue, api_key_revoke


class _AdminsOnly:
    def has_module_permission(self, request):
        return policies.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return policies.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a key's history stays: its requests point at it


@admin.register(ApiKey)
class ApiKeyAdmin(_AdminsOnly, admin.ModelAdmin):
    list_display = ["name", "prefix", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    fields = ["name"]
    readonly_fields = ["prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return policies.is_admin(request.user)

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else ["name", "prefix", "created_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["name", "prefix", "created_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        obj.issued_key = api_key_issue(api_key=obj, actor=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        # The key is on this page only: it is not stored, and not put in a message (a cookie) either.
        context = {**self.admin_site.each_context(request), "api_key": obj, "raw_key": obj.issued_key}
        context["title"] = _("API key issued")
        return TemplateResponse(request, "open311/api_key_issued.html", context)

    def has_revoke_permission(self, request):
        return policies.is_admin(request.user)

    @admin.action(description=_("Revoke the selected keys"), permissions=["revoke"])
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(api_key=key)
            self.log_change(request, key, [{"changed": {"fields": ["revoked"]}}])  # the admin's history
        count = len(keys)
        self.message_user(
            request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count}, messages.SUCCESS
        )


@admin.register(ServiceRequest)
class ServiceRequestAdmin(_AdminsOnly, admin.ModelAdmin):
    list_display = ["report", "api_key", "created_at"]
    list_select_related = ["report", "api_key"]
    list_filter = ["api_key"]
    fields = [
        "report",
        "api_key",
        "created_at",
        "address_string",
        "media_url",
        "email",
        "first_name",
        "last_name",
        "phone",
        "device_id",
        "account_id",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return policies.is_admin(request.user)  # erasing a filer's details; the report stays
