"""Musrenbang forum records (issue 24): the forum of an area and level with its minutes, and the paper
support counted at it. Paper support is audited (AuditEntry) and never touches vote_count."""

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from aspirasi.errors import AreaMismatch, ForumExists, ForumMismatch, InvalidMinutes, NotShortlistable
from aspirasi.models import Cycle, Forum, Level, PaperSupport, Proposal, User
from aspirasi.selectors.planning import is_ranked_at
from aspirasi.selectors.shortlist import area_name
from aspirasi.services.audit import audit_record
from aspirasi.services.files import files_cleaned_on_failure, track_written

MINUTES_MAX_BYTES = 10 * 1024 * 1024


def check_pdf(minutes: UploadedFile) -> None:
    """A PDF that pypdf can open with at least one page; the name and the client's content type prove nothing."""
    if minutes.size > MINUTES_MAX_BYTES:
        raise InvalidMinutes.on_field("minutes")
    minutes.seek(0)
    try:
        if minutes.read(5) != b"%PDF-":
            raise InvalidMinutes.on_field("minutes")
        minutes.seek(0)
        if len(PdfReader(minutes).pages) < 1:
            raise InvalidMinutes.on_field("minutes")
    except (PyPdfError, ValueError, OSError, KeyError, TypeError):
        raise InvalidMinutes.on_field("minutes") from None
    finally:
        minutes.seek(0)


def forum_record(
    *,
    cycle: Cycle,
    level: str,
    area_id: int | None,
    held_on: date,
    place: str,
    attendance_men: int,
    attendance_women: int,
    attendance_disabled: int,
    delegates: list[str],
    minutes: UploadedFile,
    actor: User,
) -> Forum:
    """Record the forum of an area at `level` with its minutes (a PDF, checked). Raises AreaMismatch,
    InvalidMinutes, ForumExists. The stored minutes are removed if the record fails. No events."""
    if area_name(level, area_id) is None:
        raise AreaMismatch.on_field("area")
    check_pdf(minutes)
    area = {Level.KELURAHAN: {"kelurahan_id": area_id}, Level.KECAMATAN: {"kecamatan_id": area_id}}.get(level, {})
    try:
        with files_cleaned_on_failure(), transaction.atomic():
            forum = Forum(
                cycle=cycle,
                level=level,
                held_on=held_on,
                place=place,
                attendance_men=attendance_men,
                attendance_women=attendance_women,
                attendance_disabled=attendance_disabled,
                delegates=delegates,
                recorded_by=actor,
                **area,
            )
            forum.minutes.save("berita-acara.pdf", minutes, save=False)
            track_written(forum.minutes.name)
            forum.save()
            return forum
    except IntegrityError:
        raise ForumExists() from None


def forum_for_carry(*, forum: Forum | None, proposal: Proposal, level: str) -> None:
    """Raise ForumMismatch unless `forum` (when named) is the proposal's area's forum at the level below."""
    if forum is None:
        return
    below = {Level.KECAMATAN: Level.KELURAHAN, Level.CITY: Level.KECAMATAN}[level]
    area_id = proposal.kelurahan_id if below == Level.KELURAHAN else proposal.kelurahan.kecamatan_id
    if forum.cycle_id != proposal.cycle_id or forum.level != below or forum.area_id != area_id:
        raise ForumMismatch()


@transaction.atomic
def paper_support_enter(*, forum: Forum, proposal: Proposal, count: int, actor: User) -> PaperSupport:
    """Set the paper support counted for `proposal` at `forum` (replacing an earlier count). Audited
    (paper_support_entered, before and after). Raises NotShortlistable for a proposal not ranked at the
    forum's level in its area. No events."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("kelurahan").get(pk=proposal.pk)
    if not is_ranked_at(proposal_id=proposal.pk, cycle=forum.cycle, level=forum.level, area_id=forum.area_id):
        raise NotShortlistable()
    before = PaperSupport.objects.filter(forum=forum, proposal=proposal).values_list("count", flat=True).first()
    tally, _created = PaperSupport.objects.update_or_create(
        forum=forum, proposal=proposal, defaults={"count": count, "entered_by": actor}
    )
    audit_record(
        actor=actor,
        item=proposal,
        action="paper_support_entered",
        before={"forum": forum.pk, "paper_support": before},
        after={"forum": forum.pk, "paper_support": count},
    )
    return tally
