"""/api/v1/ routes of notifications and devices (included beside aspirasi.api.urls by backend/urls.py)."""

from django.urls import path

from notifications import api as notifications_api
from notifications import export

urlpatterns = [
    path("notifications/", notifications_api.NotificationsView.as_view(), name="notifications"),
    path("notifications/unread-count/", notifications_api.UnreadCountView.as_view(), name="notifications-unread-count"),
    path(
        "notifications/read-all/", notifications_api.NotificationsReadAllView.as_view(), name="notifications-read-all"
    ),
    path("notifications/<id:pk>/read/", notifications_api.NotificationReadView.as_view(), name="notification-read"),
    path(
        "me/notification-settings/",
        notifications_api.NotificationSettingsView.as_view(),
        name="notification-settings",
    ),
    path("devices/", notifications_api.DevicesView.as_view(), name="devices"),
    path("devices/<id:pk>/", notifications_api.DeviceView.as_view(), name="device"),
    # The caller's data, both apps' parts (notifications/export.py)
    path("me/export/", export.AccountExportView.as_view(), name="me-export"),
]
