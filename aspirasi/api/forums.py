"""Planning (issue 24): Musrenbang forum records with their minutes, and paper support counted at a forum.
Planners and admins only (policies.can_plan)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.budgets import BudgetAreaOutput
from aspirasi.api.fields import BoundedListField, IdField, IdRelatedField, StrictCharField
from aspirasi.api.parsers import SafeJSONParser
from aspirasi.api.permissions import CanPlan
from aspirasi.api.schema import domain_errors
from aspirasi.errors import AreaMismatch, ForumExists, InvalidMinutes, NotShortlistable
from aspirasi.models import Cycle, Forum, Level, Proposal
from aspirasi.selectors.forums import forum_area, forums_list
from aspirasi.services.forums import forum_record, paper_support_enter

_PEOPLE = {"min_value": 0, "max_value": 100_000}


@extend_schema_field({"type": "string", "format": "date", "maxLength": 10})
class FormDateField(serializers.DateField):
    """A date sent as a form field (YYYY-MM-DD): the schema bounds its length, as every string a client sends."""


class ForumAttendanceOutput(serializers.Serializer):
    men = serializers.IntegerField()
    women = serializers.IntegerField()
    disabled = serializers.IntegerField(help_text="Persons with disabilities")
    total = serializers.IntegerField(help_text="men + women")


class ForumOutput(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.IntegerField(source="cycle_id")
    level = serializers.ChoiceField(choices=Level.choices)
    area = serializers.SerializerMethodField()
    held_on = serializers.DateField()
    place = serializers.CharField()
    attendance = serializers.SerializerMethodField()
    delegates = serializers.ListField(child=serializers.CharField(), help_text="Delegates to the next level")
    minutes = serializers.FileField(use_url=True, help_text="The berita acara (PDF)")

    @extend_schema_field(BudgetAreaOutput)
    def get_area(self, forum) -> dict:
        return forum_area(forum)

    @extend_schema_field(ForumAttendanceOutput)
    def get_attendance(self, forum) -> dict:
        return {
            "men": forum.attendance_men,
            "women": forum.attendance_women,
            "disabled": forum.attendance_disabled,
            "total": forum.attendance_men + forum.attendance_women,
        }


class ForumsQuery(serializers.Serializer):
    cycle = IdField(required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)


class ForumCreateInput(serializers.Serializer):
    cycle = IdRelatedField(queryset=Cycle.objects.all())
    level = serializers.ChoiceField(choices=Level.choices)
    area = IdField(required=False, help_text="Kelurahan or kecamatan id; absent for the city")
    held_on = FormDateField()
    place = StrictCharField(max_length=200)
    attendance_men = serializers.IntegerField(**_PEOPLE)
    attendance_women = serializers.IntegerField(**_PEOPLE)
    attendance_disabled = serializers.IntegerField(**_PEOPLE)
    delegates = BoundedListField(
        child=StrictCharField(max_length=120), max_length=50, required=False, help_text="Names, one per item"
    )
    minutes = serializers.FileField(help_text="The berita acara as a PDF, at most 10 MB")


class ForumsView(APIView):
    permission_classes = [CanPlan]
    parser_classes = [MultiPartParser]  # the minutes are a file

    @extend_schema(tags=["planning"], parameters=[ForumsQuery], responses={200: ForumOutput(many=True)})
    def get(self, request):
        query = ForumsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        forums = forums_list(cycle_id=query.validated_data.get("cycle"), level=query.validated_data.get("level"))
        return Response(ForumOutput(forums, many=True, context={"request": request}).data)

    @extend_schema(
        tags=["planning"],
        request={"multipart/form-data": ForumCreateInput},
        responses={201: ForumOutput, **domain_errors(AreaMismatch, InvalidMinutes, ForumExists)},
    )
    def post(self, request):
        data = ForumCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        forum = forum_record(
            area_id=values.pop("area", None), delegates=values.pop("delegates", []), actor=request.user, **values
        )
        return Response(ForumOutput(forum, context={"request": request}).data, status=status.HTTP_201_CREATED)


class PaperSupportInput(serializers.Serializer):
    proposal = IdRelatedField(queryset=Proposal.objects.all())
    count = serializers.IntegerField(min_value=0, max_value=1_000_000, help_text="Signatures counted on paper")


class PaperSupportOutput(serializers.Serializer):
    forum = serializers.IntegerField(source="forum_id")
    proposal = serializers.IntegerField(source="proposal_id")
    count = serializers.IntegerField()
    entered_at = serializers.DateTimeField()


class PaperSupportView(APIView):
    permission_classes = [CanPlan]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        tags=["planning"],
        request=PaperSupportInput,
        responses={200: PaperSupportOutput, **domain_errors(NotShortlistable)},
        description="Enter (or correct) the paper support counted for a proposal at this forum; audited.",
    )
    def put(self, request, forum_id: int):
        forum = get_object_or_404(Forum, pk=forum_id)
        data = PaperSupportInput(data=request.data)
        data.is_valid(raise_exception=True)
        tally = paper_support_enter(forum=forum, **data.validated_data, actor=request.user)
        return Response(PaperSupportOutput(tally).data)
