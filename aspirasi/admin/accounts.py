"""Admin for accounts and roles, areas, categories and target groups."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from aspirasi.models import Category, Kecamatan, Kelurahan, PhoneCodeDevice, TargetGroup, User
from aspirasi.services.accounts import user_assign_role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["phone"]
    list_display = ["phone", "display_name", "role", "kelurahan", "is_active", "date_joined"]
    list_filter = ["role", "is_active", "opd", "kelurahan__kecamatan"]
    search_fields = ["phone", "display_name", "email"]
    filter_horizontal = ["moderated_kecamatan", "moderated_kelurahan", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["phone", "password"]}),
        (_("Profile"), {"fields": ["display_name", "email", "kelurahan", "language"]}),
        (_("Role"), {"fields": ["role", "moderated_kecamatan", "moderated_kelurahan", "opd", "is_opd_head"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["phone", "display_name", "password1", "password2"]})]

    def save_related(self, request, form, formsets, change):
        # Role changes go through the same service as everywhere else so is_staff/areas stay consistent.
        super().save_related(request, form, formsets, change)
        user = form.instance
        user_assign_role(
            user=user,
            role=user.role,
            kecamatan=list(user.moderated_kecamatan.all()),
            kelurahan=list(user.moderated_kelurahan.all()),
            opd=user.opd,
            is_opd_head=user.is_opd_head,
        )


@admin.register(PhoneCodeDevice)
class PhoneCodeDeviceAdmin(admin.ModelAdmin):
    """Read-only, for answering "my code did not come": when the last code was made, whether it was used,
    how many wrong tries it took. The code's hash is not shown; codes are only ever sent, by the worker."""

    list_display = ["user", "purpose", "valid_until", "spent", "throttling_failure_count", "last_used_at"]
    list_filter = ["purpose", "spent"]
    search_fields = ["user__phone", "user__display_name"]
    fields = ["user", "purpose", "valid_until", "spent", "throttling_failure_count", "created_at", "last_used_at"]
    readonly_fields = fields
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class KelurahanInline(admin.TabularInline):
    model = Kelurahan
    extra = 0
    fields = ["name", "slug"]


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "slug"]
    search_fields = ["name", "code"]
    inlines = [KelurahanInline]


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):
    list_display = ["name", "kecamatan", "slug"]
    list_filter = ["kecamatan"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_id", "name_en", "slug", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name_id", "name_en"]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name_id", "name_en", "slug", "order"]
