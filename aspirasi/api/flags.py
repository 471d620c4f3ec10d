"""Residents flag a public proposal or report (spam, offensive, personal data...), once each."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.models import Flag, FlagReason, Proposal, Report
from aspirasi.services.flags import proposal_flag, report_flag


class FlagCreateInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class FlagOutput(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "reason", "message", "created_at"]


_FLAG_DESCRIPTION = (
    "Flag a public item once (`already_flagged` on a repeat, `not_flaggable` when it is not public). "
    "After enough distinct flaggers it is hidden until a moderator reviews it."
)


class ProposalFlagsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["flags"],
        request=FlagCreateInput,
        responses={201: FlagOutput},
        parameters=[IDEMPOTENCY_PARAMETER],
        description=_FLAG_DESCRIPTION,
    )
    @idempotent
    def post(self, request, proposal_id: int):
        proposal = get_object_or_404(Proposal, pk=proposal_id)
        data = FlagCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        flag = proposal_flag(proposal=proposal, flagger=request.user, **data.validated_data)
        return Response(FlagOutput(flag).data, status=status.HTTP_201_CREATED)


class ReportFlagsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["flags"],
        request=FlagCreateInput,
        responses={201: FlagOutput},
        parameters=[IDEMPOTENCY_PARAMETER],
        description=_FLAG_DESCRIPTION,
    )
    @idempotent
    def post(self, request, report_id: int):
        report = get_object_or_404(Report, pk=report_id)
        data = FlagCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        flag = report_flag(report=report, flagger=request.user, **data.validated_data)
        return Response(FlagOutput(flag).data, status=status.HTTP_201_CREATED)
