"""Planning (issue 24): pagu indikatif per area and level, the funded shortlist with its reasons, and the
planners' pins and exclusions. Planners and admins only (policies.can_plan)."""

import tempfile
from types import SimpleNamespace

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import exports
from aspirasi.api.fields import IdField, IdRelatedField
from aspirasi.api.permissions import CanPlan
from aspirasi.api.schema import domain_errors, error
from aspirasi.errors import AreaMismatch, NotShortlistable, PaguExists, PaguMissing
from aspirasi.models import AreaBudget, Cycle, Level, PaguSource, Proposal, ShortlistDecisionKind
from aspirasi.models.planning import MAX_PAGU
from aspirasi.selectors.planning import CITY_NAME
from aspirasi.selectors.shortlist import REASON_CODES, SOLVER, area_name, budgets_of, shortlist_for
from aspirasi.selectors.td4 import carried_td4_rows, shortlist_td4_rows
from aspirasi.services.budgets import pagu_create, pagu_update, shortlist_decide, shortlist_undecide
from aspirasi.services.cycles import cycle_current


class _FormatIsAFile(DefaultContentNegotiation):
    """`format=` names the export file (csv, xlsx), not one of DRF's renderers."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


_AMOUNT = {"min_value": 1, "max_value": MAX_PAGU, "help_text": "Rupiah, a whole number"}


class BudgetAreaOutput(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Kelurahan or kecamatan id; null for the city")
    name = serializers.CharField()


class BudgetOutput(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.IntegerField(source="cycle_id")
    level = serializers.ChoiceField(choices=Level.choices)
    area = serializers.SerializerMethodField()
    amount = serializers.IntegerField(help_text="Rupiah")
    source = serializers.ChoiceField(choices=PaguSource.choices)
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(BudgetAreaOutput)
    def get_area(self, budget) -> dict:
        area = budget.kelurahan if budget.level == Level.KELURAHAN else budget.kecamatan
        return {"id": budget.area_id, "name": area.name if area is not None else CITY_NAME}


class BudgetsQuery(serializers.Serializer):
    cycle = IdRelatedField(queryset=Cycle.objects.all(), required=False, help_text="Default: the current cycle")
    level = serializers.ChoiceField(choices=Level.choices, required=False)


class BudgetCreateInput(serializers.Serializer):
    cycle = IdRelatedField(queryset=Cycle.objects.all())
    level = serializers.ChoiceField(choices=Level.choices)
    area = IdField(required=False, allow_null=True, help_text="Kelurahan or kecamatan id; null or absent: city")
    amount = serializers.IntegerField(**_AMOUNT)
    source = serializers.ChoiceField(choices=PaguSource.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class BudgetUpdateInput(serializers.Serializer):
    amount = serializers.IntegerField(required=False, **_AMOUNT)
    source = serializers.ChoiceField(choices=PaguSource.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class BudgetsView(APIView):
    permission_classes = [CanPlan]

    @extend_schema(tags=["planning"], parameters=[BudgetsQuery], responses={200: BudgetOutput(many=True)})
    def get(self, request):
        query = BudgetsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        cycle = query.validated_data.get("cycle") or cycle_current()
        if cycle is None:
            return Response([])
        levels = [query.validated_data["level"]] if "level" in query.validated_data else list(Level.values)
        rows = [budget for level in levels for budget in budgets_of(cycle=cycle, level=level)]
        return Response(BudgetOutput(rows, many=True).data)

    @extend_schema(
        tags=["planning"],
        request=BudgetCreateInput,
        responses={201: BudgetOutput, **domain_errors(AreaMismatch, PaguExists)},
    )
    def post(self, request):
        data = BudgetCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        budget = pagu_create(
            cycle=values["cycle"],
            level=values["level"],
            area_id=values.get("area"),
            amount=values["amount"],
            source=values["source"],
            note=values.get("note", ""),
            actor=request.user,
        )
        return Response(BudgetOutput(budget).data, status=status.HTTP_201_CREATED)


class BudgetDetailView(APIView):
    permission_classes = [CanPlan]

    @extend_schema(tags=["planning"], request=BudgetUpdateInput, responses={200: BudgetOutput})
    def patch(self, request, budget_id: int):
        budget = get_object_or_404(AreaBudget.objects.select_related("kelurahan", "kecamatan"), pk=budget_id)
        data = BudgetUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        budget = pagu_update(budget=budget, actor=request.user, **data.validated_data)
        return Response(BudgetOutput(budget).data)


# --- the shortlist -----------------------------------------------------------------------------------


class ShortlistQuery(serializers.Serializer):
    cycle = IdRelatedField(queryset=Cycle.objects.all(), required=False, help_text="Default: the current cycle")
    level = serializers.ChoiceField(choices=Level.choices, default=Level.KELURAHAN)
    area = IdField(
        required=False, help_text="Kelurahan (level kelurahan) or kecamatan id; absent: every area with a pagu"
    )


class ShortlistReasonOutput(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=REASON_CODES,
        help_text="fits, over_remaining_pagu, no_cost_estimate, pinned or excluded (stable; switch on it)",
    )
    text = serializers.CharField(help_text="The reason in the request's language")
    over_by = serializers.IntegerField(
        allow_null=True, help_text="over_remaining_pagu: rupiah above what the shortlist leaves of the pagu"
    )


class ShortlistDecisionRefOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ShortlistDecisionKind.choices)
    reason = serializers.CharField()


class ShortlistProposalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    rank = serializers.IntegerField(help_text="Rank in the area by priority score (the tie-break of priorities)")
    kelurahan = BudgetAreaOutput()
    score = serializers.FloatField(help_text="Priority score, 0 to 100")
    vote_count = serializers.IntegerField()
    estimated_cost = serializers.IntegerField(allow_null=True, help_text="Rupiah; null: no cost estimate")
    in_shortlist = serializers.BooleanField(help_text="In the optimal shortlist (pins included)")
    in_greedy = serializers.BooleanField(help_text="In the greedy by-rank list")
    decision = ShortlistDecisionRefOutput(allow_null=True)
    reason = ShortlistReasonOutput()


class ShortlistTotalsOutput(serializers.Serializer):
    count = serializers.IntegerField()
    total_cost = serializers.IntegerField()
    total_score = serializers.FloatField()
    remaining = serializers.IntegerField(help_text="Pagu minus total cost; negative when pins exceed the pagu")


class ShortlistPaguOutput(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.IntegerField()
    source = serializers.ChoiceField(choices=PaguSource.choices)


class ShortlistAreaOutput(serializers.Serializer):
    area = BudgetAreaOutput()
    pagu = ShortlistPaguOutput()
    solver = serializers.CharField()
    shortlist = ShortlistTotalsOutput(help_text="The exact optimum: most total score within the pagu")
    greedy = ShortlistTotalsOutput(help_text="Down the ranking, each proposal that still fits")
    pins_over_pagu = serializers.BooleanField()
    remaining = serializers.IntegerField()
    greedy_remaining = serializers.IntegerField()
    proposals = ShortlistProposalOutput(many=True, help_text="Proposals with a cost estimate, by rank")
    without_cost_estimate = ShortlistProposalOutput(many=True, help_text="Listed apart: no cost to check")


class ShortlistCycleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    current_phase = serializers.CharField()


class ShortlistOutput(serializers.Serializer):
    cycle = ShortlistCycleOutput(allow_null=True, help_text="null: no cycle has started (and no areas)")
    level = serializers.ChoiceField(choices=Level.choices)
    solver = serializers.CharField(help_text="highs: HiGHS MIP after exact reduced-cost fixing")
    areas = ShortlistAreaOutput(many=True)


def shortlist_body(*, cycle: Cycle, level: str, area_id: int | None, strict: bool = True) -> dict:
    """The shortlist answer (also embedded by the public results). Raises AreaMismatch, and PaguMissing when
    `strict` and the area has no pagu."""
    if area_id is not None and area_name(level, area_id) is None:
        raise AreaMismatch.on_field("area")
    areas = shortlist_for(cycle=cycle, level=level, area_id=area_id)
    if strict and area_id is not None and not areas:
        raise PaguMissing()
    cycle_ref = {"id": cycle.pk, "name": cycle.name, "current_phase": cycle.current_phase}
    return {"cycle": cycle_ref, "level": level, "solver": SOLVER, "areas": areas}


class ShortlistView(APIView):
    permission_classes = [CanPlan]

    @extend_schema(
        tags=["planning"],
        parameters=[ShortlistQuery],
        responses={200: ShortlistOutput, **domain_errors(AreaMismatch, PaguMissing)},
    )
    def get(self, request):
        query = ShortlistQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cycle = params.get("cycle") or cycle_current()
        level = params["level"]
        if cycle is None:
            return Response({"cycle": None, "level": level, "solver": SOLVER, "areas": []})
        if level == Level.CITY and "area" in params:
            raise AreaMismatch.on_field("area")
        return Response(shortlist_body(cycle=cycle, level=level, area_id=params.get("area")))


class ShortlistDecisionQuery(serializers.Serializer):
    cycle = IdRelatedField(queryset=Cycle.objects.all())
    level = serializers.ChoiceField(choices=Level.choices)
    proposal = IdRelatedField(queryset=Proposal.objects.all())


class ShortlistDecisionInput(ShortlistDecisionQuery):
    kind = serializers.ChoiceField(choices=ShortlistDecisionKind.choices, help_text="pin or exclude")
    reason = serializers.CharField(max_length=500, help_text="Why; shown beside the proposal and audited")


class ShortlistDecisionOutput(serializers.Serializer):
    cycle = serializers.IntegerField(source="cycle_id")
    level = serializers.ChoiceField(choices=Level.choices)
    proposal = serializers.IntegerField(source="proposal_id")
    kind = serializers.ChoiceField(choices=ShortlistDecisionKind.choices)
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()


class ShortlistDecisionsView(APIView):
    permission_classes = [CanPlan]

    @extend_schema(
        tags=["planning"],
        request=ShortlistDecisionInput,
        responses={200: ShortlistDecisionOutput, **domain_errors(NotShortlistable)},
        description="Pin or exclude a proposal (replacing an earlier decision on it at that level).",
    )
    def put(self, request):
        data = ShortlistDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = shortlist_decide(**data.validated_data, actor=request.user)
        return Response(ShortlistDecisionOutput(decision).data)

    @extend_schema(
        tags=["planning"],
        parameters=[ShortlistDecisionQuery],
        responses={204: None, 404: error("`not_found`: no pin or exclusion of it at that level")},
    )
    def delete(self, request):
        data = ShortlistDecisionQuery(data=request.query_params)
        data.is_valid(raise_exception=True)
        if not shortlist_undecide(**data.validated_data, actor=request.user):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the T-D.4 export (Permendagri 86/2017) -----------------------------------------------------------


class Td4Query(serializers.Serializer):
    cycle = IdRelatedField(queryset=Cycle.objects.all(), required=False, help_text="Default: the current cycle")
    list = serializers.ChoiceField(
        choices=["shortlist", "carried"], help_text="shortlist: the funded shortlist; carried: the carried list"
    )
    level = serializers.ChoiceField(
        choices=Level.choices, default=Level.KELURAHAN, help_text="carried: kecamatan or city (carried into)"
    )
    area = IdField(required=False, help_text="Kelurahan or kecamatan id; absent: every area")
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


class Td4ExportView(APIView):
    permission_classes = [CanPlan]
    content_negotiation_class = _FormatIsAFile

    @extend_schema(
        tags=["planning"],
        parameters=[Td4Query],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, exports.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            **domain_errors(AreaMismatch),
        },
        description="The shortlist or the carried list in the column order of Permendagri 86/2017's T-D.4 table "
        "(docs/planning.md); the carried list adds the forum of each carry. No cycle started: the headers only.",
    )
    def get(self, request):
        query = Td4Query(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cycle = params.get("cycle") or cycle_current()
        level, area_id, which, fmt = params["level"], params.get("area"), params["list"], params["format"]
        if (area_id is not None and area_name(level, area_id) is None) or (
            which == "carried" and level == Level.KELURAHAN
        ):
            raise AreaMismatch.on_field("area")
        select = shortlist_td4_rows if which == "shortlist" else carried_td4_rows
        rows = select(cycle=cycle, level=level, area_id=area_id) if cycle else []  # no cycle: the headers only
        filename = exports.td4_filename(
            cycle_name=cycle.name if cycle else "tanpa-siklus", which=which, level=level, fmt=fmt
        )
        if fmt == "xlsx":
            target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
            exports.td4_xlsx_write(rows, which=which, target=target)
            target.seek(0)
            return FileResponse(target, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPES[fmt])
        # Whole, not streamed: the rows are in memory already (the knapsack reads them all); it gets an ETag.
        text = "".join(exports.td4_csv_chunks(rows, which=which))
        response = HttpResponse(text, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
