"""Residents' budget ballots (issue 24; CONSUL's knapsack voting): in the voting phase of a cycle that offers
them, a verified resident chooses proposals of their kelurahan whose total estimated cost fits its pagu.

A ballot is the voter's row set, replaced whole: the voter's row is locked first (as a vote locks it,
services/votes.py), so two replacements by one resident serialize and the last one wins whole, never a mix.
"""

from dataclasses import dataclass

from django.db import transaction

from aspirasi.errors import (
    BallotNotOffered,
    BallotOverPagu,
    BallotProposalInvalid,
    NoKelurahan,
    PaguMissing,
    VotingClosedPhase,
)
from aspirasi.models import AreaBudget, BallotChoice, Cycle, Level, Phase, Proposal, ProposalStatus, User
from aspirasi.services.votes import _voter_locked


@dataclass(frozen=True)
class Ballot:
    cycle: Cycle
    kelurahan_id: int
    pagu: int
    proposals: list  # (id, title, estimated_cost), in the order chosen


def _pagu(cycle: Cycle, kelurahan_id: int | None) -> int:
    if kelurahan_id is None:
        raise NoKelurahan()
    amount = (
        AreaBudget.objects.filter(cycle=cycle, level=Level.KELURAHAN, kelurahan_id=kelurahan_id)
        .values_list("amount", flat=True)
        .first()
    )
    if amount is None:
        raise PaguMissing()
    return amount


def _chosen(*, cycle: Cycle, voter_id: int) -> list:
    return list(
        BallotChoice.objects.filter(cycle=cycle, voter_id=voter_id)
        .order_by("id")
        .values_list("proposal_id", "proposal__title", "proposal__estimated_cost", named=True)
    )


def ballot_read(*, cycle: Cycle, voter: User) -> Ballot:
    """The voter's ballot of `cycle` (empty if none). Raises what ballot_replace raises for the voter, the
    cycle's offer and the pagu; not the phase (a ballot stays readable after voting closes). No side effects."""
    if not cycle.budget_ballot:
        raise BallotNotOffered()
    with transaction.atomic():
        voter = _voter_locked(voter.pk)
    pagu = _pagu(cycle, voter.kelurahan_id)
    return Ballot(
        cycle=cycle, kelurahan_id=voter.kelurahan_id, pagu=pagu, proposals=_chosen(cycle=cycle, voter_id=voter.pk)
    )


@transaction.atomic
def ballot_replace(*, cycle: Cycle, voter: User, proposal_ids: list[int]) -> Ballot:
    """Replace `voter`'s ballot of `cycle` by `proposal_ids` (distinct; empty withdraws it). Raises
    NotAResident, PhoneNotVerified, CallerNotFound, CallerInactive (read under the voter's lock), then
    BallotNotOffered, VotingClosedPhase, NoKelurahan, PaguMissing, BallotProposalInvalid, BallotOverPagu.
    No events: tallies are read by the planners' views."""
    voter = _voter_locked(voter.pk)
    cycle = Cycle.objects.get(pk=cycle.pk)
    if not cycle.budget_ballot:
        raise BallotNotOffered()
    if cycle.current_phase != Phase.VOTING:
        raise VotingClosedPhase()
    pagu = _pagu(cycle, voter.kelurahan_id)
    found = {
        row.id: row
        for row in Proposal.objects.filter(
            pk__in=proposal_ids,
            cycle=cycle,
            kelurahan_id=voter.kelurahan_id,
            status=ProposalStatus.PUBLISHED,
            is_hidden=False,
            estimated_cost__isnull=False,
        ).only("id", "estimated_cost")
    }
    invalid = [pk for pk in proposal_ids if pk not in found]
    if invalid:
        raise BallotProposalInvalid.on_field("proposals")
    if sum(found[pk].estimated_cost for pk in proposal_ids) > pagu:
        raise BallotOverPagu()
    BallotChoice.objects.filter(cycle=cycle, voter_id=voter.pk).delete()
    BallotChoice.objects.bulk_create(
        BallotChoice(cycle=cycle, voter_id=voter.pk, proposal_id=pk) for pk in proposal_ids
    )
    return Ballot(
        cycle=cycle, kelurahan_id=voter.kelurahan_id, pagu=pagu, proposals=_chosen(cycle=cycle, voter_id=voter.pk)
    )
