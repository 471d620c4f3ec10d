"""The OPD loop (issue 23, docs/sla.md): disposition, the OPD's follow-up, the reporter's confirmation, and the
SLA tick that closes unanswered confirmations and escalates overdue stages once.

A report moves through stages, each with a working-day deadline (aspirasi/sla.py) kept on the report
(sla_stage, sla_due_at): verification (from its submission) -> disposition (from its verification, and again
after an OPD says "not ours") -> follow_up (the open Disposition's due_at) -> confirmation (after "done").
Every step writes a public FollowUpEvent naming the OPD (never the officer), notifies the reporter through
signals (notifications/receivers.py) and publishes `disposition.updated` after commit to the OPD's inbox and
the area's moderators. Locks use select_for_update(of=("self",)): PostgreSQL refuses FOR UPDATE on the
nullable side of an outer join.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from aspirasi import policies, signals, sla
from aspirasi.errors import (
    FollowUpNotAllowed,
    NotAwaitingConfirmation,
    NotDisposable,
    NotTheReporter,
    NotYourOpd,
    OutsideModeratedArea,
    ProofPhotoRequired,
    ReasonRequired,
)
from aspirasi.models import (
    Disposition,
    DispositionState,
    Escalation,
    FollowUpEvent,
    FollowUpState,
    FollowUpStep,
    Opd,
    Proposal,
    ProposalStatus,
    Report,
    ReportStatus,
    User,
)
from aspirasi.models.opd import OPEN_DISPOSITION_STATES
from aspirasi.services import status as status_service
from aspirasi.services.audit import audit_record
from aspirasi.services.files import files_cleaned_on_failure
from realtime import events

D = DispositionState
S = FollowUpStep

# The follow-up steps an OPD may take from each state of its disposition.
FOLLOW_UP_TRANSITIONS = {
    D.FORWARDED: {D.ACCEPTED, D.IN_PROGRESS, D.DONE, D.NOT_OURS},
    D.ACCEPTED: {D.IN_PROGRESS, D.DONE, D.NOT_OURS},
    D.IN_PROGRESS: {D.DONE, D.NOT_OURS},
}
_STEP_TIMESTAMPS = {
    D.ACCEPTED: "accepted_at",
    D.IN_PROGRESS: "started_at",
    D.DONE: "done_at",
    D.NOT_OURS: "returned_at",
}


def _store_photo(photo) -> str:
    from aspirasi.services.images import image_store, process_image

    return image_store(processed=process_image(photo), folder="followups").image


def disposition_payload(disposition: Disposition) -> dict:
    return {
        "disposition_id": disposition.pk,
        "item_type": disposition.item_type,
        "item_id": disposition.item_id,
        "opd_id": disposition.opd_id,
        "state": disposition.state,
        "is_reopen": disposition.is_reopen,
        "due_at": disposition.due_at.isoformat(),
        "sla_state": sla.state(disposition.due_at),
    }


def _item(disposition: Disposition) -> Report | Proposal:
    return disposition.report if disposition.report_id else disposition.proposal


def _publish(disposition: Disposition, *, event: str = events.DISPOSITION_UPDATED, payload: dict | None = None) -> None:
    item = _item(disposition)
    groups = [events.opd_group(disposition.opd_id), *events.moderation_groups(item.kelurahan_id)]
    events.publish(event, groups=groups, payload=payload or disposition_payload(disposition))


def _step(disposition: Disposition, step: str, *, message: str = "", photo: str = "") -> FollowUpEvent:
    """The public timeline entry of a step, and the signal the reporter's notification comes from."""
    entry = FollowUpEvent.objects.create(
        disposition=disposition,
        report_id=disposition.report_id,
        proposal_id=disposition.proposal_id,
        opd_id=disposition.opd_id,
        step=step,
        message=message,
        photo=photo,
    )
    signals.follow_up_stepped.send(sender=FollowUpEvent, event=entry, disposition=disposition)
    return entry


def _report_update(report: Report, **fields) -> None:
    fields["updated_at"] = timezone.now()
    Report.objects.filter(pk=report.pk).update(**fields)
    for name, value in fields.items():
        setattr(report, name, value)


# --- the verification hooks: where the clock starts --------------------------------------------------


def report_submitted_clock(*, created_at: datetime) -> dict:
    """The fields a new report starts with: verification due in SLA_VERIFICATION_DAYS."""
    return {"sla_stage": sla.VERIFICATION, "sla_due_at": sla.stage_due_at(sla.VERIFICATION, created_at)}


def report_verified(*, report: Report) -> None:
    """A verified report waits for its disposition: SLA_DISPOSITION_DAYS from now (inside the verify transaction)."""
    now = timezone.now()
    _report_update(report, sla_stage=sla.DISPOSITION, sla_due_at=sla.stage_due_at(sla.DISPOSITION, now))


# --- disposition: a moderator forwards an item to an OPD ---------------------------------------------


def _forward(*, disposition_item: dict, item, actor: User | None, opd: Opd, note: str, is_reopen: bool) -> Disposition:
    now = timezone.now()
    try:
        with transaction.atomic():
            disposition = Disposition.objects.create(
                **disposition_item,
                opd=opd,
                forwarded_by=actor,
                note=note,
                is_reopen=is_reopen,
                due_at=sla.stage_due_at(sla.FOLLOW_UP, now),
            )
    except IntegrityError as error:  # another disposition is open already (the partial unique constraint)
        raise NotDisposable() from error
    _step(disposition, S.REOPENED if is_reopen else S.FORWARDED, message=note)
    return disposition


@transaction.atomic
def report_dispose(*, report: Report, actor: User, opd: Opd, note: str = "") -> Report:
    """Forward a verified report to `opd` (disposisi) with a note: a Disposition due in SLA_FOLLOW_UP_DAYS, a
    public timeline step, the reporter notified, `disposition.updated` published; audited."""
    report = Report.objects.select_for_update(of=("self",)).select_related("kelurahan").get(pk=report.pk)
    if not policies.can_dispose(actor, report.kelurahan_id):
        raise OutsideModeratedArea()
    if report.status != ReportStatus.VERIFIED or report.follow_up_state not in ("", FollowUpState.NOT_OURS):
        raise NotDisposable()
    before = {"opd": report.opd_id, "follow_up_state": report.follow_up_state}
    disposition = _forward(
        disposition_item={"report": report}, item=report, actor=actor, opd=opd, note=note, is_reopen=False
    )
    _report_update(
        report, opd=opd, follow_up_state=FollowUpState.FORWARDED, sla_stage=sla.FOLLOW_UP, sla_due_at=disposition.due_at
    )
    audit_record(
        actor=actor,
        item=report,
        action="dispose",
        before=before,
        after={"opd": opd.pk, "follow_up_state": report.follow_up_state, "disposition": disposition.pk},
        message=note,
    )
    _publish(disposition)
    events.publish(
        events.REPORT_UPDATED,
        groups=events.moderation_groups(report.kelurahan_id),
        payload=status_service.report_payload(report),
    )
    return report


@transaction.atomic
def proposal_dispose(*, proposal: Proposal, actor: User, opd: Opd, note: str = "") -> Proposal:
    """Forward an accepted proposal to `opd`: as report_dispose; the proposal's OPD becomes `opd`."""
    proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    if not policies.can_dispose(actor, proposal.kelurahan_id):
        raise OutsideModeratedArea()
    if proposal.status not in (ProposalStatus.ACCEPTED, ProposalStatus.IN_PROGRESS):
        raise NotDisposable()
    before = {"opd": proposal.opd_id}
    disposition = _forward(
        disposition_item={"proposal": proposal}, item=proposal, actor=actor, opd=opd, note=note, is_reopen=False
    )
    Proposal.objects.filter(pk=proposal.pk).update(opd=opd)
    proposal.opd = opd
    audit_record(
        actor=actor,
        item=proposal,
        action="dispose",
        before=before,
        after={"opd": opd.pk, "disposition": disposition.pk},
        message=note,
    )
    _publish(disposition)
    return proposal


# --- follow-up (tindak lanjut): the OPD answers --------------------------------------------------------


@transaction.atomic
def follow_up_record(
    *, disposition: Disposition, actor: User, state: str, note: str = "", reason: str = "", photo=None
) -> Disposition:
    """The OPD's step on a disposition: accepted, in_progress, done (note and proof photo required; the reporter
    then has SLA_CONFIRMATION_DAYS to confirm) or not_ours (reason required; the item goes back to the
    moderators for another OPD). A public timeline step, the reporter notified, `disposition.updated` published."""
    with files_cleaned_on_failure():
        disposition = Disposition.objects.select_for_update(of=("self",)).get(pk=disposition.pk)
        if not policies.can_follow_up(actor, disposition):
            raise NotYourOpd()
        if state not in FOLLOW_UP_TRANSITIONS.get(disposition.state, ()):
            raise FollowUpNotAllowed()
        now = timezone.now()
        fields = {"state": state, _STEP_TIMESTAMPS[state]: now, "updated_at": now}
        photo_name = ""
        if state == D.DONE:
            if not note.strip() or photo is None:
                raise ProofPhotoRequired()
            photo_name = _store_photo(photo)
            fields.update(done_note=note, proof_photo=photo_name)
        if state == D.NOT_OURS:
            if not reason.strip():
                raise ReasonRequired()
            fields["reason"] = reason
        if not Disposition.objects.filter(pk=disposition.pk, state=disposition.state).update(**fields):
            raise FollowUpNotAllowed()
        for name, value in fields.items():
            setattr(disposition, name, value)
        report = (
            Report.objects.select_for_update(of=("self",)).get(pk=disposition.report_id)
            if disposition.report_id
            else None
        )
        if report is not None:
            _follow_up_report(report, disposition=disposition, state=state, now=now)
        step = {D.ACCEPTED: S.ACCEPTED, D.IN_PROGRESS: S.IN_PROGRESS, D.DONE: S.DONE, D.NOT_OURS: S.NOT_OURS}[state]
        _step(disposition, step, message=reason if state == D.NOT_OURS else note, photo=photo_name)
        _publish(disposition)
        return disposition


def _follow_up_report(report: Report, *, disposition: Disposition, state: str, now) -> None:
    if state in (D.ACCEPTED, D.IN_PROGRESS):
        _report_update(report, follow_up_state=state)
    elif state == D.DONE:
        _report_update(
            report,
            follow_up_state=FollowUpState.DONE,
            sla_stage=sla.CONFIRMATION,
            sla_due_at=sla.stage_due_at(sla.CONFIRMATION, now),
        )
    else:  # not ours: back to the moderators, whose disposition clock starts again
        _report_update(
            report,
            opd=None,
            follow_up_state=FollowUpState.NOT_OURS,
            sla_stage=sla.DISPOSITION,
            sla_due_at=sla.stage_due_at(sla.DISPOSITION, now),
        )


# --- the reporter's confirmation -----------------------------------------------------------------------


def _current_disposition(report: Report) -> Disposition:
    return Disposition.objects.filter(report=report).order_by("-created_at", "-id").first()


def _resolve(report: Report, disposition: Disposition, *, follow_up_state: str, message: str) -> None:
    _report_update(report, follow_up_state=follow_up_state, sla_stage="", sla_due_at=None)
    status_service.report_change_status(
        report=report,
        to_status=ReportStatus.RESOLVED,
        actor=None,
        message=message,
        resolution_note=disposition.done_note,
        resolution_image=disposition.proof_photo.name,
    )


@transaction.atomic
def report_confirm(*, report: Report, actor: User, fixed: bool, comment: str = "") -> FollowUpEvent:
    """The reporter answers a done report within its window: fixed -> resolved (confirmed); not fixed -> a new
    disposition to the same OPD (a reopen, counted against it). A public timeline step either way."""
    report = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if not policies.can_confirm_fix(actor, report):
        raise NotTheReporter()
    if report.follow_up_state != FollowUpState.DONE or report.status != ReportStatus.VERIFIED:
        raise NotAwaitingConfirmation()
    done = _current_disposition(report)
    if fixed:
        entry = _step(done, S.CONFIRMED, message=comment)
        _resolve(report, done, follow_up_state=FollowUpState.CONFIRMED, message=comment)
        _publish(done)
        return entry
    reopened = _forward(
        disposition_item={"report": report}, item=report, actor=None, opd=done.opd, note=comment, is_reopen=True
    )
    _report_update(report, follow_up_state=FollowUpState.FORWARDED, sla_stage=sla.FOLLOW_UP, sla_due_at=reopened.due_at)
    _publish(reopened)
    return FollowUpEvent.objects.filter(disposition=reopened, step=S.REOPENED).get()


@transaction.atomic
def report_confirmation_photo_add(*, report: Report, actor: User, photo) -> FollowUpEvent:
    """Attach a photo to the reporter's latest answer (confirmed or reopened), once."""
    with files_cleaned_on_failure():
        report = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if not policies.can_confirm_fix(actor, report):
            raise NotTheReporter()
        entry = (
            FollowUpEvent.objects.select_for_update(of=("self",))
            .filter(report=report, step__in=[S.CONFIRMED, S.REOPENED], photo="")
            .order_by("-created_at", "-id")
            .first()
        )
        latest = FollowUpEvent.objects.filter(report=report).order_by("-created_at", "-id").first()
        if entry is None or latest is None or latest.pk != entry.pk:
            raise NotAwaitingConfirmation()
        entry.photo = _store_photo(photo)
        entry.save(update_fields=["photo"])
        return entry


# --- the tick: auto-close, escalate (aspirasi/tasks.py sla_tick, every few minutes) --------------------


def confirmations_close_due(*, now: datetime | None = None) -> int:
    """Close, as resolved, every done report whose confirmation window has ended unanswered (as LAPOR! does)."""
    now = now or timezone.now()
    closed = 0
    due = Report.objects.filter(follow_up_state=FollowUpState.DONE, status=ReportStatus.VERIFIED, sla_due_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            report = Report.objects.select_for_update(of=("self",)).get(pk=pk)
            if report.follow_up_state != FollowUpState.DONE or report.sla_due_at > now:
                continue  # answered meanwhile
            done = _current_disposition(report)
            _step(done, S.CLOSED)
            _resolve(report, done, follow_up_state=FollowUpState.CLOSED, message="")
            _publish(done)
            closed += 1
    return closed


def _escalate(*, key: str, stage: str, due_at, report=None, proposal=None, disposition=None) -> bool:
    """Record the escalation once (the unique key decides under concurrency), notify and publish after commit."""
    item = report or proposal
    opd_id = disposition.opd_id if disposition else None
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                key=key,
                stage=stage,
                report=report,
                proposal=proposal,
                disposition=disposition,
                opd_id=opd_id,
                due_at=due_at,
            )
            signals.sla_escalated.send(sender=Escalation, escalation=escalation, item=item)
    except IntegrityError:
        return False
    groups = events.moderation_groups(item.kelurahan_id) + ([events.opd_group(opd_id)] if opd_id else [])
    events.publish(
        events.SLA_ESCALATED,
        groups=groups,
        payload={
            "item_type": "report" if report else "proposal",
            "item_id": item.pk,
            "stage": stage,
            "due_at": due_at.isoformat(),
            "opd_id": opd_id,
            "disposition_id": disposition.pk if disposition else None,
        },
    )
    return True


def _pending_proposals_overdue(*, now: datetime) -> list[tuple[Proposal, datetime]]:
    """Submitted or in-review proposals past their verification deadline, with it. Only those older than the
    stage's days in calendar days can be (a working day is at least a day): their deadlines in one read."""
    days = timedelta(days=sla.stage_days(sla.VERIFICATION))
    candidates = list(
        Proposal.objects.filter(status__in=sla.CLOCKED_PROPOSAL_STATUSES, created_at__lte=now - days)
        .select_related("kelurahan")
        .order_by("pk")
    )
    dues = sla.stage_dues_at(sla.VERIFICATION, [proposal.created_at for proposal in candidates])
    return [(proposal, due) for proposal, due in zip(candidates, dues, strict=True) if due <= now]


def escalations_run(*, now: datetime | None = None) -> int:
    """Escalate every overdue stage once: verification (of reports and pending proposals) and disposition to the
    area's moderators, follow-up also to the OPD's head. Returns how many escalations were new."""
    now = now or timezone.now()
    count = 0
    waiting = Report.objects.filter(
        Q(status=ReportStatus.NEW, sla_stage=sla.VERIFICATION)
        | Q(status=ReportStatus.VERIFIED, sla_stage=sla.DISPOSITION),
        sla_due_at__lte=now,
    ).select_related("kelurahan")
    # Escalated before: skipped without trying the insert again (the unique key still decides a race).
    done = set(Escalation.objects.filter(created_at__gte=now - timedelta(days=366)).values_list("key", flat=True))
    for report in waiting:
        key = f"report:{report.pk}:{report.sla_stage}:{report.sla_due_at.timestamp():.0f}"
        if key not in done:
            count += _escalate(key=key, stage=report.sla_stage, due_at=report.sla_due_at, report=report)
    for proposal, due in _pending_proposals_overdue(now=now):
        key = f"proposal:{proposal.pk}:{sla.VERIFICATION}:{due.timestamp():.0f}"
        if key not in done:
            count += _escalate(key=key, stage=sla.VERIFICATION, due_at=due, proposal=proposal)
    overdue = Disposition.objects.filter(state__in=OPEN_DISPOSITION_STATES, due_at__lte=now).select_related(
        "report__kelurahan", "proposal__kelurahan"
    )
    for disposition in overdue:
        key = f"disposition:{disposition.pk}:{sla.FOLLOW_UP}"
        if key in done:
            continue
        count += _escalate(
            key=key,
            stage=sla.FOLLOW_UP,
            due_at=disposition.due_at,
            report=disposition.report,
            proposal=disposition.proposal,
            disposition=disposition,
        )
    return count


def sla_tick(*, now: datetime | None = None) -> dict[str, int]:
    return {"closed": confirmations_close_due(now=now), "escalated": escalations_run(now=now)}
