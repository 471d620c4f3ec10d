"""Photos of a proposal (usulan): up to PROPOSAL_PHOTO_LIMIT, re-encoded like every photo."""

from typing import IO

from django.db import transaction

from aspirasi.errors import NotEditable, PhoneNotVerified, PhotoLimitReached, PhotoNotAllowed
from aspirasi.models import Proposal, ProposalPhoto, User
from aspirasi.models.proposals import EDITABLE_STATUSES
from aspirasi.policies import can_add_proposal_photo, can_moderate, is_resident, is_verified_resident
from aspirasi.services import images
from aspirasi.services.files import files_cleaned_on_failure

PROPOSAL_PHOTO_LIMIT = 5


def _check_may_add_photo(*, proposal: Proposal, actor: User) -> None:
    """The author while the proposal is still editable, or a moderator/admin of its area at any time."""
    if not can_add_proposal_photo(actor, proposal):
        raise PhotoNotAllowed()
    if is_resident(actor) and not is_verified_resident(actor):
        raise PhoneNotVerified()  # an author adds photos as they submit: verified residents only
    if not can_moderate(actor, proposal.kelurahan_id) and proposal.status not in EDITABLE_STATUSES:
        raise NotEditable()


@files_cleaned_on_failure()
@transaction.atomic
def proposal_photo_add(*, proposal: Proposal, image: IO[bytes], actor: User) -> ProposalPhoto:
    """Add a re-encoded photo (and thumbnails) to `proposal`, at most PROPOSAL_PHOTO_LIMIT. The stored files
    are removed again if anything fails. Raises PhotoNotAllowed, PhoneNotVerified, NotEditable, PhotoLimitReached,
    InvalidImage."""
    _check_may_add_photo(proposal=proposal, actor=actor)  # fail fast, before the costly decode
    processed = images.process_image(image)
    # The row lock makes the count below decide the insert: two uploads at once cannot both be the 5th.
    # Taken after decoding so the proposal is not locked while the photo is processed.
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_may_add_photo(proposal=locked, actor=actor)  # the status may have changed meanwhile
    if ProposalPhoto.objects.filter(proposal=locked).count() >= PROPOSAL_PHOTO_LIMIT:
        raise PhotoLimitReached()
    stored = images.image_store(processed=processed, folder="proposals")
    return ProposalPhoto.objects.create(
        proposal=locked,
        width=stored.width,
        height=stored.height,
        image=stored.image,
        thumbnail_small=stored.thumbnail_small,
        thumbnail_large=stored.thumbnail_large,
    )
