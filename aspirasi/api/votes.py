"""Votes (dukungan): POST casts, DELETE withdraws; both answer with the caller's vote state."""

import orjson
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.authentication import JWTStatelessAuthentication
from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import (
    NotAResident,
    PhoneNotVerified,
    ProposalNotFound,
    VoteBudgetExhausted,
    VoteOutOfScope,
    VotingClosed,
    VotingClosedPhase,
)
from aspirasi.services.votes import VoteState, vote_cast, vote_withdraw


class VoteStateOutput(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    vote_count = serializers.IntegerField()
    has_voted = serializers.BooleanField()
    votes_remaining = serializers.IntegerField(help_text="Open votes left in the caller's budget")


# One instance renders every answer: its fields are built once (a new serializer per request deep-copies
# them, a fifth of a vote's CPU in the view); rendering holds no state between calls.
_STATE_OUTPUT = VoteStateOutput()


def _state_response(request, state: VoteState, *, created: bool = False) -> HttpResponse:
    body, code = _STATE_OUTPUT.to_representation(state), status.HTTP_201_CREATED if created else status.HTTP_200_OK
    if request.accepted_renderer.format != "json":  # the browsable API, in development
        return Response(body, status=code)
    return HttpResponse(orjson.dumps(body), content_type="application/json", status=code)  # as JSONRenderer


class ProposalVoteView(APIView):
    """A resident's support for a published proposal: 201 on the first vote, 200 on a repeat.

    Who may vote, an active verified resident (policies.is_verified_resident) living where the cycle's vote
    scope says, is checked by the vote itself, under the voter's lock (services/votes.py): staff get 403
    `permission_denied`, an unverified resident `phone_not_verified`, one outside the scope
    `vote_out_of_scope`."""

    # The token's user is not read by authentication: the vote reads and locks that account as its first
    # step, and refuses a deleted or deactivated one with authentication's own 401 (services/votes.py).
    authentication_classes = [JWTStatelessAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "vote"

    @extend_schema(
        tags=["votes"],
        request=None,
        responses={
            201: VoteStateOutput,
            200: VoteStateOutput,
            **domain_errors(
                NotAResident,
                PhoneNotVerified,
                VoteOutOfScope,
                ProposalNotFound,
                VotingClosedPhase,
                VotingClosed,
                VoteBudgetExhausted,
            ),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, pk: int):
        state = vote_cast(proposal_id=pk, voter_id=request.user.pk)
        return _state_response(request, state, created=state.created)

    @extend_schema(
        tags=["votes"],
        request=None,
        responses={
            200: VoteStateOutput,
            **domain_errors(NotAResident, PhoneNotVerified, ProposalNotFound, VotingClosedPhase, VotingClosed),
        },
    )
    def delete(self, request, pk: int):
        state = vote_withdraw(proposal_id=pk, voter_id=request.user.pk)
        return _state_response(request, state)
