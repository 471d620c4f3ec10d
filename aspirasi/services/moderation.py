"""Moderators' decisions on proposals, reports and comments: claim, release, publish, reject, merge, move, link,
promote, hide, restore.

A decision on a flagged item is final for its open flags: `publish` / `verify` restores it (kept public),
`hide` hides it, `reject` and `merge` close it; each resolves them all (when, by whom, with what outcome)
and takes the item off review, so they never count again (services/flags.py counts open flags only).

Every decision locks its item (select_for_update), checks the actor's area (aspirasi.policies), changes
status only through aspirasi.services.status (a conditional UPDATE: a concurrent decision gets
`item_changed` or `illegal_transition`) and writes an AuditEntry in the same transaction. Live events
leave after commit through realtime.events.
"""

import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aspirasi import policies, signals
from aspirasi.errors import (
    AlreadyClaimed,
    DomainError,
    IllegalTransition,
    InvalidLinkTarget,
    InvalidMergeTarget,
    InvalidPoint,
    ItemChanged,
    OutsideModeratedArea,
)
from aspirasi.geo import point_in_balikpapan
from aspirasi.models import (
    AuditEntry,
    Category,
    Comment,
    CommentFlag,
    CommentState,
    Flag,
    FlagOutcome,
    Kelurahan,
    Opd,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    Report,
    ReportStatus,
    User,
    Vote,
)
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES
from aspirasi.services import dispositions
from aspirasi.services import status as status_service
from aspirasi.services.audit import audit_record
from aspirasi.services.comments import comment_count_move, comment_publish, comments_follow_item
from aspirasi.services.files import files_cleaned_on_failure, track_written
from realtime import events

P = ProposalStatus
R = ReportStatus

PROPOSAL = "proposal"
REPORT = "report"
COMMENT = "comment"
ITEM_TYPES = (PROPOSAL, REPORT)


class RejectionReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_IN_SCOPE = "not_in_scope", _("Not in scope")
    INCOMPLETE = "incomplete", _("Incomplete")
    OFFENSIVE = "offensive", _("Offensive")
    PERSONAL_DATA = "personal_data", _("Personal data")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")
    OTHER = "other", _("Other")


# Statuses in which a proposal's category, kelurahan or OPD may still be corrected.
_CORRECTABLE = (P.SUBMITTED, P.IN_REVIEW, P.PUBLISHED, P.ACCEPTED, P.IN_PROGRESS)
_CLOSED = (P.REJECTED, P.WITHDRAWN, P.MERGED)
_MICRODEGREE = Decimal("0.000001")  # the models' decimal_places=6


class UnsupportedAction(DomainError):
    """Raised by the bulk endpoint when an action does not apply to an item's type (kept local: bulk only)."""

    code = "unsupported_action"
    default_message = _("This action does not apply to this kind of item.")


class HideReasonRequired(DomainError):
    """Raised by the bulk endpoint for a comment hidden without a usable reason (its `message`)."""

    code = "hide_reason_required"
    default_message = _("Hiding a comment needs a reason (at most 500 characters): its author is told it.")


# --- helpers -------------------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def _snapshot(item, names) -> dict:
    """The audited fields of `item` as plain JSON (foreign keys by id)."""
    result = {}
    for name in names:
        field = item._meta.get_field(name)
        attname = field.attname if field.is_relation else name
        result[name] = _json_value(getattr(item, attname))
    return result


def _audit(*, actor: User, item, action: str, before: dict, message: str = "", noted: dict | None = None) -> AuditEntry:
    """An AuditEntry of `action`: `before` and the same fields now, plus what `noted` adds to `after`."""
    after = {**_snapshot(item, before.keys()), **(noted or {})}
    return audit_record(actor=actor, item=item, action=action, before=before, after=after, message=message)


def _locked(model, pk: int, *, actor: User):
    """Re-read the item under a row lock and check that `actor` moderates its area."""
    item = model.objects.select_for_update().get(pk=pk)
    if not policies.can_act_as_moderator(actor) or not policies.can_moderate(actor, item.kelurahan_id):
        raise OutsideModeratedArea()
    return item


def _check_claim(item, actor: User) -> None:
    """A claim held by another moderator blocks decisions; admins may take over."""
    if item.claimed_by_id and item.claimed_by_id != actor.pk and not policies.is_admin(actor):
        raise AlreadyClaimed()


def _update_locked(item, **fields) -> None:
    """Write fields of a locked item without a status change (the status must still be what we read)."""
    fields["updated_at"] = timezone.now()
    if not type(item).objects.filter(pk=item.pk, status=item.status).update(**fields):
        raise ItemChanged()
    for name, value in fields.items():
        setattr(item, name, value)


def _publish_updated(item, *, extra_groups: list[str] | None = None) -> None:
    groups = events.moderation_groups(item.kelurahan_id) + (extra_groups or [])
    if isinstance(item, Proposal):
        events.publish(events.PROPOSAL_UPDATED, groups=groups, payload=status_service.proposal_payload(item))
    else:
        events.publish(events.REPORT_UPDATED, groups=groups, payload=status_service.report_payload(item))


def _resolve_flags(item, *, actor: User, outcome: FlagOutcome) -> int:
    """Resolve every open flag of `item` with the decision taken on it and take it off review. Final for
    those flags: a resolved flag never counts again, and its flagger cannot flag the item again (the unique
    constraint). Returns how many were resolved."""
    lookup = {"proposal": item} if isinstance(item, Proposal) else {"report": item}
    resolved = Flag.objects.filter(resolved_at__isnull=True, **lookup).update(
        resolved_at=timezone.now(), resolved_by=actor, outcome=outcome
    )
    if item.flag_review_requested_at is not None:
        type(item).objects.filter(pk=item.pk).update(flag_review_requested_at=None)
        item.flag_review_requested_at = None
    return resolved


def _has_open_flags(item) -> bool:
    lookup = {"proposal": item} if isinstance(item, Proposal) else {"report": item}
    return Flag.objects.filter(resolved_at__isnull=True, **lookup).exists()


def _awaits_flag_decision(item) -> bool:
    """Flagged past the threshold (marked for review), or with open flags below it. A decided item (restored
    or hidden) awaits nothing: a second decision, even one sent on a stale screen at the same moment, is an
    illegal_transition, so one moderator's hide is never silently undone by another's restore."""
    return item.flag_review_requested_at is not None or _has_open_flags(item)


def _claim(item, *, actor: User) -> None:
    now = timezone.now()
    if isinstance(item, Proposal) and item.status == P.SUBMITTED:
        status_service.proposal_change_status(
            proposal=item, to_status=P.IN_REVIEW, actor=actor, claimed_by=actor, claimed_at=now
        )
    else:
        _update_locked(item, claimed_by=actor, claimed_at=now)
    events.publish(
        events.ITEM_CLAIMED,
        groups=events.moderation_groups(item.kelurahan_id),
        payload={
            "item_type": PROPOSAL if isinstance(item, Proposal) else REPORT,
            "item_id": item.pk,
            "kelurahan_id": item.kelurahan_id,
            "status": item.status,
            "claimed_by": {"id": actor.pk, "display_name": actor.display_name},
            "claimed_at": now.isoformat(),
        },
    )


_CLAIM_FIELDS = ["status", "claimed_by", "claimed_at"]


def _release(item, *, actor: User) -> None:
    """Give a claimed item back to the queue: only its holder (or an admin) may; an unclaimed item is an
    illegal_transition, so a release sent from a stale screen never clears someone else's new claim."""
    if item.claimed_by_id is None:
        raise IllegalTransition()
    _check_claim(item, actor)
    before = _snapshot(item, _CLAIM_FIELDS)
    if isinstance(item, Proposal) and item.status == P.IN_REVIEW:
        # Back to `submitted` (status.py clears the claim and publishes `proposal.updated`).
        status_service.proposal_change_status(
            proposal=item, to_status=P.SUBMITTED, actor=actor, claimed_by=None, claimed_at=None
        )
    else:
        _update_locked(item, claimed_by=None, claimed_at=None)
        _publish_updated(item)
    _audit(actor=actor, item=item, action="release", before=before)


# --- proposals -----------------------------------------------------------------------------------------


@transaction.atomic
def proposal_claim(*, proposal: Proposal, actor: User) -> Proposal:
    """Take a proposal for review: claimed_by/claimed_at, submitted -> in_review. Publishes `item.claimed`;
    audited. Raises AlreadyClaimed when another moderator holds it (admins take over)."""
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    if not (proposal.status in (P.SUBMITTED, P.IN_REVIEW) or _awaits_flag_decision(proposal)):
        raise IllegalTransition()
    _check_claim(proposal, actor)
    before = _snapshot(proposal, _CLAIM_FIELDS)
    _claim(proposal, actor=actor)
    _audit(actor=actor, item=proposal, action="review", before=before)
    return proposal


@transaction.atomic
def proposal_release(*, proposal: Proposal, actor: User) -> Proposal:
    """Give up a claim on a proposal: in_review -> submitted, unclaimed. Publishes `proposal.updated`;
    audited. AlreadyClaimed when another moderator holds it, IllegalTransition when nobody does."""
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    _release(proposal, actor=actor)
    return proposal


@transaction.atomic
def proposal_publish(*, proposal: Proposal, actor: User, message: str = "") -> Proposal:
    """Publish a submitted/in-review proposal, or restore a flagged public one awaiting its decision (public,
    its flags resolved as `restored`). Publishes `proposal.updated` (via status.py for a status change); audited."""
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    _check_claim(proposal, actor)
    before = _snapshot(proposal, ["status", "is_hidden", "flag_review_requested_at", "published_at", "claimed_by"])
    if proposal.status in (P.SUBMITTED, P.IN_REVIEW):
        status_service.proposal_change_status(
            proposal=proposal, to_status=P.PUBLISHED, actor=actor, message=message, is_hidden=False
        )
    elif proposal.status in PUBLIC_STATUSES and proposal.status != P.MERGED and _awaits_flag_decision(proposal):
        _update_locked(proposal, is_hidden=False, claimed_by=None, claimed_at=None)
        _publish_updated(proposal)
    else:
        raise IllegalTransition()
    resolved = _resolve_flags(proposal, actor=actor, outcome=FlagOutcome.RESTORED)
    _audit(
        actor=actor, item=proposal, action="publish", before=before, message=message, noted={"flags_resolved": resolved}
    )
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, actor: User, reason: str, message: str = "") -> Proposal:
    """Reject a proposal with a reason from RejectionReason and a message to its author; resolves its flags.
    Publishes `proposal.updated` and notifies the author (status.py); audited."""
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    _check_claim(proposal, actor)
    before = _snapshot(proposal, ["status", "rejection_reason", "rejection_message", "claimed_by"])
    status_service.proposal_change_status(
        proposal=proposal,
        to_status=P.REJECTED,
        actor=actor,
        message=message,
        rejection_reason=RejectionReason(reason).value,
        rejection_message=message,
    )
    _resolve_flags(proposal, actor=actor, outcome=FlagOutcome.REJECTED)
    _audit(actor=actor, item=proposal, action="reject", before=before, message=message)
    return proposal


def _votes_move(*, source: Proposal, target: Proposal) -> int:
    """Move source's votes to target in SQL (a resident who supported both keeps one vote) and recount
    target from its Vote rows. Returns target's new vote count."""
    table = connection.ops.quote_name(Vote._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (proposal_id, voter_id, created_at) "  # noqa: S608 - table name from _meta
            f"SELECT %s, v.voter_id, v.created_at FROM {table} v WHERE v.proposal_id = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {table} w WHERE w.proposal_id = %s AND w.voter_id = v.voter_id) "
            "ON CONFLICT DO NOTHING",
            [target.pk, source.pk, target.pk],
        )
    Vote.objects.filter(proposal_id=source.pk).delete()
    count = Vote.objects.filter(proposal_id=OuterRef("pk")).values("proposal_id").annotate(n=Count("*")).values("n")
    Proposal.objects.filter(pk=target.pk).update(vote_count=Coalesce(Subquery(count), 0))
    Proposal.objects.filter(pk=source.pk).update(vote_count=0)
    target.refresh_from_db(fields=["vote_count"])
    source.vote_count = 0
    return target.vote_count


@transaction.atomic
def proposal_merge(*, proposal: Proposal, actor: User, target_id: int, message: str = "") -> Proposal:
    """Merge `proposal` into a public, unmerged proposal the actor moderates: votes move (once per resident),
    status merged, merged_into set. Publishes `proposal.updated` and `vote.tally`; audited."""
    if target_id == proposal.pk:
        raise InvalidMergeTarget()
    # Lock both rows in id order so two merges in opposite directions cannot deadlock.
    locked = {
        p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=[proposal.pk, target_id]).order_by("pk")
    }
    if target_id not in locked:
        raise InvalidMergeTarget()
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    target = locked[target_id]
    if (
        target.status not in PUBLIC_STATUSES
        or target.status == P.MERGED
        or target.merged_into_id is not None
        or not policies.can_moderate(actor, target.kelurahan_id)
    ):
        raise InvalidMergeTarget()
    _check_claim(proposal, actor)
    before = _snapshot(proposal, ["status", "merged_into", "vote_count", "claimed_by"])
    target_votes_before = target.vote_count
    status_service.proposal_change_status(
        proposal=proposal, to_status=P.MERGED, actor=actor, message=message, merged_into=target
    )
    _votes_move(source=proposal, target=target)
    _resolve_flags(proposal, actor=actor, outcome=FlagOutcome.MERGED)
    entry = _audit(actor=actor, item=proposal, action="merge", before=before, message=message)
    entry.before["target_vote_count"] = target_votes_before
    entry.after["target_vote_count"] = target.vote_count
    entry.save(update_fields=["before", "after"])
    events.publish(
        events.VOTE_TALLY,
        groups=events.moderation_groups(target.kelurahan_id),
        payload={"proposal_id": target.pk, "kelurahan_id": target.kelurahan_id, "vote_count": target.vote_count},
    )
    return proposal


def _correct(*, proposal: Proposal, actor: User, action: str, extra_groups=None, **fields) -> Proposal:
    if proposal.status not in _CORRECTABLE:
        raise IllegalTransition()
    _check_claim(proposal, actor)
    before = _snapshot(proposal, list(fields))
    _update_locked(proposal, **fields)
    _audit(actor=actor, item=proposal, action=action, before=before)
    _publish_updated(proposal, extra_groups=extra_groups)
    return proposal


@transaction.atomic
def proposal_recategorize(*, proposal: Proposal, actor: User, category: Category) -> Proposal:
    """Correct a proposal's category. Publishes `proposal.updated`; audited."""
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    return _correct(proposal=proposal, actor=actor, action="recategorize", category=category)


def _relocation_point(latitude, longitude) -> dict:
    """The point fields a relocation writes: none when neither coordinate is given (the point stays)."""
    if latitude is None and longitude is None:
        return {}
    if latitude is None or longitude is None or not point_in_balikpapan(latitude, longitude):
        raise InvalidPoint()
    return {
        "latitude": Decimal(str(latitude)).quantize(_MICRODEGREE, rounding=ROUND_HALF_EVEN),
        "longitude": Decimal(str(longitude)).quantize(_MICRODEGREE, rounding=ROUND_HALF_EVEN),
    }


@transaction.atomic
def proposal_relocate(
    *,
    proposal: Proposal,
    actor: User,
    kelurahan: Kelurahan,
    latitude: float | Decimal | None = None,
    longitude: float | Decimal | None = None,
) -> Proposal:
    """Move a proposal to another kelurahan and, with latitude and longitude (both, inside Balikpapan, else
    InvalidPoint), to that point; without them its point stays. The actor must moderate both areas.
    Publishes `proposal.updated` to the old and the new area; audited (the point too)."""
    point = _relocation_point(latitude, longitude)  # before the lock: a refusal costs no row lock
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    if not policies.can_moderate_all(actor, [proposal.kelurahan_id, kelurahan.pk]):
        raise OutsideModeratedArea()
    old_groups = events.moderation_groups(proposal.kelurahan_id)
    _correct(
        proposal=proposal, actor=actor, action="relocate", extra_groups=old_groups[:1], kelurahan=kelurahan, **point
    )
    comments_follow_item(proposal)  # its comments are moderated where it is
    return proposal


@transaction.atomic
def proposal_assign_opd(*, proposal: Proposal, actor: User, opd: Opd) -> Proposal:
    """Name the city department (OPD) expected to act on a proposal. Publishes `proposal.updated`; audited."""
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    return _correct(proposal=proposal, actor=actor, action="assign_opd", opd=opd)


# --- reports -------------------------------------------------------------------------------------------


@transaction.atomic
def report_claim(*, report: Report, actor: User) -> Report:
    """Take a new (or hidden/flagged) report: claimed_by/claimed_at. Publishes `item.claimed`; audited."""
    report = _locked(Report, report.pk, actor=actor)
    if not (report.status == R.NEW or _awaits_flag_decision(report)):
        raise IllegalTransition()
    _check_claim(report, actor)
    before = _snapshot(report, _CLAIM_FIELDS)
    _claim(report, actor=actor)
    _audit(actor=actor, item=report, action="review", before=before)
    return report


@transaction.atomic
def report_release(*, report: Report, actor: User) -> Report:
    """Give up a claim on a report (it stays in the queue, unclaimed). Publishes `report.updated`; audited.
    AlreadyClaimed when another moderator holds it, IllegalTransition when nobody does."""
    report = _locked(Report, report.pk, actor=actor)
    _release(report, actor=actor)
    return report


@transaction.atomic
def report_verify(*, report: Report, actor: User, message: str = "") -> Report:
    """Verify a new report (it becomes public), or restore a flagged public one awaiting its decision (public,
    its flags resolved as `restored`). Publishes `report.updated`; audited."""
    report = _locked(Report, report.pk, actor=actor)
    _check_claim(report, actor)
    before = _snapshot(report, ["status", "is_hidden", "flag_review_requested_at", "claimed_by"])
    if report.status == R.NEW:
        status_service.report_change_status(report=report, to_status=R.VERIFIED, actor=actor, message=message)
        dispositions.report_verified(report=report)  # the disposition deadline starts (docs/sla.md)
    elif report.status in PUBLIC_REPORT_STATUSES and _awaits_flag_decision(report):
        _update_locked(report, is_hidden=False, claimed_by=None, claimed_at=None)
        _publish_updated(report)
    else:
        raise IllegalTransition()
    resolved = _resolve_flags(report, actor=actor, outcome=FlagOutcome.RESTORED)
    _audit(
        actor=actor, item=report, action="verify", before=before, message=message, noted={"flags_resolved": resolved}
    )
    return report


@transaction.atomic
def report_reject(*, report: Report, actor: User, reason: str, message: str = "") -> Report:
    """Reject a report with a reason and a message to its author; resolves its flags. Publishes
    `report.updated` and notifies the author (status.py); audited."""
    report = _locked(Report, report.pk, actor=actor)
    _check_claim(report, actor)
    before = _snapshot(report, ["status", "rejection_reason", "rejection_message", "claimed_by"])
    status_service.report_change_status(
        report=report,
        to_status=R.REJECTED,
        actor=actor,
        message=message,
        rejection_reason=RejectionReason(reason).value,
        rejection_message=message,
    )
    _resolve_flags(report, actor=actor, outcome=FlagOutcome.REJECTED)
    _audit(actor=actor, item=report, action="reject", before=before, message=message)
    return report


_RELOCATABLE_REPORTS = (R.NEW, R.VERIFIED, R.LINKED)
_REPORT_PLACE_FIELDS = ["kelurahan", "kelurahan_confirmed", "latitude", "longitude", "location_source"]


@transaction.atomic
def report_relocate(
    *,
    report: Report,
    actor: User,
    kelurahan: Kelurahan,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Report:
    """Place a report in `kelurahan` (its own: confirms it) and, given both, at a corrected point; the
    kelurahan is confirmed from then on. Publishes `report.updated` to the old and the new area; audited.
    OutsideModeratedArea unless policies.can_relocate_report; InvalidPoint as for a proposal."""
    point = _relocation_point(latitude, longitude)
    report = _locked(Report, report.pk, actor=actor)
    if report.status not in _RELOCATABLE_REPORTS:
        raise IllegalTransition()
    if not policies.can_relocate_report(actor, report, kelurahan.pk):
        raise OutsideModeratedArea()
    _check_claim(report, actor)
    fields = {"kelurahan": kelurahan, "kelurahan_confirmed": True}
    if point:
        fields.update(point, location_source=Report.LocationSource.GIVEN)
    before = _snapshot(report, _REPORT_PLACE_FIELDS)
    old_groups = events.moderation_groups(report.kelurahan_id)
    _update_locked(report, **fields)
    comments_follow_item(report)  # its comments are moderated where it is
    _audit(actor=actor, item=report, action="relocate", before=before)
    _publish_updated(report, extra_groups=old_groups[:1] if report.kelurahan_id != before["kelurahan"] else None)
    return report


def _store_resolution_image(*, image) -> str:
    """Check, re-encode and store a proof-of-fix photo with the image pipeline; "" when it is not installed."""
    try:
        from aspirasi.services.images import image_store, process_image
    except ImportError:
        return ""  # no image pipeline: the note alone resolves the report
    return image_store(processed=process_image(image), folder="reports").image


@transaction.atomic
def report_resolve(*, report: Report, actor: User, note: str = "", image=None) -> Report:
    """Mark a verified or linked report resolved with a note and an optional proof-of-fix photo (stored by
    aspirasi.services.images when available). Publishes `report.updated`; audited."""
    with files_cleaned_on_failure():
        report = _locked(Report, report.pk, actor=actor)
        _check_claim(report, actor)
        before = _snapshot(report, ["status", "resolution_note", "resolution_image", "claimed_by"])
        fields = {"resolution_note": note}
        if image is not None and report.status in (R.VERIFIED, R.LINKED):
            name = _store_resolution_image(image=image)
            if name:
                fields["resolution_image"] = name
        status_service.report_change_status(report=report, to_status=R.RESOLVED, actor=actor, message=note, **fields)
        _audit(actor=actor, item=report, action="resolve", before=before, message=note)
        return report


def _link_target(*, actor: User, proposal_id: int) -> Proposal:
    target = Proposal.objects.filter(pk=proposal_id).first()
    if (
        target is None
        or target.status not in PUBLIC_STATUSES
        or target.status == P.MERGED
        or not policies.can_moderate(actor, target.kelurahan_id)
    ):
        raise InvalidLinkTarget()
    return target


@transaction.atomic
def report_link(*, report: Report, actor: User, proposal_id: int, message: str = "") -> Report:
    """Link a report to an existing public proposal it supports. Publishes `report.updated`; audited."""
    report = _locked(Report, report.pk, actor=actor)
    _check_claim(report, actor)
    target = _link_target(actor=actor, proposal_id=proposal_id)
    before = _snapshot(report, ["status", "linked_proposal", "claimed_by"])
    status_service.report_change_status(
        report=report, to_status=R.LINKED, actor=actor, message=message, linked_proposal=target
    )
    _audit(actor=actor, item=report, action="link", before=before, message=message)
    return report


def _copy_file(field_file) -> ContentFile:
    field_file.open("rb")
    try:
        return ContentFile(field_file.read(), name=os.path.basename(field_file.name))
    finally:
        field_file.close()


def _photo_from_report(*, report: Report, proposal: Proposal) -> ProposalPhoto:
    photo = ProposalPhoto(proposal=proposal)
    for name in ("image", "thumbnail_small", "thumbnail_large"):
        source = getattr(report, name)
        if not source:
            source = report.image
        content = _copy_file(source)
        getattr(photo, name).save(content.name, content, save=False)
        track_written(getattr(photo, name).name)
    photo.save()
    return photo


@transaction.atomic
def report_promote(*, report: Report, actor: User, title: str = "", message: str = "") -> Report:
    """Turn a report into a published proposal by its author (photo copied, location kept, source_report
    set) and link the report to it. Publishes `proposal.updated` and `report.updated`; audited."""
    with files_cleaned_on_failure():
        report = _locked(Report, report.pk, actor=actor)
        _check_claim(report, actor)
        if report.status not in (R.NEW, R.VERIFIED):
            raise IllegalTransition()
        before = _snapshot(report, ["status", "linked_proposal", "claimed_by"])
        latitude, longitude = report.latitude, report.longitude
        if report.location_source == Report.LocationSource.EXIF and latitude is not None:
            # A public proposal shows its point to everyone: keep a photo's GPS to about 110 m, as public
            # reports do (policies.can_see_exact_report_location), since it may be the author's home.
            latitude, longitude = round(latitude, 3), round(longitude, 3)
        proposal = Proposal.objects.create(
            author_id=report.author_id,
            title=(title or next(iter(report.description.strip().splitlines()), "") or "-")[:200],
            description=report.description,
            category_id=report.category_id,
            kelurahan_id=report.kelurahan_id,
            latitude=latitude,
            longitude=longitude,
            source_report=report,
            status=P.SUBMITTED,
        )
        if report.image:
            _photo_from_report(report=report, proposal=proposal)
        status_service.proposal_change_status(proposal=proposal, to_status=P.PUBLISHED, actor=actor, message=message)
        status_service.report_change_status(
            report=report, to_status=R.LINKED, actor=actor, message=message, linked_proposal=proposal
        )
        _audit(actor=actor, item=report, action="promote", before=before, message=message)
        return report


# --- hiding a flagged item: the other decision on its flags ---------------------------------------------


def _hide(item, *, actor: User, message: str, public_statuses) -> None:
    _check_claim(item, actor)
    # An item hidden by the former automatic rule still awaits its decision (migration 0017 marked it).
    if item.status not in public_statuses or not _awaits_flag_decision(item):
        raise IllegalTransition()
    before = _snapshot(item, ["is_hidden", "flag_review_requested_at", "claimed_by"])
    _update_locked(item, is_hidden=True, claimed_by=None, claimed_at=None)
    resolved = _resolve_flags(item, actor=actor, outcome=FlagOutcome.HIDDEN)
    _audit(actor=actor, item=item, action="hide", before=before, message=message, noted={"flags_resolved": resolved})
    _publish_updated(item)


@transaction.atomic
def proposal_hide(*, proposal: Proposal, actor: User, message: str = "") -> Proposal:
    """Uphold the flags of a public proposal: hide it from public view and resolve its open flags as
    `hidden`. Publishes `proposal.updated`; audited. IllegalTransition unless it is public and awaits a
    decision on its flags (open flags or marked for review)."""
    proposal = _locked(Proposal, proposal.pk, actor=actor)
    _hide(proposal, actor=actor, message=message, public_statuses=[s for s in PUBLIC_STATUSES if s != P.MERGED])
    return proposal


@transaction.atomic
def report_hide(*, report: Report, actor: User, message: str = "") -> Report:
    """Uphold the flags of a public report: hide it and resolve its open flags as `hidden`. Publishes
    `report.updated`; audited. IllegalTransition unless it is public and awaits a decision on its flags."""
    report = _locked(Report, report.pk, actor=actor)
    _hide(report, actor=actor, message=message, public_statuses=PUBLIC_REPORT_STATUSES)
    return report


# --- comments: hide and restore, the decisions on a flagged comment ------------------------------------


def _locked_comment(comment: Comment, actor: User) -> Comment:
    """Re-read the comment under a row lock and check that `actor` moderates its area (its item's kelurahan)."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("author_opd").get(pk=comment.pk)
    if not policies.can_act_as_moderator(actor) or not policies.can_moderate(actor, comment.kelurahan_id):
        raise OutsideModeratedArea()
    return comment


def _comment_snapshot(comment: Comment) -> dict:
    review = comment.flag_review_requested_at
    return {"state": comment.state, "flag_review_requested_at": review.isoformat() if review else None}


def _comment_flags_resolve(comment: Comment, *, actor: User, outcome: FlagOutcome) -> int:
    """Resolve the comment's open flags with the decision taken on it (final, as for an item's flags) and take
    it off review; the caller saves `flag_review_requested_at`. Returns how many were resolved."""
    resolved = CommentFlag.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor, outcome=outcome
    )
    comment.flag_review_requested_at = None
    return resolved


def _comment_decided(comment: Comment, *, actor: User, action: str, before: dict, message: str, resolved: int):
    comment.save(update_fields=["state", "hidden_reason", "flag_review_requested_at"])
    audit_record(
        actor=actor,
        item=comment,
        action=action,
        before=before,
        after={**_comment_snapshot(comment), "flags_resolved": resolved},
        message=message,
    )


@transaction.atomic
def comment_hide(*, comment: Comment, actor: User, reason: str) -> Comment:
    """A moderator of the comment's area hides a visible comment with `reason`, which its author is told
    (signal `comment_hidden`): a "hidden by a moderator" placeholder stays in the thread, its open flags are
    resolved as `hidden`. Audited; publishes `comment.updated` to the thread and the moderators. Raises
    OutsideModeratedArea or IllegalTransition (not visible: hidden already, or deleted by its author)."""
    comment = _locked_comment(comment, actor)
    if comment.state != CommentState.VISIBLE:
        raise IllegalTransition()
    before = _comment_snapshot(comment)
    resolved = _comment_flags_resolve(comment, actor=actor, outcome=FlagOutcome.HIDDEN)
    comment.state, comment.hidden_reason = CommentState.HIDDEN, reason
    _comment_decided(comment, actor=actor, action="hide", before=before, message=reason, resolved=resolved)
    count = comment_count_move(comment, -1)
    signals.comment_hidden.send(sender=Comment, comment=comment, reason=reason)
    comment_publish(events.COMMENT_UPDATED, comment, comment_count=count, moderators=True)
    return comment


@transaction.atomic
def comment_restore(*, comment: Comment, actor: User, message: str = "", expected_state: str | None = None) -> Comment:
    """A moderator of the area restores a hidden comment (its author is told: signal `comment_restored`), or
    keeps a flagged visible one; its open flags are resolved as `restored` either way. Audited; publishes
    `comment.updated` to the thread and the moderators. Raises OutsideModeratedArea, IllegalTransition
    (a visible comment awaiting no decision, a deleted one) or ItemChanged when `expected_state` (the state
    the moderator saw) is no longer its state: keeping a flagged comment never undoes another's hide."""
    comment = _locked_comment(comment, actor)
    if expected_state is not None and comment.state != expected_state:
        raise ItemChanged()
    flagged = comment.flag_review_requested_at is not None or comment.flags.filter(resolved_at__isnull=True).exists()
    if comment.state == CommentState.DELETED or (comment.state == CommentState.VISIBLE and not flagged):
        raise IllegalTransition()
    before = _comment_snapshot(comment)
    was_hidden = comment.state == CommentState.HIDDEN
    resolved = _comment_flags_resolve(comment, actor=actor, outcome=FlagOutcome.RESTORED)
    comment.state, comment.hidden_reason = CommentState.VISIBLE, ""
    _comment_decided(comment, actor=actor, action="restore", before=before, message=message, resolved=resolved)
    count = None
    if was_hidden:
        count = comment_count_move(comment, +1)
        signals.comment_restored.send(sender=Comment, comment=comment, message=message)
    comment_publish(events.COMMENT_UPDATED, comment, comment_count=count, moderators=True)
    return comment


# --- dispatch: one entry point per item type, used by the API, bulk decisions and the admin -----------

PROPOSAL_ACTIONS: dict[str, Callable] = {
    "review": proposal_claim,
    "release": proposal_release,
    "publish": proposal_publish,
    "reject": proposal_reject,
    "merge": proposal_merge,
    "recategorize": proposal_recategorize,
    "relocate": proposal_relocate,
    "assign_opd": proposal_assign_opd,
    "hide": proposal_hide,
    "dispose": dispositions.proposal_dispose,
}
REPORT_ACTIONS: dict[str, Callable] = {
    "review": report_claim,
    "release": report_release,
    "verify": report_verify,
    "reject": report_reject,
    "resolve": report_resolve,
    "link": report_link,
    "promote": report_promote,
    "relocate": report_relocate,
    "hide": report_hide,
    "dispose": dispositions.report_dispose,
}
COMMENT_ACTIONS: dict[str, Callable] = {"hide": comment_hide, "restore": comment_restore}
BULK_ACTIONS = ("review", "publish", "verify", "reject", "hide")


def proposal_decide(*, proposal: Proposal, actor: User, action: str, **arguments) -> Proposal:
    """Carry out one of PROPOSAL_ACTIONS (see each service for its side effects)."""
    return PROPOSAL_ACTIONS[action](proposal=proposal, actor=actor, **arguments)


def report_decide(*, report: Report, actor: User, action: str, **arguments) -> Report:
    """Carry out one of REPORT_ACTIONS (see each service for its side effects)."""
    return REPORT_ACTIONS[action](report=report, actor=actor, **arguments)


def comment_decide(*, comment: Comment, actor: User, action: str, **arguments) -> Comment:
    """Carry out one of COMMENT_ACTIONS (see each service for its side effects)."""
    return COMMENT_ACTIONS[action](comment=comment, actor=actor, **arguments)


def _bulk_comment(*, actor: User, item_id: int, action: str, arguments: dict) -> str:
    """Decide one bulk comment: `publish`/`verify` restore it (the item's "keep it"), `hide` hides it with the
    bulk `message` as its reason; returns its new state."""
    comment = Comment.objects.filter(policies.moderation_scope(actor), pk=item_id).first()
    if comment is None:
        raise _NotFound()
    message = arguments.get("message", "").strip()
    if action in ("publish", "verify"):
        return comment_restore(comment=comment, actor=actor, message=message).state
    if action != "hide":
        raise UnsupportedAction()
    if not message or len(message) > Comment._meta.get_field("hidden_reason").max_length:
        raise HideReasonRequired()
    return comment_hide(comment=comment, actor=actor, reason=message).state


def _bulk_one(*, actor: User, item_type: str, item_id: int, action: str, arguments: dict) -> str:
    """Decide one bulk item; returns its new status (a comment's state)."""
    if item_type == COMMENT:
        return _bulk_comment(actor=actor, item_id=item_id, action=action, arguments=arguments)
    # Publishing a report means verifying it and vice versa: one bulk selection may mix both kinds.
    if item_type == PROPOSAL:
        action = "publish" if action == "verify" else action
        proposal = Proposal.objects.filter(policies.moderation_scope(actor), pk=item_id).first()
        if proposal is None:
            raise _NotFound()
        return proposal_decide(proposal=proposal, actor=actor, action=action, **arguments).status
    action = "verify" if action == "publish" else action
    report = Report.objects.filter(policies.moderation_scope(actor), pk=item_id).first()
    if report is None:
        raise _NotFound()
    return report_decide(report=report, actor=actor, action=action, **arguments).status


class _NotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


@transaction.atomic
def decisions_bulk(*, actor: User, items: list[tuple[str, int]], action: str, **arguments) -> list[dict]:
    """Apply `action` to each (type, id) in its own savepoint, each audited; one failure does not undo the
    others. Returns per-item {type, id, ok, code, status}. Events as for the single decisions."""
    if action not in BULK_ACTIONS:
        raise UnsupportedAction()
    results = []
    for item_type, item_id in items:
        result = {"type": item_type, "id": item_id, "ok": True, "code": None, "status": None}
        try:
            with transaction.atomic():
                result["status"] = _bulk_one(
                    actor=actor, item_type=item_type, item_id=item_id, action=action, arguments=arguments
                )
        except DomainError as error:
            result.update(ok=False, code=error.code)
        results.append(result)
    return results
