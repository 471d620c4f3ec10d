"""GET /api/v1/me/export/: everything the service holds about the caller, as one JSON document.

It lives here because notifications is the app that may read both parts: aspirasi's (the domain's rows,
aspirasi/selectors/account_data.py, rendered by aspirasi/api/me.AccountDataOutput) and its own (the inbox,
preferences and devices); aspirasi never imports notifications (docs/architecture.md).
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.me import AccountDataOutput
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.selectors.account_data import account_data_for
from notifications.api import NotificationOutput, NotificationSettingsOutput
from notifications.models import Device
from notifications.selectors import notification_data_for


class ExportDeviceOutput(serializers.ModelSerializer):
    """A phone registered for push; its push token is left out (a credential of the push service)."""

    class Meta:
        model = Device
        fields = ["id", "platform", "active", "created_at", "updated_at"]
        read_only_fields = fields


class AccountExportOutput(AccountDataOutput):
    """Everything the service holds about the caller (docs/privacy.md says what is left out and why)."""

    exported_at = serializers.DateTimeField()
    notifications = NotificationOutput(many=True, help_text="The whole inbox, oldest first")
    notification_settings = NotificationSettingsOutput()
    devices = ExportDeviceOutput(many=True)


NO_STORE = OpenApiParameter(
    "Cache-Control",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="`no-store` (with `private`): the export is kept by no cache on the way.",
)


class AccountExportView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "export"
    no_store = True  # no ETag, no 304 (api/schema.py)

    @extend_schema(
        tags=["me"],
        responses={200: AccountExportOutput},
        parameters=[NO_STORE],
        description="Your data (UU 27/2022 PDP, the right of access): profile, proposals with their photos "
        "and timeline, reports, votes, flags, notifications, notification settings and devices. Limited "
        "per account (`export`, 5 per hour by default).",
    )
    def get(self, request):
        data = {
            "exported_at": timezone.now(),
            **account_data_for(user=request.user),
            **notification_data_for(user=request.user),
        }
        response = Response(AccountExportOutput(data, context={"request": request}).data)
        response["Cache-Control"] = "no-store"
        return response
