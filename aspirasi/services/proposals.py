"""Residents' proposals (usulan): submit, edit while still in review, withdraw."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from aspirasi import policies
from aspirasi.errors import NotEditable, PhoneNotVerified
from aspirasi.models import Category, Kelurahan, Proposal, ProposalStatus, ProposalStatusEvent, TargetGroup, User
from aspirasi.models.proposals import EDITABLE_STATUSES
from aspirasi.services import status as status_service
from aspirasi.services.comments import comments_follow_item
from aspirasi.services.cycles import cycle_require_phase
from realtime import events

# Balikpapan's rough bounds (WGS84); a point outside them is a typo or a wrong GPS fix.

# Fields an author may change while the proposal is submitted or in review.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "kelurahan",
        "rt",
        "rw",
        "latitude",
        "longitude",
        "estimated_beneficiaries",
        "estimated_poor_households",
        "volume",
        "unit",
        "estimated_cost",
        "anonymous",
    }
)


def _coordinate(value: float | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(float(value), 6)))


@transaction.atomic
def proposal_create(
    *,
    author: User,
    title: str,
    description: str,
    category: Category,
    kelurahan: Kelurahan,
    rt: str = "",
    rw: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    target_groups: Iterable[TargetGroup] = (),
    estimated_beneficiaries: int | None = None,
    estimated_poor_households: int | None = None,
    volume: Decimal | None = None,
    unit: str = "",
    estimated_cost: int | None = None,
    anonymous: bool = False,
) -> Proposal:
    """Submit a proposal into the current cycle with its first timeline entry ("" -> submitted by the
    author); publishes `proposal.submitted` to the kelurahan's moderators after commit. Raises
    PhoneNotVerified for a resident whose phone is not verified (staff submit as before), SubmissionClosed
    outside the cycle's submission phase."""
    if policies.is_resident(author) and not policies.is_verified_resident(author):
        raise PhoneNotVerified()
    cycle = cycle_require_phase(action="submit")
    proposal = Proposal.objects.create(
        cycle=cycle,
        author=author,
        title=title,
        description=description,
        category=category,
        kelurahan=kelurahan,
        rt=rt,
        rw=rw,
        latitude=_coordinate(latitude),
        longitude=_coordinate(longitude),
        estimated_beneficiaries=estimated_beneficiaries,
        estimated_poor_households=estimated_poor_households,
        volume=volume,
        unit=unit,
        estimated_cost=estimated_cost,
        anonymous=anonymous,
        status=ProposalStatus.SUBMITTED,
    )
    proposal.target_groups.set(target_groups)
    ProposalStatusEvent.objects.create(
        proposal=proposal, from_status="", to_status=ProposalStatus.SUBMITTED, actor=author, actor_role="author"
    )
    events.publish(
        events.PROPOSAL_SUBMITTED,
        groups=events.moderation_groups(proposal.kelurahan_id),
        payload=status_service.proposal_payload(proposal),
    )
    return proposal


@transaction.atomic
def proposal_update(*, proposal: Proposal, actor: User, **changes) -> Proposal:
    """Apply the author's `changes` (EDITABLE_FIELDS, plus `target_groups`) while the proposal is submitted
    or in review. Raises NotEditable otherwise, EditingClosed outside the cycle's submission and review
    phases. No event: moderators see the new text when they open it."""
    cycle_require_phase(action="edit")
    unknown = set(changes) - EDITABLE_FIELDS - {"target_groups"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    # The row lock makes the status check and the write one step: a moderator publishing at the same
    # moment either goes first (we refuse) or waits for this edit.
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise NotEditable()
    target_groups = changes.pop("target_groups", None)
    for coordinate in ("latitude", "longitude"):
        if coordinate in changes:
            changes[coordinate] = _coordinate(changes[coordinate])
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*changes, "updated_at"])
    if target_groups is not None:
        locked.target_groups.set(target_groups)
    if "kelurahan" in changes:
        comments_follow_item(locked)
    return locked


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User) -> Proposal:
    """The author withdraws a proposal still submitted or in review (status `withdrawn`, a timeline entry,
    `proposal.updated` after commit). Raises NotEditable otherwise, ItemChanged on a concurrent decision."""
    if proposal.status not in EDITABLE_STATUSES:
        raise NotEditable()
    return status_service.proposal_change_status(proposal=proposal, to_status=ProposalStatus.WITHDRAWN, actor=actor)
