"""The OPD loop over the API (docs/sla.md): the OPD's inbox and follow-ups, the reporter's confirmation."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import policies, sla
from aspirasi.api.fields import StrictBooleanField, StrictCharField
from aspirasi.api.pagination import CursorPage
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import (
    FollowUpNotAllowed,
    NotAwaitingConfirmation,
    NotTheReporter,
    NotYourOpd,
    ProofPhotoRequired,
    ReasonRequired,
)
from aspirasi.models import Disposition, DispositionState, FollowUpStep
from aspirasi.selectors.opd import opd_inbox
from aspirasi.selectors.reports import reports_visible_to
from aspirasi.services import dispositions as services

IMAGE_HELP = "A photo: JPEG, PNG, WebP or HEIC, checked and re-encoded as a report's photo (image_* codes)."
TEXT_MAX = 2000


class SlaOutput(serializers.Serializer):
    stage = serializers.ChoiceField(choices=sla.STAGES)
    due_at = serializers.DateTimeField(help_text="WITA midnight ending the stage's last working day")
    state = serializers.ChoiceField(choices=sla.STATES, help_text="due_soon within SLA_DUE_SOON_HOURS")


class OpdOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


@extend_schema_field(SlaOutput(allow_null=True))
class SlaField(serializers.Field):
    """An item's current stage, its deadline and state; null when no deadline runs."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, item):
        clock = sla.report_clock(item)
        return SlaOutput(clock.as_dict()).data if clock else None


class FollowUpEventOutput(serializers.Serializer):
    step = serializers.ChoiceField(choices=FollowUpStep.choices)
    opd = OpdOutput(help_text="The OPD that acted, or that the step concerns; never the officer")
    message = serializers.CharField()
    photo = serializers.ImageField(allow_null=True)
    created_at = serializers.DateTimeField()


class Open311SideOutput(serializers.Serializer):
    address_string = serializers.CharField(allow_null=True, help_text="The address the filing system gave")
    media_url = serializers.URLField(
        allow_null=True, help_text="The filer's photo link (public http(s); the server never fetches it)"
    )


class InboxItemOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=["report", "proposal"])
    id = serializers.IntegerField()
    description = serializers.CharField(help_text="The report's description or the proposal's title")
    kelurahan = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    open311 = Open311SideOutput(
        allow_null=True, help_text="A report filed through Open311 (docs/open311.md): what its filer sent; else null"
    )


class DispositionOutput(serializers.ModelSerializer):
    opd = OpdOutput(read_only=True)
    item = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    proof_photo = serializers.ImageField(read_only=True, allow_null=True)

    class Meta:
        model = Disposition
        fields = [
            "id",
            "opd",
            "item",
            "state",
            "is_reopen",
            "note",
            "reason",
            "done_note",
            "proof_photo",
            "due_at",
            "sla",
            "created_at",
            "accepted_at",
            "started_at",
            "done_at",
            "returned_at",
        ]
        read_only_fields = fields

    @extend_schema_field(InboxItemOutput)
    def get_item(self, disposition):
        if disposition.report_id:
            report = disposition.report
            filed = getattr(report, "open311_request", None)  # read with the rows (selectors.opd.opd_inbox)
            return {
                "type": "report",
                "id": report.pk,
                "description": report.description[:200],
                "kelurahan": report.kelurahan.name,
                "category": report.category.name,
                "open311": {"address_string": filed.address_string or None, "media_url": filed.media_url or None}
                if filed
                else None,
            }
        proposal = disposition.proposal
        return {
            "type": "proposal",
            "id": proposal.pk,
            "description": proposal.title,
            "kelurahan": proposal.kelurahan.name,
            "category": None,
            "open311": None,
        }

    @extend_schema_field(SlaOutput(allow_null=True))
    def get_sla(self, disposition):
        clock = sla.disposition_clock(disposition.state, disposition.due_at)
        return SlaOutput(clock.as_dict()).data if clock else None


class IsOpdOfficer(BasePermission):
    def has_permission(self, request, view):
        return policies.is_opd_officer(request.user)


class InboxPagination(CursorPage):
    ordering = ("due_at", "id")


class InboxQuery(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["open", "all"], required=False, help_text="open (default): forwarded, accepted, in progress"
    )


class OpdInboxView(APIView):
    permission_classes = [IsAuthenticated, IsOpdOfficer]
    pagination_class = InboxPagination

    @extend_schema(
        tags=["opd"],
        parameters=[InboxQuery],
        responses={200: DispositionOutput(many=True)},
        description="What was forwarded to your OPD (every officer sees the OPD's items), nearest deadline first.",
    )
    def get(self, request):
        query = InboxQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = opd_inbox(user=request.user, open_only=query.validated_data.get("state", "open") == "open")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(DispositionOutput(page, many=True, context={"request": request}).data)


class FollowUpInput(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[s for s in DispositionState.values if s != DispositionState.FORWARDED],
        help_text="done needs note and photo; not_ours needs reason",
    )
    note = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    reason = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    photo = serializers.FileField(required=False, allow_empty_file=True, help_text=IMAGE_HELP)


class FollowUpView(APIView):
    permission_classes = [IsAuthenticated, IsOpdOfficer]
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "follow_up"

    @extend_schema(
        tags=["opd"],
        request={"multipart/form-data": FollowUpInput},
        responses={
            200: DispositionOutput,
            **domain_errors(NotYourOpd, FollowUpNotAllowed, ProofPhotoRequired, ReasonRequired),
        },
        description="The OPD's follow-up (tindak lanjut) on a disposition: accepted, in_progress, done (note and "
        "proof photo) or not_ours (reason; the item goes back to the moderators). On the item's public "
        "timeline as the OPD; the reporter is notified.",
    )
    def post(self, request, disposition_id: int):
        disposition = get_object_or_404(Disposition, pk=disposition_id)
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        disposition = services.follow_up_record(disposition=disposition, actor=request.user, **data.validated_data)
        disposition = opd_inbox(user=request.user, open_only=False).get(pk=disposition.pk)
        return Response(DispositionOutput(disposition, context={"request": request}).data)


class ConfirmationInput(serializers.Serializer):
    fixed = StrictBooleanField(help_text="true: the problem is fixed; false: reopen it to the same OPD")
    comment = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class ConfirmationPhotoInput(serializers.Serializer):
    photo = serializers.FileField(allow_empty_file=True, help_text=IMAGE_HELP)


class ConfirmationView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "confirmation"

    @extend_schema(
        tags=["reports"],
        request=ConfirmationInput,
        responses={201: FollowUpEventOutput, **domain_errors(NotTheReporter, NotAwaitingConfirmation)},
        description="The reporter confirms the OPD's fix or reopens it, within SLA_CONFIRMATION_DAYS working "
        "days of `done` (afterwards the report is closed automatically). A photo: POST .../confirmation/photo/.",
    )
    def post(self, request, report_id: int):
        report = get_object_or_404(reports_visible_to(request.user), pk=report_id)
        if not policies.can_confirm_fix(request.user, report):
            raise NotTheReporter()  # before the body: a stranger learns nothing from its validation
        data = ConfirmationInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.report_confirm(report=report, actor=request.user, **data.validated_data)
        return Response(FollowUpEventOutput(entry, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ConfirmationPhotoView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "confirmation"

    @extend_schema(
        tags=["reports"],
        request={"multipart/form-data": ConfirmationPhotoInput},
        responses={200: FollowUpEventOutput, **domain_errors(NotTheReporter, NotAwaitingConfirmation)},
        description="A photo for your latest confirmation or reopen (once).",
    )
    def post(self, request, report_id: int):
        report = get_object_or_404(reports_visible_to(request.user), pk=report_id)
        if not policies.can_confirm_fix(request.user, report):
            raise NotTheReporter()  # before the body: a stranger learns nothing from its validation
        data = ConfirmationPhotoInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.report_confirmation_photo_add(report=report, actor=request.user, **data.validated_data)
        return Response(FollowUpEventOutput(entry, context={"request": request}).data)
