"""Photo reports (laporan): send one, browse the public ones, open one, list one's own."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import policies
from aspirasi.api.fields import CoordinateField, IdField, IdRelatedField, StrictCharField
from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.opd import FollowUpEventOutput, OpdOutput, SlaField
from aspirasi.api.pagination import CursorPage
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import PhoneNotVerified
from aspirasi.geo import LATITUDE_RANGE, LONGITUDE_RANGE
from aspirasi.models import Category, FollowUpEvent, Kelurahan, Report
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES
from aspirasi.selectors.reports import reports_of_author, reports_public, reports_visible_to
from aspirasi.services.reports import report_create

IMAGE_HELP = (
    "A photo: JPEG, PNG, WebP or HEIC, at most IMAGE_MAX_BYTES (10 MB) and IMAGE_MAX_PIXELS (40 MP). "
    "Refused with image_too_large, image_too_many_pixels, image_corrupt, image_unsupported_format or "
    "image_animated. Stored re-encoded as JPEG (2048 px at most) without any metadata."
)


class ReportCreateInput(serializers.Serializer):
    # A plain FileField: the image pipeline, not DRF's ImageField, decides and names what is wrong.
    image = serializers.FileField(allow_empty_file=True, help_text=IMAGE_HELP)
    description = StrictCharField(max_length=2000)
    category = IdRelatedField(queryset=Category.objects.filter(is_active=True))
    kelurahan = IdRelatedField(
        queryset=Kelurahan.objects.all(),
        required=False,
        help_text="Where the problem is. Required unless a point is given or the photo carries GPS; then, "
        "when omitted, the report is filed under the resident's own kelurahan marked "
        "`kelurahan_confirmed: false` for the moderators to confirm or relocate.",
    )
    # Numbers, as a proposal's point (a multipart form sends them as text, read the same way). Not nullable:
    # a form cannot send null (it would send the text "null"); a field left out or left empty is no point.
    latitude = CoordinateField(bounds=LATITUDE_RANGE, required=False, help_text="WGS84, with longitude")
    longitude = CoordinateField(bounds=LONGITUDE_RANGE, required=False, help_text="WGS84, with latitude")

    def validate(self, attrs):
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            missing = "longitude" if attrs.get("longitude") is None else "latitude"
            raise serializers.ValidationError(
                {missing: [_("Give both latitude and longitude, or neither.")]}, code="point_incomplete"
            )
        return attrs


class ReportAreaOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class ReportCategoryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language")


class ReportOutput(serializers.ModelSerializer):
    category = ReportCategoryOutput(read_only=True)
    kelurahan = ReportAreaOutput(read_only=True)
    kecamatan = ReportAreaOutput(source="kelurahan.kecamatan", read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    # Null only for a report filed through Open311 without a photo (origin `open311`).
    image = serializers.ImageField(
        read_only=True, allow_null=True, help_text="Re-encoded JPEG, at most 2048 px, no metadata"
    )
    thumbnail_large = serializers.ImageField(
        read_only=True, allow_null=True, help_text="About 1280 px on the long side"
    )
    thumbnail_small = serializers.ImageField(read_only=True, allow_null=True, help_text="About 320 px on the long side")
    resolution_image = serializers.ImageField(read_only=True, allow_null=True)
    opd = OpdOutput(read_only=True, allow_null=True, help_text="The OPD the report was forwarded to (docs/sla.md)")
    follow_up_state = serializers.CharField(
        read_only=True, help_text="Where it stands in the OPD loop; empty before any disposition (FollowUpState)"
    )
    sla = SlaField(help_text="The current stage's deadline and state; null when none runs")

    class Meta:
        model = Report
        fields = [
            "id",
            "status",
            "description",
            "category",
            "kelurahan",
            "kecamatan",
            "kelurahan_confirmed",
            "origin",
            "latitude",
            "longitude",
            "location_source",
            "image",
            "thumbnail_large",
            "thumbnail_small",
            "width",
            "height",
            "rejection_reason",
            "rejection_message",
            "resolution_note",
            "resolution_image",
            "linked_proposal",
            "opd",
            "follow_up_state",
            "sla",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, report):
        data = super().to_representation(report)
        request = self.context.get("request")
        user = request.user if request else None
        if data["latitude"] is not None and not policies.can_see_exact_report_location(user, report):
            # 3 decimals: about 110 m, enough to find the need on a map, not the front door.
            data["latitude"], data["longitude"] = round(data["latitude"], 3), round(data["longitude"], 3)
        return data


class ReportDetailOutput(ReportOutput):
    follow_up_timeline = FollowUpEventOutput(
        many=True, read_only=True, help_text="The OPD loop's public steps, oldest first; OPDs, never officers"
    )

    class Meta(ReportOutput.Meta):
        fields = [*ReportOutput.Meta.fields, "follow_up_timeline"]
        read_only_fields = fields


class ReportListQuery(serializers.Serializer):
    # Plain ids: an unknown one filters to an empty page rather than costing a lookup query.
    category = IdField(required=False, help_text="Category id")
    kelurahan = IdField(required=False, help_text="Kelurahan id")
    kecamatan = IdField(required=False, help_text="Kecamatan id")
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in PUBLIC_REPORT_STATUSES], required=False)


class ReportPagination(CursorPage):
    ordering = ("-created_at", "-id")


def _paginated(view: APIView, request, queryset) -> Response:
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(ReportOutput(page, many=True, context={"request": request}).data)


class ReportsView(APIView):
    parser_classes = [MultiPartParser]
    pagination_class = ReportPagination  # also tells drf-spectacular the list is cursor-paginated
    throttle_scope = "create"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["reports"],
        parameters=[ReportListQuery],
        responses={200: ReportOutput(many=True)},
        description="Public reports (verified, linked, resolved; not hidden), newest first.",
    )
    def get(self, request):
        query = ReportListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {
            "category_id": query.validated_data.get("category"),
            "kelurahan_id": query.validated_data.get("kelurahan"),
            "kelurahan__kecamatan_id": query.validated_data.get("kecamatan"),
            "status": query.validated_data.get("status"),
        }
        queryset = reports_public().filter(**{name: value for name, value in filters.items() if value is not None})
        return _paginated(self, request, queryset)

    @extend_schema(
        tags=["reports"],
        request={"multipart/form-data": ReportCreateInput},
        responses={201: ReportOutput, **domain_errors(PhoneNotVerified)},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="Send a photo report. Location: a point (latitude/longitude) if given; otherwise the "
        "photo's EXIF GPS; otherwise only the kelurahan, which is then required. Starts as `new`.",
    )
    @idempotent
    def post(self, request):
        data = ReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = report_create(author=request.user, **data.validated_data)
        return Response(ReportOutput(report, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ReportDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=["reports"], responses={200: ReportDetailOutput})
    def get(self, request, report_id: int):
        queryset = reports_visible_to(request.user).prefetch_related(
            Prefetch("follow_up_timeline", queryset=FollowUpEvent.objects.select_related("opd"))
        )
        report = get_object_or_404(queryset, pk=report_id)
        return Response(ReportDetailOutput(report, context={"request": request}).data)


class MyReportsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = ReportPagination

    @extend_schema(tags=["me"], responses={200: ReportOutput(many=True)}, description="Your reports, every status.")
    def get(self, request):
        return _paginated(self, request, reports_of_author(author=request.user))
