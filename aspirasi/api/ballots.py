"""Residents' budget ballots (issue 24): GET and PUT /planning/ballots/{cycle_id}/, the ballot replaced whole."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.fields import BoundedListField, IdField
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import (
    BallotNotOffered,
    BallotOverPagu,
    BallotProposalInvalid,
    CallerInactive,
    NoKelurahan,
    NotAResident,
    PaguMissing,
    PhoneNotVerified,
    VotingClosedPhase,
)
from aspirasi.models import Cycle
from aspirasi.services.ballots import Ballot, ballot_read, ballot_replace

MAX_BALLOT_PROPOSALS = 100


class BallotInput(serializers.Serializer):
    proposals = BoundedListField(
        child=IdField(),
        max_length=MAX_BALLOT_PROPOSALS,
        allow_empty=True,
        help_text="Every proposal on the ballot (it replaces the ballot whole; [] withdraws it)",
    )

    def validate_proposals(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A proposal may be chosen once.")
        return value


class BallotProposalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    estimated_cost = serializers.IntegerField(help_text="Rupiah")


class BallotOutput(serializers.Serializer):
    cycle = serializers.IntegerField()
    kelurahan = serializers.IntegerField(help_text="The voter's kelurahan: the ballot's area")
    pagu = serializers.IntegerField(help_text="The kelurahan's pagu, rupiah")
    total_cost = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="Pagu minus total cost")
    proposals = BallotProposalOutput(many=True)


def _body(ballot: Ballot) -> dict:
    proposals = [
        {"id": row.proposal_id, "title": row.proposal__title, "estimated_cost": row.proposal__estimated_cost}
        for row in ballot.proposals
    ]
    total = sum(p["estimated_cost"] for p in proposals)
    return {
        "cycle": ballot.cycle.pk,
        "kelurahan": ballot.kelurahan_id,
        "pagu": ballot.pagu,
        "total_cost": total,
        "remaining": ballot.pagu - total,
        "proposals": proposals,
    }


_WHO = (NotAResident, PhoneNotVerified, CallerInactive, BallotNotOffered, NoKelurahan, PaguMissing)


class BallotView(APIView):
    """A verified resident's budget ballot of a cycle: the proposals of their kelurahan they would fund within
    its pagu. Who may cast one is checked by the service under the voter's lock (as a vote)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "vote"

    @extend_schema(tags=["votes"], responses={200: BallotOutput, **domain_errors(*_WHO)})
    def get(self, request, cycle_id: int):
        cycle = get_object_or_404(Cycle, pk=cycle_id)
        return Response(_body(ballot_read(cycle=cycle, voter=request.user)))

    @extend_schema(
        tags=["votes"],
        request=BallotInput,
        responses={
            200: BallotOutput,
            **domain_errors(*_WHO, VotingClosedPhase, BallotProposalInvalid, BallotOverPagu),
        },
    )
    def put(self, request, cycle_id: int):
        cycle = get_object_or_404(Cycle, pk=cycle_id)
        data = BallotInput(data=request.data)
        data.is_valid(raise_exception=True)
        ballot = ballot_replace(cycle=cycle, voter=request.user, proposal_ids=data.validated_data["proposals"])
        return Response(_body(ballot))
