"""Votes (dukungan): POST casts, DELETE withdraws; both answer with the caller's vote state."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.permissions import IsResident
from aspirasi.services.votes import VoteState, vote_cast, vote_withdraw


class VoteStateOutput(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    vote_count = serializers.IntegerField()
    has_voted = serializers.BooleanField()
    votes_remaining = serializers.IntegerField(help_text="Open votes left in the caller's budget")


def _state_response(state: VoteState, *, created: bool = False) -> Response:
    return Response(VoteStateOutput(state).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ProposalVoteView(APIView):
    """A resident's support for a published proposal: 201 on the first vote, 200 on a repeat."""

    permission_classes = [IsAuthenticated, IsResident]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "vote"

    @extend_schema(
        tags=["votes"],
        request=None,
        responses={201: VoteStateOutput, 200: VoteStateOutput},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, pk: int):
        state = vote_cast(proposal_id=pk, voter=request.user)
        return _state_response(state, created=state.created)

    @extend_schema(tags=["votes"], request=None, responses={200: VoteStateOutput})
    def delete(self, request, pk: int):
        state = vote_withdraw(proposal_id=pk, voter=request.user)
        return _state_response(state)
