"""Residents flag a public proposal or report (spam, offensive, personal data...), once each.

Verified residents only, whose account is old enough, at most THROTTLE_FLAG flags per resident; enough
flaggers send the item to moderators' review, never out of public view (services/flags.py).

The item is looked up among the public ones, so one that is not public is a 404 like a missing id: a
flag never tells whether a hidden or unpublished item exists."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.fields import StrictCharField
from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import AccountTooNewToFlag, AlreadyFlagged, NotAResident, NotFlaggable, PhoneNotVerified
from aspirasi.models import Flag, FlagReason
from aspirasi.selectors.proposals import proposals_public
from aspirasi.selectors.reports import reports_public
from aspirasi.services.flags import proposal_flag, report_flag


class FlagCreateInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    message = StrictCharField(required=False, allow_blank=True, max_length=500)  # the service: ""


class FlagOutput(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "reason", "message", "created_at"]


_FLAG_DESCRIPTION = (
    "Verified residents only: staff accounts (moderators, planners, admins) get 403 `permission_denied`, "
    "a resident whose phone is not verified 403 `phone_not_verified`, an account younger than "
    "`FLAG_MIN_ACCOUNT_AGE_HOURS` (24 by default) 403 `account_too_new_to_flag`. Flag a public item once "
    "(`already_flagged` on a repeat); rate-limited per resident (scope `flag`). An item that is not public "
    "(not yet published, hidden by a moderator, rejected) is 404 `not_found`, the same answer as an id that "
    "does not exist; a merged proposal is `not_flaggable`. After enough distinct flaggers the item goes to "
    "moderators' review and stays public until a moderator decides."
)
_FLAG_RESPONSES = {
    201: FlagOutput,
    **domain_errors(NotAResident, PhoneNotVerified, AccountTooNewToFlag, AlreadyFlagged, NotFlaggable),
}


class ProposalFlagsView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "flag"

    @extend_schema(
        tags=["flags"],
        request=FlagCreateInput,
        responses=_FLAG_RESPONSES,
        parameters=[IDEMPOTENCY_PARAMETER],
        description=_FLAG_DESCRIPTION,
    )
    @idempotent
    def post(self, request, proposal_id: int):
        proposal = get_object_or_404(proposals_public(), pk=proposal_id)
        data = FlagCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        flag = proposal_flag(proposal=proposal, flagger=request.user, **data.validated_data)
        return Response(FlagOutput(flag).data, status=status.HTTP_201_CREATED)


class ReportFlagsView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "flag"

    @extend_schema(
        tags=["flags"],
        request=FlagCreateInput,
        responses=_FLAG_RESPONSES,
        parameters=[IDEMPOTENCY_PARAMETER],
        description=_FLAG_DESCRIPTION,
    )
    @idempotent
    def post(self, request, report_id: int):
        report = get_object_or_404(reports_public(), pk=report_id)
        data = FlagCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        flag = report_flag(report=report, flagger=request.user, **data.validated_data)
        return Response(FlagOutput(flag).data, status=status.HTTP_201_CREATED)
