"""Planning: Musrenbang cycles, ranked priorities with their score breakdown and exports, carrying
proposals between levels, and programs residents can follow."""

import tempfile
from types import SimpleNamespace

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import exports
from aspirasi.api.fields import MAX_ID, IdField, IdRelatedField
from aspirasi.api.permissions import CanPlan
from aspirasi.api.proposals import ProposalAreaOutput, VolumeField
from aspirasi.api.schema import domain_errors, error
from aspirasi.errors import CarriedFurther, ForumMismatch, NotCarriable, NotCarriedToKecamatan, NotLinkable
from aspirasi.models import Category, Cycle, Forum, Level, Program, ProgramUpdate, Proposal
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.selectors.planning import (
    BENEFICIARIES_REFERENCE,
    COST_PER_BENEFICIARY_REFERENCE,
    POOR_HOUSEHOLDS_REFERENCE,
    cycle_weights,
    cycles_list,
    priorities_for_cycle,
    priority_explain,
    priority_rows,
    priority_totals,
    program_detail,
    programs_list,
)
from aspirasi.services.cycles import cycle_current
from aspirasi.services.planning import program_link_proposal, proposal_carry, proposal_uncarry


class _FormatIsAnExport(DefaultContentNegotiation):
    """On the priorities endpoint `format=` names an export file, not one of DRF's renderers."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


# --- cycles ------------------------------------------------------------------------------------------


class CyclePhaseOutput(serializers.Serializer):
    phase = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, help_text="Last day of the phase; null for `closed`")


class CycleOutput(serializers.ModelSerializer):
    current_phase = serializers.CharField(
        read_only=True, help_text="upcoming, submission, review, voting, deliberation or closed"
    )
    phases = CyclePhaseOutput(source="phase_dates", many=True, read_only=True)
    weights = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = ["id", "name", "current_phase", "vote_scope", "phases", "weights"]

    def get_weights(self, cycle) -> dict[str, float]:
        return cycle_weights(cycle)


class CyclesView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(tags=["planning"], responses={200: CycleOutput(many=True)})
    def get(self, request):
        return Response(CycleOutput(cycles_list(), many=True).data)


# --- priorities --------------------------------------------------------------------------------------


class PrioritiesQuery(serializers.Serializer):
    cycle = IdRelatedField(
        queryset=Cycle.objects.all(), required=False, help_text="Cycle id; default the current cycle"
    )
    level = serializers.ChoiceField(choices=Level.choices, default=Level.KELURAHAN)
    area = IdField(required=False, help_text="A kelurahan id (level=kelurahan) or kecamatan id (level=kecamatan)")
    category = IdRelatedField(queryset=Category.objects.all(), required=False)
    format = serializers.ChoiceField(
        choices=exports.FORMATS, required=False, help_text="Download every row as a file instead of a page"
    )
    sheets = serializers.ChoiceField(
        choices=["area", "level"], default="area", help_text="XLSX: one sheet per area or one for the level"
    )
    limit = serializers.IntegerField(
        default=100, min_value=1, max_value=1000, help_text="Page size (ignored by exports)"
    )
    offset = serializers.IntegerField(default=0, min_value=0, max_value=MAX_ID)


class AreaRefOutput(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class PillarRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    name_id = serializers.CharField()


class ScoreTermOutput(serializers.Serializer):
    term = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(help_text="The term, 0 to 1")
    weight = serializers.FloatField(help_text="The cycle's weight of the term")
    contribution = serializers.FloatField(help_text="Points of the 0-100 score: 100 * weight * value / sum(weights)")


class CarriedOutput(serializers.Serializer):
    kecamatan = serializers.IntegerField(allow_null=True, help_text="Forum rank when carried to kecamatan")
    city = serializers.IntegerField(allow_null=True, help_text="Forum rank when carried to the city")


class PriorityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    rank = serializers.IntegerField(help_text="Rank within the area and pillar")
    title = serializers.CharField()
    status = serializers.CharField()
    area = AreaRefOutput()
    pillar = PillarRefOutput()
    kelurahan = AreaRefOutput()
    kecamatan = AreaRefOutput()
    rt = serializers.CharField()
    rw = serializers.CharField()
    volume = VolumeField(read_only=True, allow_null=True)
    unit = serializers.CharField()
    estimated_cost = serializers.IntegerField(allow_null=True)
    opd = serializers.CharField(allow_null=True)
    vote_count = serializers.IntegerField()
    estimated_beneficiaries = serializers.IntegerField(allow_null=True)
    estimated_poor_households = serializers.IntegerField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(help_text="0 to 100")
    breakdown = ScoreTermOutput(many=True)
    carried = CarriedOutput()
    created_at = serializers.DateTimeField()


class PriorityTotalOutput(serializers.Serializer):
    area = AreaRefOutput()
    pillar = PillarRefOutput()
    count = serializers.IntegerField()
    votes = serializers.IntegerField()
    beneficiaries = serializers.IntegerField()
    estimated_cost = serializers.IntegerField()


class FormulaOutput(serializers.Serializer):
    weights = serializers.DictField(child=serializers.FloatField())
    references = serializers.DictField(child=serializers.IntegerField())
    score = serializers.CharField()
    tie_break = serializers.ListField(child=serializers.CharField())


class PrioritiesOutput(serializers.Serializer):
    cycle = CycleOutput(allow_null=True)
    level = serializers.CharField()
    formula = FormulaOutput()
    count = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    totals = PriorityTotalOutput(many=True)
    results = PriorityOutput(many=True)


class PrioritiesExportMetaOutput(serializers.Serializer):
    cycle = serializers.CharField(allow_null=True, help_text="The cycle's name")
    level = serializers.CharField()
    formula = FormulaOutput()


class PrioritiesExportOutput(serializers.Serializer):
    """`format=json`: every row (the page's rows, all of them) under the export's meta."""

    meta = PrioritiesExportMetaOutput()
    results = PriorityOutput(many=True)


# One application/json answer, two shapes that a client tells apart by their required properties: a page
# without `format`, the export with `format=json`.
PRIORITIES_JSON = PolymorphicProxySerializer(
    component_name="PrioritiesJsonOutput",
    serializers=[PrioritiesOutput, PrioritiesExportOutput],
    resource_type_field_name=None,
)


def _formula(cycle: Cycle | None) -> dict:
    return {
        "weights": cycle_weights(cycle),
        "references": {
            "beneficiaries": BENEFICIARIES_REFERENCE,
            "poor_households": POOR_HOUSEHOLDS_REFERENCE,
            "cost_per_beneficiary": COST_PER_BENEFICIARY_REFERENCE,
        },
        "score": "100 * sum(weight * term) / sum(weight); see docs/planning.md",
        "tie_break": ["score desc", "votes desc", "created_at asc", "id asc"],
    }


# The query serializer itself: the schema states each parameter's type and bounds as the server reads them.
_PRIORITY_PARAMETERS = [PrioritiesQuery]


class PrioritiesView(APIView):
    permission_classes = [CanPlan]
    content_negotiation_class = _FormatIsAnExport

    @extend_schema(
        tags=["planning"],
        parameters=_PRIORITY_PARAMETERS,
        responses={
            (200, "application/json"): OpenApiResponse(
                PRIORITIES_JSON,
                description="A page of ranked rows (PrioritiesOutput); with `format=` a csv/xlsx/json/geojson "
                "file of every row (`format=json`: PrioritiesExportOutput)",
            ),
            # The export files (format=csv, xlsx, geojson), streamed: no ETag.
            (200, "text/csv"): OpenApiTypes.STR,
            (200, exports.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            (200, exports.CONTENT_TYPES["geojson"]): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        query = PrioritiesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cycle = params["cycle"] if "cycle" in params else cycle_current()
        filters = {
            "cycle": cycle,
            "level": params["level"],
            "area_id": params.get("area"),
            "category_id": params["category"].pk if "category" in params else None,
        }
        if "format" in params:
            return _export_response(cycle=cycle, fmt=params["format"], sheets=params["sheets"], filters=filters)
        totals = priority_totals(**filters)
        weights = cycle_weights(cycle)
        start = params["offset"]
        page = priorities_for_cycle(**filters)[start : start + params["limit"]]
        body = {
            "cycle": CycleOutput(cycle).data if cycle else None,
            "level": params["level"],
            "formula": _formula(cycle),
            "count": sum(t["count"] for t in totals),
            "limit": params["limit"],
            "offset": start,
            "totals": totals,
            "results": [priority_explain(row, level=params["level"], weights=weights) for row in page],
        }
        return Response(body)


def _export_response(*, cycle: Cycle | None, fmt: str, sheets: str, filters: dict):
    filename = exports.export_filename(cycle_name=cycle.name if cycle else None, level=filters["level"], fmt=fmt)
    rows = priority_rows(**filters)
    if fmt == "xlsx":
        # write-only workbook spilled to a temporary file, then streamed from disk
        target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        exports.xlsx_write(
            rows, totals=priority_totals(**filters), target=target, sheets=sheets, level_title=filters["level"]
        )
        target.seek(0)
        return FileResponse(target, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPES[fmt])
    if fmt == "csv":
        chunks = exports.csv_chunks(rows)
    elif fmt == "geojson":
        chunks = exports.geojson_chunks(rows)
    else:
        meta = {"cycle": cycle.name if cycle else None, "level": filters["level"], "formula": _formula(cycle)}
        chunks = exports.json_chunks(rows, meta=meta)
    response = StreamingHttpResponse(chunks, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CarryQuery(serializers.Serializer):
    """Which carry: a proposal and the level it was carried into."""

    proposal = IdRelatedField(queryset=Proposal.objects.all())
    level = serializers.ChoiceField(choices=[Level.KECAMATAN, Level.CITY], help_text="The level it is carried into")


class CarryInput(CarryQuery):
    rank = serializers.IntegerField(min_value=1, max_value=32767, help_text="The forum's agreed rank")
    forum = IdRelatedField(
        queryset=Forum.objects.all(),
        required=False,
        help_text="The forum (of the proposal's area at the level below) that decided the carry",
    )


class CarryOutput(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    level = serializers.CharField()
    rank = serializers.IntegerField()
    forum = serializers.IntegerField(source="forum_id", allow_null=True)
    carried_at = serializers.DateTimeField()


class CarryView(APIView):
    permission_classes = [CanPlan]

    @extend_schema(
        tags=["planning"],
        request=CarryInput,
        responses={201: CarryOutput, **domain_errors(NotCarriable, NotCarriedToKecamatan, ForumMismatch)},
    )
    def post(self, request):
        data = CarryInput(data=request.data)
        data.is_valid(raise_exception=True)
        carried = proposal_carry(**data.validated_data, actor=request.user)
        return Response(CarryOutput(carried).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["planning"],
        parameters=[CarryQuery],
        responses={204: None, 404: error("`not_found`: not carried to that level"), **domain_errors(CarriedFurther)},
    )
    def delete(self, request):
        data = CarryQuery(data=request.query_params)
        data.is_valid(raise_exception=True)
        if not proposal_uncarry(proposal=data.validated_data["proposal"], level=data.validated_data["level"]):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- programs ----------------------------------------------------------------------------------------


class ProgramOpdOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class ProgramOutput(serializers.ModelSerializer):
    opd = ProgramOpdOutput(read_only=True)
    pillar = serializers.CharField(source="category.name", read_only=True)
    cycle = serializers.CharField(source="cycle.name", read_only=True, allow_null=True, default=None)
    proposal_count = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="planned, running or done")

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "description",
            "opd",
            "pillar",
            "cycle",
            "budget",
            "period_start",
            "period_end",
            "status",
            "progress_percent",
            "proposal_count",
            "updated_at",
        ]


class ProgramUpdateOutput(serializers.ModelSerializer):
    photo = serializers.ImageField(read_only=True, allow_null=True, use_url=True)

    class Meta:
        model = ProgramUpdate
        fields = ["id", "date", "note", "photo", "progress_percent"]


class ProgramProposalOutput(serializers.ModelSerializer):
    kelurahan = ProposalAreaOutput(read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "title", "status", "kelurahan", "vote_count"]


class ProgramDetailOutput(ProgramOutput):
    updates = ProgramUpdateOutput(many=True, read_only=True)
    proposals = ProgramProposalOutput(many=True, read_only=True)

    class Meta(ProgramOutput.Meta):
        fields = [*ProgramOutput.Meta.fields, "updates", "proposals"]


class ProgramsQuery(serializers.Serializer):
    proposal = IdField(required=False, help_text="Only the program carrying out this public proposal")
    cycle = IdField(required=False)
    limit = serializers.IntegerField(default=50, min_value=1, max_value=200)
    offset = serializers.IntegerField(default=0, min_value=0, max_value=MAX_ID)


class ProgramsView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        tags=["programs"],
        parameters=[ProgramsQuery],
        responses={200: ProgramOutput(many=True)},
    )
    def get(self, request):
        query = ProgramsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        programs = programs_list(proposal_id=params.get("proposal"), cycle_id=params.get("cycle"))
        page = programs[params["offset"] : params["offset"] + params["limit"]]
        return Response(ProgramOutput(page, many=True, context={"request": request}).data)


class ProgramDetailView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(tags=["programs"], responses={200: ProgramDetailOutput})
    def get(self, request, program_id: int):
        try:
            program = program_detail(program_id=program_id)
        except Program.DoesNotExist:
            raise NotFound() from None
        return Response(ProgramDetailOutput(program, context={"request": request}).data)


class ProgramLinkInput(serializers.Serializer):
    proposal = IdRelatedField(queryset=Proposal.objects.filter(status__in=PUBLIC_STATUSES))


class ProgramProposalsView(APIView):
    permission_classes = [CanPlan]

    @extend_schema(
        tags=["programs"],
        request=ProgramLinkInput,
        responses={201: ProgramProposalOutput, **domain_errors(NotLinkable)},
    )
    def post(self, request, program_id: int):
        program = get_object_or_404(Program, pk=program_id)
        data = ProgramLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = program_link_proposal(program=program, proposal=data.validated_data["proposal"], actor=request.user)
        return Response(ProgramProposalOutput(proposal).data, status=status.HTTP_201_CREATED)
