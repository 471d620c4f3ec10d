"""Reads for notifications: the inbox, unread counts, preferences and devices (no per-row queries)."""

from django.db.models import Count, QuerySet

from notifications.models import Device, MutedKind, Notification, NotificationKind, NotificationSettings


def notifications_for(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's inbox, newest first; `unread` True/False filters by read state."""
    queryset = Notification.objects.filter(recipient=user).order_by("-id")
    if unread is not None:
        queryset = queryset.filter(read_at__isnull=unread)
    return queryset


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_counts(*, user_ids: set[int]) -> dict[int, int]:
    """Unread count per user in one query; users with none get 0."""
    counts = dict.fromkeys(user_ids, 0)
    rows = (
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    counts.update(rows)
    return counts


def notification_settings_for(*, user) -> dict:
    """{"push_enabled": bool, "kinds": {kind: enabled}} with every kind listed."""
    push = NotificationSettings.objects.filter(user=user).values_list("push_enabled", flat=True).first()
    muted = set(MutedKind.objects.filter(user=user).values_list("kind", flat=True))
    return {
        "push_enabled": True if push is None else push,
        "kinds": {kind: kind not in muted for kind in NotificationKind.values},
    }


def devices_for(*, user) -> QuerySet[Device]:
    return Device.objects.filter(user=user)


def notification_data_for(*, user) -> dict:
    """{"notifications", "notification_settings", "devices"} of `user`, for the export of their data
    (notifications/export.py), in four queries."""
    return {
        "notifications": list(Notification.objects.filter(recipient=user).order_by("id")),
        "notification_settings": notification_settings_for(user=user),
        "devices": list(Device.objects.filter(user=user).order_by("id")),
    }
