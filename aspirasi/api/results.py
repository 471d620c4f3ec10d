"""Public results of a Musrenbang level (issue 24): ranks with the score breakdown, the funded shortlist and
the forum record, public once the cycle has closed (policies.can_read_results), planners' only before.

Priority rows name no author (as the proposals list hides an anonymous one, these hide all): a title, an
area, counts and the score."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import policies
from aspirasi.api.budgets import ShortlistAreaOutput, ShortlistCycleOutput, shortlist_body
from aspirasi.api.fields import MAX_ID, IdField, IdRelatedField
from aspirasi.api.forums import ForumOutput
from aspirasi.api.planning import PriorityOutput
from aspirasi.api.schema import domain_errors
from aspirasi.errors import AreaMismatch, ResultsNotPublic
from aspirasi.models import Cycle, Level
from aspirasi.selectors.forums import forums_list, paper_support_of
from aspirasi.selectors.planning import cycle_weights, priorities_for_cycle, priority_explain
from aspirasi.services.cycles import cycle_current


class ResultsQuery(serializers.Serializer):
    cycle = IdRelatedField(queryset=Cycle.objects.all(), required=False, help_text="Default: the current cycle")
    level = serializers.ChoiceField(choices=Level.choices, default=Level.KELURAHAN)
    area = IdField(required=False, help_text="Kelurahan or kecamatan id (required below the city)")
    limit = serializers.IntegerField(default=100, min_value=1, max_value=1000)
    offset = serializers.IntegerField(default=0, min_value=0, max_value=MAX_ID)


class ResultPriorityOutput(PriorityOutput):
    paper_support = serializers.IntegerField(
        allow_null=True, help_text="Support counted on paper at the forum (apart from app votes); null: none"
    )


class ResultsOutput(serializers.Serializer):
    cycle = ShortlistCycleOutput(allow_null=True, help_text="null: no cycle has started")
    level = serializers.ChoiceField(choices=Level.choices)
    public = serializers.BooleanField(help_text="false: only planners see it yet (the cycle has not closed)")
    forum = ForumOutput(allow_null=True, help_text="The area's forum record at this level; null: not recorded")
    shortlist = ShortlistAreaOutput(allow_null=True, help_text="null: no pagu is set for the area")
    count = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    results = ResultPriorityOutput(many=True)


class ResultsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["planning"],
        parameters=[ResultsQuery],
        responses={200: ResultsOutput, **domain_errors(AreaMismatch, ResultsNotPublic)},
        description="Public once the cycle has closed; before that planners and admins only (403 "
        "`results_not_public`). With no cycle started: `cycle` null and no rows.",
    )
    def get(self, request):
        query = ResultsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        level, area_id = params["level"], params.get("area")
        if (level == Level.CITY) == (area_id is not None):
            raise AreaMismatch.on_field("area")
        cycle = params.get("cycle") or cycle_current()
        if cycle is None:
            empty = {"cycle": None, "level": level, "public": False, "forum": None, "shortlist": None}
            return Response({**empty, "count": 0, "limit": params["limit"], "offset": 0, "results": []})
        if not policies.can_read_results(request.user, cycle):
            raise ResultsNotPublic()
        shortlist = shortlist_body(cycle=cycle, level=level, area_id=area_id, strict=False)
        forum = forums_list(cycle_id=cycle.pk, level=level, area_id=area_id).first()
        paper = paper_support_of(forum)
        rows = priorities_for_cycle(cycle=cycle, level=level, area_id=area_id)
        start = params["offset"]
        weights = cycle_weights(cycle)
        page = [
            {**priority_explain(row, level=level, weights=weights), "paper_support": paper.get(row.id)}
            for row in rows[start : start + params["limit"]]
        ]
        return Response(
            {
                "cycle": shortlist["cycle"],
                "level": level,
                "public": cycle.current_phase == "closed",
                "forum": ForumOutput(forum, context={"request": request}).data if forum else None,
                "shortlist": shortlist["areas"][0] if shortlist["areas"] else None,
                "count": rows.count(),
                "limit": params["limit"],
                "offset": start,
                "results": page,
            }
        )
