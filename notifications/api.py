"""The caller's notifications, notification settings and push devices."""

from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.fields import BoundedDictField, QueryBooleanField, StrictBooleanField, StrictCharField
from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.pagination import CursorPage
from notifications.models import Device, DevicePlatform, Notification, NotificationKind
from notifications.selectors import (
    devices_for,
    notification_settings_for,
    notification_unread_count,
    notifications_for,
)
from notifications.services import (
    device_register,
    device_remove,
    notification_mark_read,
    notification_settings_update,
    notifications_mark_all_read,
)


class NotificationOutput(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "target_type", "target_id", "data", "created_at", "read_at"]


class NotificationListQuery(serializers.Serializer):
    # Not nullable: the schema says boolean, so `unread=null` is a 400 rather than "all".
    unread = QueryBooleanField(required=False, help_text="true: only unread; false: only read; absent: all")


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllOutput(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were unread")
    unread = serializers.IntegerField()


def _kinds_schema(*, every: bool) -> dict:
    """The kinds as the object's properties, closed: a generated client gets one boolean per kind, and an
    unknown kind (`unknown_kind`) is outside the schema too."""
    schema = {
        "type": "object",
        "properties": {kind: {"type": "boolean"} for kind in NotificationKind.values},
        "additionalProperties": False,
    }
    return {**schema, "required": list(NotificationKind.values)} if every else schema


@extend_schema_field(_kinds_schema(every=True))
class _EveryKindField(serializers.DictField):
    pass


@extend_schema_field(_kinds_schema(every=False))
class _KindsField(BoundedDictField):
    pass


class NotificationSettingsOutput(serializers.Serializer):
    push_enabled = serializers.BooleanField()
    kinds = _EveryKindField(child=serializers.BooleanField(), help_text="Every kind: enabled or muted")


class NotificationSettingsInput(serializers.Serializer):
    push_enabled = StrictBooleanField(required=False)
    kinds = _KindsField(
        child=StrictBooleanField(),
        max_length=len(NotificationKind.values),
        required=False,
        help_text="Kinds to change: {kind: enabled}",
    )

    def validate_kinds(self, value: dict) -> dict:
        unknown = sorted(set(value) - set(NotificationKind.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown kinds: %(kinds)s") % {"kinds": ", ".join(unknown)}, code="unknown_kind"
            )
        return value


class DeviceInput(serializers.Serializer):
    platform = serializers.ChoiceField(choices=DevicePlatform.choices)
    # FCM tokens are [A-Za-z0-9_:-], APNs tokens hex: printable ASCII without spaces, the pattern stated.
    token = StrictCharField(
        max_length=512,
        validators=[RegexValidator(r"^[!-~]+$", message=_lazy("A push token has no spaces."), code="invalid_token")],
        help_text="FCM registration token or APNs device token",
    )


class DeviceOutput(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "platform", "active", "created_at"]


class NotificationPagination(CursorPage):
    ordering = "-id"


class NotificationsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = NotificationPagination  # also tells drf-spectacular the list is cursor-paginated

    @extend_schema(
        tags=["notifications"],
        parameters=[NotificationListQuery],
        responses={200: NotificationOutput(many=True)},
    )
    def get(self, request):
        query = NotificationListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            notifications_for(user=request.user, unread=query.validated_data.get("unread")), request, view=self
        )
        return paginator.get_paginated_response(NotificationOutput(page, many=True).data)


class UnreadCountView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], responses={200: UnreadCountOutput})
    def get(self, request):
        return Response({"unread": notification_unread_count(user=request.user)})


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], request=None, responses={200: NotificationOutput})
    def post(self, request, pk: int):
        notification = get_object_or_404(notifications_for(user=request.user), pk=pk)
        return Response(NotificationOutput(notification_mark_read(notification=notification)).data)


class NotificationsReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], request=None, responses={200: ReadAllOutput})
    def post(self, request):
        updated = notifications_mark_all_read(user=request.user)
        return Response({"updated": updated, "unread": notification_unread_count(user=request.user)})


class NotificationSettingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["me"], responses={200: NotificationSettingsOutput})
    def get(self, request):
        return Response(notification_settings_for(user=request.user))

    @extend_schema(tags=["me"], request=NotificationSettingsInput, responses={200: NotificationSettingsOutput})
    def patch(self, request):
        data = NotificationSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        notification_settings_update(user=request.user, **data.validated_data)
        return Response(notification_settings_for(user=request.user))


class DevicesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["devices"],
        request=DeviceInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: DeviceOutput, 200: DeviceOutput},
        description="Register this phone for push. The same token again returns the same device (200).",
    )
    @idempotent
    def post(self, request):
        data = DeviceInput(data=request.data)
        data.is_valid(raise_exception=True)
        device, created = device_register(user=request.user, **data.validated_data)
        return Response(DeviceOutput(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class DeviceView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["devices"], responses={204: None})
    def delete(self, request, pk: int):
        device_remove(device=get_object_or_404(devices_for(user=request.user), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
