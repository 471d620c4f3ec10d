"""Planning writes: carrying proposals between Musrenbang levels, linking proposals to programs and
recording program progress. Proposal status changes go through services.status (which notifies)."""

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from aspirasi import signals
from aspirasi.errors import CarriedFurther, NotCarriable, NotCarriedToKecamatan, NotLinkable
from aspirasi.models import (
    CarriedProposal,
    Forum,
    Level,
    Program,
    ProgramStatus,
    ProgramUpdate,
    Proposal,
    ProposalStatus,
    User,
)
from aspirasi.selectors.planning import SCORED_STATUSES
from aspirasi.services.files import files_cleaned_on_failure, track_written
from aspirasi.services.forums import forum_for_carry
from aspirasi.services.status import proposal_change_status

P = ProposalStatus


@transaction.atomic
def proposal_carry(
    *, proposal: Proposal, level: str, rank: int, actor: User, forum: Forum | None = None
) -> CarriedProposal:
    """Mark `proposal` carried into `level` (kecamatan or city) at the forum's `rank`, naming the `forum` (of
    its area at the level below) that decided it; carrying again changes them. No events. Raises NotCarriable,
    NotCarriedToKecamatan or ForumMismatch."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("kelurahan").get(pk=proposal.pk)
    if proposal.status not in SCORED_STATUSES or proposal.is_hidden:
        raise NotCarriable()
    if level == Level.CITY and not CarriedProposal.objects.filter(proposal=proposal, level=Level.KECAMATAN).exists():
        raise NotCarriedToKecamatan()
    forum_for_carry(forum=forum, proposal=proposal, level=level)
    carried, _created = CarriedProposal.objects.update_or_create(
        proposal=proposal, level=level, defaults={"rank": rank, "carried_by": actor, "forum": forum}
    )
    return carried


@transaction.atomic
def proposal_uncarry(*, proposal: Proposal, level: str) -> bool:
    """Undo carrying `proposal` into `level`; False if it was not carried. No events.
    Raises CarriedFurther when undoing kecamatan while it is still carried to the city."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if level == Level.KECAMATAN and CarriedProposal.objects.filter(proposal=proposal, level=Level.CITY).exists():
        raise CarriedFurther()
    deleted, _by_model = CarriedProposal.objects.filter(proposal=proposal, level=level).delete()
    return bool(deleted)


@transaction.atomic
def program_link_proposal(*, program: Program, proposal: Proposal, actor: User) -> Proposal:
    """Link `proposal` to `program`; a published proposal becomes accepted through services.status, which
    records the timeline, publishes `proposal.updated` and notifies author and voters. Raises NotLinkable."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == P.PUBLISHED and not proposal.is_hidden:
        message = _("Accepted into the program “%(program)s”.") % {"program": program.name}
        return proposal_change_status(
            proposal=proposal, to_status=P.ACCEPTED, actor=actor, message=message, program=program
        )
    if proposal.status in (P.ACCEPTED, P.IN_PROGRESS, P.COMPLETED):
        Proposal.objects.filter(pk=proposal.pk).update(program=program)
        proposal.program = program
        return proposal
    raise NotLinkable()


# A program's status moves its linked proposals along: running -> in progress, done -> completed.
_PROPOSAL_STATUS_FOR = {
    ProgramStatus.RUNNING: (P.IN_PROGRESS, (P.ACCEPTED,)),
    ProgramStatus.DONE: (P.COMPLETED, (P.ACCEPTED, P.IN_PROGRESS)),
}


@transaction.atomic
def program_set_progress(
    *,
    program: Program,
    actor: User | None,
    status: str | None = None,
    progress_percent: int | None = None,
    note: str = "",
) -> Program:
    """Change a program's status and/or progress. A new status moves its linked proposals (running ->
    in progress, done -> completed) through services.status, which notifies their authors and voters;
    otherwise a progress change or a `note` notifies them here (kind program_progress)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    fields = []
    if progress_percent is not None and progress_percent != program.progress_percent:
        program.progress_percent = progress_percent
        fields.append("progress_percent")
    status_changed = status is not None and status != program.status
    moves_proposals = status_changed and status in _PROPOSAL_STATUS_FOR
    if status_changed:
        program.status = status
        fields.append("status")
    if fields:
        program.save(update_fields=[*fields, "updated_at"])
    if (fields or note) and not moves_proposals:  # moved proposals notify through services.status
        signals.program_progressed.send(sender=Program, program=program, note=note)
    if moves_proposals:
        to_status, from_statuses = _PROPOSAL_STATUS_FOR[status]
        message = _("The program “%(program)s” is now %(status)s.") % {
            "program": program.name,
            "status": ProgramStatus(status).label,
        }
        # One status change per linked proposal: each needs its own timeline entry and notification.
        for proposal in Proposal.objects.filter(program=program, status__in=from_statuses).order_by("id"):
            proposal_change_status(proposal=proposal, to_status=to_status, actor=actor, message=message)
    return program


@transaction.atomic
def program_update_create(
    *,
    program: Program,
    day: date,
    note: str,
    actor: User | None,
    photo: UploadedFile | None = None,
    progress_percent: int | None = None,
    status: str | None = None,
) -> ProgramUpdate:
    """Record a dated progress note (with an optional photo) and apply its progress/status to the program
    (see program_set_progress for the proposals it moves and notifies). The photo is removed on failure."""
    with files_cleaned_on_failure():
        update = ProgramUpdate(
            program=program, date=day, note=note, progress_percent=progress_percent, created_by=actor
        )
        if photo:
            update.photo.save(photo.name, photo, save=False)
            track_written(update.photo.name)
        update.save()
        program_set_progress(program=program, actor=actor, status=status, progress_percent=progress_percent, note=note)
    return update
