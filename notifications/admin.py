"""Admin for notifications, devices and push deliveries: for support staff tracing "I got no push"."""

from django.contrib import admin

from aspirasi.api.converters import IdConverter
from notifications.models import Device, MutedKind, Notification, NotificationSettings, PushDelivery


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__phone", "title"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "platform", "active", "created_at", "updated_at"]
    list_filter = ["platform", "active"]
    search_fields = ["user__phone", "token"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]


@admin.register(PushDelivery)
class PushDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "notification", "device", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["device__user__phone", "last_error"]
    raw_id_fields = ["notification", "device"]
    list_select_related = ["notification", "device"]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "push_enabled"]
    raw_id_fields = ["user"]

    def get_object(self, request, object_id, from_field=None):
        # The primary key is the user's (one-to-one): Django keeps an integer primary key's lookup within
        # the column's range, not a related one's, so an id past 64 bits reached the database (a 500).
        try:
            IdConverter().to_python(object_id)
        except ValueError:
            return None  # what the admin answers for any id it cannot read: "does not exist"
        return super().get_object(request, object_id, from_field)


@admin.register(MutedKind)
class MutedKindAdmin(admin.ModelAdmin):
    list_display = ["user", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
