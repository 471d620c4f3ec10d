"""Notifications: created by the domain services' triggers (never by post_save), read, configured, pushed.

The three `notify_*` triggers run inside the transaction of the change they report, so a rolled-back
change leaves no notification. Each notification is rendered in its recipient's language, created with
bulk_create in batches, shown live through events.publish (after commit) and pushed to the recipient's
devices by a task (notifications/tasks.py) that runs after commit in the worker.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aspirasi import policies
from aspirasi.models import Language, Proposal, ProposalStatus, Report, ReportStatus, Role, User
from aspirasi.selectors.moderation import waiting_too_long
from notifications.models import (
    DeliveryStatus,
    Device,
    MutedKind,
    Notification,
    NotificationKind,
    NotificationSettings,
    PushDelivery,
    TargetType,
)
from notifications.push import Outcome, PushMessage, PushResult, get_push_backend
from notifications.selectors import unread_counts
from realtime import events

logger = logging.getLogger(__name__)

K = NotificationKind
P = ProposalStatus
R = ReportStatus

VOTE_MILESTONES = (10, 50, 100, 500, 1000)

# (title, body) per kind, English msgids with %(name)s placeholders; rendered in the recipient's language.
_TEXTS = {
    K.PROPOSAL_PUBLISHED: (
        _("Your proposal was published"),
        _("“%(title)s” is now public and residents can support it."),
    ),
    K.PROPOSAL_REJECTED: (_("Your proposal was not published"), _("“%(title)s” was rejected: %(message)s")),
    K.PROPOSAL_MERGED: (
        _("Your proposal was merged"),
        _("“%(title)s” was merged into “%(target_title)s”; follow it there."),
    ),
    K.PROPOSAL_ACCEPTED: (
        _("Your proposal was accepted"),
        _("“%(title)s” was accepted into the Musrenbang plan."),
    ),
    K.PROPOSAL_IN_PROGRESS: (_("Work on your proposal has started"), _("“%(title)s” is now in progress.")),
    K.PROPOSAL_COMPLETED: (_("Your proposal was completed"), _("“%(title)s” has been completed.")),
    K.SUPPORTED_MERGED: (
        _("A proposal you support was merged"),
        _("“%(title)s” was merged into “%(target_title)s”; follow it there."),
    ),
    K.SUPPORTED_ACCEPTED: (
        _("A proposal you support was accepted"),
        _("“%(title)s” was accepted into the Musrenbang plan."),
    ),
    K.SUPPORTED_COMPLETED: (_("A proposal you support was completed"), _("“%(title)s” has been completed.")),
    K.REPORT_VERIFIED: (_("Your report was verified"), _("Your photo report is now public.")),
    K.REPORT_REJECTED: (_("Your report was rejected"), _("Your photo report was rejected: %(message)s")),
    K.REPORT_RESOLVED: (_("Your report was resolved"), _("The problem you reported has been resolved. %(message)s")),
    K.REPORT_LINKED: (
        _("Your report was linked to a proposal"),
        _("Your photo report now supports a proposal."),
    ),
    K.VOTE_MILESTONE: (
        _("Your proposal reached %(count)d supporters"),
        _("“%(title)s” now has %(count)d supporters."),
    ),
    K.PROGRAM_PROGRESS: (
        _("News from “%(program)s”"),
        _("The program your proposal became is %(progress)d%% done. %(note)s"),
    ),
    K.REPORT_FORWARDED: (
        _("Your report was forwarded to %(opd)s"),
        _("%(opd)s will follow it up; its deadline is %(due)s."),
    ),
    K.OPD_ACCEPTED: (_("%(opd)s accepted your report"), _("%(opd)s will follow up your photo report.")),
    K.OPD_IN_PROGRESS: (_("%(opd)s started work on your report"), _("Work on your photo report has started.")),
    K.OPD_DONE: (
        _("%(opd)s says your report is fixed"),
        _("%(message)s Is it fixed? Confirm or reopen it by %(due)s."),
    ),
    K.OPD_RETURNED: (
        _("Your report goes to another OPD"),
        _("%(opd)s is not responsible for it; the moderators will forward it to the right OPD."),
    ),
    K.PROPOSAL_FORWARDED: (
        _("Your proposal was forwarded to %(opd)s"),
        _("%(opd)s will follow up “%(title)s”; its deadline is %(due)s."),
    ),
    K.PROPOSAL_OPD_ACCEPTED: (_("%(opd)s accepted your proposal"), _("%(opd)s will follow up “%(title)s”.")),
    K.PROPOSAL_OPD_IN_PROGRESS: (
        _("%(opd)s started work on your proposal"),
        _("Work on “%(title)s” has started."),
    ),
    K.PROPOSAL_OPD_DONE: (_("%(opd)s finished work on your proposal"), _("“%(title)s”: %(message)s")),
    K.PROPOSAL_OPD_RETURNED: (
        _("Your proposal goes to another OPD"),
        _("%(opd)s is not responsible for “%(title)s”; the moderators will forward it to the right OPD."),
    ),
    K.SLA_OVERDUE: (_("Overdue: %(stage)s"), _("%(item)s passed its deadline (%(due)s) at the %(stage)s stage.")),
    K.COMMENT_NEW: (_("New comments on “%(title)s”"), _("Residents are discussing “%(title)s”: read the thread.")),
    K.COMMENT_OFFICIAL: (
        _("An official answer on “%(title)s”"),
        _("%(role)s answered in the discussion of “%(title)s”."),
    ),
    K.COMMENT_HIDDEN: (
        _("Your comment was hidden"),
        _("A moderator hid your comment on “%(title)s”: %(message)s"),
    ),
    K.COMMENT_RESTORED: (
        _("Your comment is shown again"),
        _("A moderator restored your comment on “%(title)s”. %(message)s"),
    ),
    K.MODERATION_DIGEST: (
        _("Items waiting for moderation"),
        _("%(proposals)d proposals and %(reports)d photo reports in your areas have waited more than %(hours)d hours."),
    ),
}
# Bodies used when the moderator left no message.
_TEXTS_WITHOUT_MESSAGE = {
    K.PROPOSAL_REJECTED: _("“%(title)s” was rejected."),
    K.REPORT_REJECTED: _("Your photo report was rejected."),
    K.REPORT_RESOLVED: _("The problem you reported has been resolved."),
}

AUTHOR_KINDS = {
    P.PUBLISHED: K.PROPOSAL_PUBLISHED,
    P.REJECTED: K.PROPOSAL_REJECTED,
    P.MERGED: K.PROPOSAL_MERGED,
    P.ACCEPTED: K.PROPOSAL_ACCEPTED,
    P.IN_PROGRESS: K.PROPOSAL_IN_PROGRESS,
    P.COMPLETED: K.PROPOSAL_COMPLETED,
}
SUPPORTER_KINDS = {P.MERGED: K.SUPPORTED_MERGED, P.ACCEPTED: K.SUPPORTED_ACCEPTED, P.COMPLETED: K.SUPPORTED_COMPLETED}
REPORT_KINDS = {
    R.VERIFIED: K.REPORT_VERIFIED,
    R.REJECTED: K.REPORT_REJECTED,
    R.RESOLVED: K.REPORT_RESOLVED,
    R.LINKED: K.REPORT_LINKED,
}


def render(kind: str, *, language: str, context: dict) -> tuple[str, str]:
    """Title and body of `kind` in `language` (id or en)."""
    title, body = _TEXTS[kind]
    if kind in _TEXTS_WITHOUT_MESSAGE and not context.get("message"):
        body = _TEXTS_WITHOUT_MESSAGE[kind]
    with translation.override(language if language in Language.values else Language.INDONESIAN):
        return str(title) % context, str(body) % context


def notification_payload(notification: Notification) -> dict:
    """The plain-JSON notification, as the API and the live event show it."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "target_type": notification.target_type,
        "target_id": notification.target_id,
        "data": notification.data,
        "created_at": notification.created_at.isoformat() if notification.created_at else None,
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


# --- Creating and fanning out ---------------------------------------------------------------------------


@transaction.atomic
def notifications_create(
    *,
    kind: str,
    recipients: QuerySet,
    context: dict,
    target_type: str = "",
    target_id: int | None = None,
    data: dict | None = None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Create one `kind` notification per recipient (users of the queryset that did not mute it), in batches.
    Publishes them live after commit (or from the dispatch task for large fan-outs) and enqueues one push
    task per batch after commit. With `dedupe_key`, a recipient who already has that key gets nothing."""
    wanted = (
        recipients.filter(is_active=True)
        .exclude(muted_notification_kinds__kind=kind)
        .order_by("pk")
        .values_list("pk", "language")
    )
    rows = list(wanted)
    if not rows:
        return []
    texts: dict[str, tuple[str, str]] = {}
    for _pk, language in rows:
        if language not in texts:
            texts[language] = render(kind, language=language, context=context)
    live_inline = len(rows) <= settings.NOTIFICATION_LIVE_INLINE_LIMIT
    created: list[Notification] = []
    batch_size = settings.NOTIFICATION_BATCH_SIZE
    for start in range(0, len(rows), batch_size):
        batch = [
            Notification(
                recipient_id=pk,
                kind=kind,
                title=texts[language][0],
                body=texts[language][1],
                target_type=target_type,
                target_id=target_id,
                data=data or {},
                dedupe_key=dedupe_key,
            )
            for pk, language in rows[start : start + batch_size]
        ]
        if dedupe_key:
            try:
                with transaction.atomic():
                    batch = Notification.objects.bulk_create(batch)
            except IntegrityError:
                return created  # already notified once for this key: the constraint decided
        else:
            batch = Notification.objects.bulk_create(batch)
        has_push = _deliveries_create(batch)
        if live_inline:
            publish_live(batch)
        if has_push or not live_inline:
            _enqueue_dispatch([n.pk for n in batch], publish_live=not live_inline)
        created.extend(batch)
    return created


def _deliveries_create(notifications: list[Notification]) -> bool:
    """One pending PushDelivery per notification x active device of a recipient who has push on."""
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in notifications:
        by_user[notification.recipient_id].append(notification)
    devices = (
        Device.objects.filter(user_id__in=by_user, active=True)
        .exclude(user__notification_settings__push_enabled=False)
        .values_list("pk", "user_id")
    )
    now = timezone.now()
    deliveries = [
        PushDelivery(notification=notification, device_id=device_id, next_attempt_at=now)
        for device_id, user_id in devices
        for notification in by_user[user_id]
    ]
    PushDelivery.objects.bulk_create(deliveries, batch_size=settings.NOTIFICATION_BATCH_SIZE)
    return bool(deliveries)


def publish_live(notifications: list[Notification]) -> None:
    """Publish `notification.created` and the new unread count to each recipient's own group (after commit)."""
    if not notifications:
        return
    counts = unread_counts(user_ids={n.recipient_id for n in notifications})
    for notification in notifications:
        events.publish(
            events.NOTIFICATION_CREATED,
            groups=[events.user_group(notification.recipient_id)],
            payload=notification_payload(notification),
        )
    for user_id, count in counts.items():
        events.publish(events.NOTIFICATION_UNREAD_COUNT, groups=[events.user_group(user_id)], payload={"unread": count})


def _enqueue_dispatch(notification_ids: list[int], *, publish_live: bool) -> None:
    from notifications.tasks import notifications_dispatch

    # robust: a queue outage after commit is logged; the pending deliveries wait for the `push_retry` sweep.
    transaction.on_commit(
        lambda: notifications_dispatch.enqueue(notification_ids=notification_ids, publish_live=publish_live),
        robust=True,
    )


def notifications_dispatch(*, notification_ids: list[int], publish_live_events: bool) -> dict[str, int]:
    """Worker side of a batch: publish it live (large fan-outs) and push its pending deliveries."""
    if publish_live_events:
        publish_live(list(Notification.objects.filter(pk__in=notification_ids)))
    return push_deliveries_send(notification_ids=notification_ids)


# --- Triggers (called by aspirasi/services/status.py and the votes service, inside their transaction) ------


def notify_proposal_status_changed(*, proposal, from_status: str, to_status: str, message: str = "") -> None:
    """Tell the author (and voters, for merged/accepted/completed) that a proposal changed status."""
    author_kind = AUTHOR_KINDS.get(to_status)
    supporter_kind = SUPPORTER_KINDS.get(to_status)
    if author_kind is None and supporter_kind is None:
        return
    context = {"title": proposal.title, "message": message or proposal.rejection_message}
    target_id = proposal.pk
    data = {"proposal_id": proposal.pk, "status": to_status}
    if to_status == P.MERGED and proposal.merged_into_id:
        target_id = proposal.merged_into_id
        data["merged_into_id"] = proposal.merged_into_id
        context["target_title"] = Proposal.objects.values_list("title", flat=True).get(pk=proposal.merged_into_id)
    common = {"context": context, "target_type": TargetType.PROPOSAL, "target_id": target_id, "data": data}
    if author_kind:
        notifications_create(kind=author_kind, recipients=User.objects.filter(pk=proposal.author_id), **common)
    if supporter_kind:
        voters = User.objects.filter(votes__proposal=proposal).exclude(pk=proposal.author_id)
        notifications_create(kind=supporter_kind, recipients=voters, **common)


def notify_report_status_changed(*, report, from_status: str, to_status: str, message: str = "") -> None:
    """Tell the author that their photo report changed status."""
    kind = REPORT_KINDS.get(to_status)
    if kind is None:
        return
    text = message or (report.resolution_note if to_status == R.RESOLVED else report.rejection_message)
    data: dict = {"report_id": report.pk, "status": to_status}
    if to_status == R.RESOLVED and report.resolution_image:
        data["resolution_image_url"] = report.resolution_image.url
    if to_status == R.LINKED and report.linked_proposal_id:
        data["linked_proposal_id"] = report.linked_proposal_id
    notifications_create(
        kind=kind,
        recipients=User.objects.filter(pk=report.author_id),
        context={"message": text},
        target_type=TargetType.REPORT,
        target_id=report.pk,
        data=data,
    )


# The OPD loop's steps the reporter hears of (aspirasi/services/dispositions.py); confirmation and
# closing are the reporter's own answer or the report_resolved notice.
FOLLOW_UP_KINDS = {
    "forwarded": K.REPORT_FORWARDED,
    "reopened": K.REPORT_FORWARDED,
    "accepted": K.OPD_ACCEPTED,
    "in_progress": K.OPD_IN_PROGRESS,
    "done": K.OPD_DONE,
    "not_ours": K.OPD_RETURNED,
}
# The same steps told to a forwarded proposal's author: kinds of their own, muted apart from the reports'.
PROPOSAL_FOLLOW_UP_KINDS = {
    "forwarded": K.PROPOSAL_FORWARDED,
    "accepted": K.PROPOSAL_OPD_ACCEPTED,
    "in_progress": K.PROPOSAL_OPD_IN_PROGRESS,
    "done": K.PROPOSAL_OPD_DONE,
    "not_ours": K.PROPOSAL_OPD_RETURNED,
}


def _wita(moment) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M WITA")


def notify_follow_up(*, event, disposition) -> None:
    """Tell the reporter (or the proposal's author) of an OPD step, naming the OPD, never the officer."""
    kinds = FOLLOW_UP_KINDS if disposition.report_id else PROPOSAL_FOLLOW_UP_KINDS
    kind = kinds.get(event.step)
    if kind is None:
        return
    item = disposition.report if disposition.report_id else disposition.proposal
    if event.step == "done" and disposition.report_id:
        due = item.sla_due_at or disposition.due_at
    else:
        due = disposition.due_at
    target_type = TargetType.REPORT if disposition.report_id else TargetType.PROPOSAL
    notifications_create(
        kind=kind,
        recipients=User.objects.filter(pk=item.author_id),
        context={
            "opd": str(disposition.opd),
            "due": _wita(due),
            "message": event.message,
            "title": getattr(item, "title", ""),
        },
        target_type=target_type,
        target_id=item.pk,
        data={f"{target_type}_id": item.pk, "step": event.step, "opd_id": disposition.opd_id},
    )


SLA_STAGE_LABELS = {
    "verification": _("verification"),
    "disposition": _("disposition"),
    "follow_up": _("follow-up"),
    "confirmation": _("confirmation"),
}


class _ItemLabel:
    """ "Photo report #12" / "Proposal #12", translated when formatted (inside the recipient's language)."""

    def __init__(self, target_type: str, pk: int):
        self.target_type, self.pk = target_type, pk

    def __str__(self) -> str:
        label = _("Photo report #%(id)d") if self.target_type == TargetType.REPORT else _("Proposal #%(id)d")
        return str(label) % {"id": self.pk}


def notify_sla_escalated(*, escalation, item) -> None:
    """Tell the area's moderators (and the OPD's head, for a follow-up) that an item is overdue, once."""
    from aspirasi.selectors.opd import area_moderators, opd_heads

    target_type = TargetType.REPORT if escalation.report_id else TargetType.PROPOSAL
    recipients = area_moderators(kelurahan=item.kelurahan)
    if escalation.opd_id:
        recipients = User.objects.filter(
            Q(pk__in=recipients.values("pk")) | Q(pk__in=opd_heads(opd_id=escalation.opd_id).values("pk"))
        )
    notifications_create(
        kind=K.SLA_OVERDUE,
        recipients=recipients,
        # Lazy texts: rendered in each recipient's language (render() formats inside its override).
        context={
            "stage": SLA_STAGE_LABELS.get(escalation.stage, escalation.stage),
            "item": _ItemLabel(target_type, item.pk),
            "due": _wita(escalation.due_at),
        },
        target_type=target_type,
        target_id=item.pk,
        data={f"{target_type}_id": item.pk, "stage": escalation.stage, "opd_id": escalation.opd_id},
        dedupe_key=f"sla:{escalation.key}"[:100],
    )


def notify_program_progress(*, program, note: str = "") -> None:
    """Tell the authors and voters of the proposals linked to `program` about a progress change or note."""
    recipients = User.objects.filter(Q(proposals__program=program) | Q(votes__proposal__program=program)).distinct()
    notifications_create(
        kind=K.PROGRAM_PROGRESS,
        recipients=recipients,
        context={"program": program.name, "progress": program.progress_percent, "note": note},
        target_type=TargetType.PROGRAM,
        target_id=program.pk,
        data={"program_id": program.pk, "progress_percent": program.progress_percent, "status": program.status},
    )


def notify_vote_milestone(*, proposal_id: int, author_id: int, title: str, vote_count: int) -> None:
    """Tell the author when their proposal crosses a support milestone (10, 50, 100, 500, 1000), once each."""
    # Called with the count after each single vote, so a crossing lands exactly on the milestone.
    if vote_count not in VOTE_MILESTONES:
        return
    notifications_create(
        kind=K.VOTE_MILESTONE,
        recipients=User.objects.filter(pk=author_id),
        context={"title": title, "count": vote_count},
        target_type=TargetType.PROPOSAL,
        target_id=proposal_id,
        data={"proposal_id": proposal_id, "milestone": vote_count},
        dedupe_key=f"vote_milestone:{proposal_id}:{vote_count}",
    )


def _thread_title(item) -> str:
    """How a notification names a thread: the proposal's title, or "photo report #<id>"."""
    if isinstance(item, Proposal):
        return item.title
    return f"#{item.pk}"


def notify_comment_posted(*, comment_id: int) -> int:
    """Tell the proposal's followers (selectors.comments.followers_of), or the report's author, of a new
    comment, or (kind comment_official) of a staff member's answer. Coalesced: each recipient gets at most
    one of each kind per thread per COMMENT_NOTIFY_WINDOW_SECONDS (of the comment's writing), however many
    comments arrive. Run by the task worker (tasks.comment_notify); returns how many were created."""
    from aspirasi.models import Comment
    from aspirasi.selectors.comments import followers_of

    comment = Comment.objects.select_related("proposal", "report", "author_opd").filter(pk=comment_id).first()
    if comment is None:  # gone before the worker came to it
        return 0
    item = comment.item
    if isinstance(item, Proposal):
        recipients, target_type = followers_of(item), TargetType.PROPOSAL
    else:
        recipients, target_type = User.objects.filter(pk=item.author_id), TargetType.REPORT
    kind = K.COMMENT_OFFICIAL if comment.is_official else K.COMMENT_NEW
    window = int(comment.created_at.timestamp()) // settings.COMMENT_NOTIFY_WINDOW_SECONDS
    dedupe_key = f"{kind}:{target_type}:{item.pk}:{window}"
    recipients = recipients.exclude(pk=comment.author_id).exclude(notifications__dedupe_key=dedupe_key)
    role = comment.author_opd.name if comment.author_opd_id else str(Role(comment.author_role).label)
    return len(
        notifications_create(
            kind=kind,
            recipients=recipients,
            context={"title": _thread_title(item), "role": role},
            target_type=target_type,
            target_id=item.pk,
            data={"comment_id": comment.pk, "is_official": comment.is_official},
            dedupe_key=dedupe_key,
        )
    )


def notify_comment_hidden(*, comment, reason: str) -> None:
    """Tell a comment's author that a moderator hid it, and why."""
    _comment_author_notify(comment=comment, kind=K.COMMENT_HIDDEN, message=reason)


def notify_comment_restored(*, comment, message: str) -> None:
    """Tell a comment's author that a moderator restored it (shown again after being hidden)."""
    _comment_author_notify(comment=comment, kind=K.COMMENT_RESTORED, message=message)


def _comment_author_notify(*, comment, kind: str, message: str) -> None:
    item = comment.item
    notifications_create(
        kind=kind,
        recipients=User.objects.filter(pk=comment.author_id),
        context={"title": _thread_title(item), "message": message},
        target_type=TargetType.PROPOSAL if comment.proposal_id else TargetType.REPORT,
        target_id=item.pk,
        data={"comment_id": comment.pk},
    )


# --- Moderators' daily digest ----------------------------------------------------------------------------


def moderation_digest_send(*, now: datetime | None = None) -> int:
    """Notify each moderator of the items waiting in their areas longer than the threshold; once a day.
    Returns how many digests were created."""
    now = now or timezone.now()
    hours = settings.MODERATION_DIGEST_WAITING_HOURS
    # The same rule as the workbench's `overdue` counter (aspirasi.selectors.moderation).
    waiting_proposals = _waiting_by_kelurahan(Proposal.objects.filter(waiting_too_long("proposal", now=now)))
    waiting_reports = _waiting_by_kelurahan(Report.objects.filter(waiting_too_long("report", now=now)))
    if not waiting_proposals and not waiting_reports:
        return 0
    day = timezone.localdate(now).isoformat()
    sent = 0
    for moderator in User.objects.filter(role=Role.MODERATOR, is_active=True):
        areas = policies.moderated_kelurahan_ids(moderator)
        proposals = sum(waiting_proposals.get(k, 0) for k in areas)
        reports = sum(waiting_reports.get(k, 0) for k in areas)
        if not proposals and not reports:
            continue
        created = notifications_create(
            kind=K.MODERATION_DIGEST,
            recipients=User.objects.filter(pk=moderator.pk),
            context={"proposals": proposals, "reports": reports, "hours": hours},
            target_type=TargetType.MODERATION_QUEUE,
            data={"proposals": proposals, "reports": reports, "day": day},
            dedupe_key=f"moderation_digest:{day}",
        )
        sent += len(created)
    return sent


def _waiting_by_kelurahan(queryset: QuerySet) -> dict[int, int]:
    return dict(queryset.order_by().values("kelurahan_id").annotate(n=Count("id")).values_list("kelurahan_id", "n"))


# --- Reading ---------------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (a repeat keeps the first time). Publishes the unread count after commit."""
    now = timezone.now()
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
        _publish_unread_count(notification.recipient_id)
    else:
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark all the user's notifications read; returns how many changed. Publishes the unread count."""
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        _publish_unread_count(user.pk)
    return changed


def _publish_unread_count(user_id: int) -> None:
    count = unread_counts(user_ids={user_id}).get(user_id, 0)
    events.publish(events.NOTIFICATION_UNREAD_COUNT, groups=[events.user_group(user_id)], payload={"unread": count})


# --- Preferences and devices -----------------------------------------------------------------------------


@transaction.atomic
def notification_settings_update(
    *, user: User, push_enabled: bool | None = None, kinds: dict[str, bool] | None = None
) -> None:
    """Switch push on/off and mute/unmute kinds (`{kind: enabled}`); kinds not named stay as they are."""
    if push_enabled is not None:
        NotificationSettings.objects.update_or_create(user=user, defaults={"push_enabled": push_enabled})
    if kinds:
        muted = [kind for kind, enabled in kinds.items() if not enabled]
        unmuted = [kind for kind, enabled in kinds.items() if enabled]
        MutedKind.objects.filter(user=user, kind__in=unmuted).delete()
        MutedKind.objects.bulk_create([MutedKind(user=user, kind=kind) for kind in muted], ignore_conflicts=True)


@transaction.atomic
def device_register(*, user: User, platform: str, token: str) -> tuple[Device, bool]:
    """Register `token` for `user`; the same token again is a no-op (it moves to `user` if another account
    had it: the phone changed hands). Returns (device, created)."""
    for _attempt in range(2):
        device = Device.objects.select_for_update().filter(token=token).first()
        if device is not None:
            if (device.user_id, device.platform, device.active) != (user.pk, platform, True):
                device.user, device.platform, device.active = user, platform, True
                device.save(update_fields=["user", "platform", "active", "updated_at"])
            return device, False
        try:
            with transaction.atomic():
                return Device.objects.create(user=user, platform=platform, token=token), True
        except IntegrityError:
            continue  # a concurrent registration of the same token won: take that row
    raise IntegrityError("device token registration kept conflicting")  # pragma: no cover


@transaction.atomic
def device_remove(*, device: Device) -> None:
    """Forget a device; its pending pushes go with it."""
    device.delete()


# --- Push delivery (worker side) -------------------------------------------------------------------------


def push_deliveries_send(
    *, notification_ids: Iterable[int] | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Send the due pending deliveries (of `notification_ids`, or all), record each outcome and schedule a
    retry with exponential backoff for failures. Invalid tokens deactivate their device. Returns counts."""
    now = now or timezone.now()
    ids = list(notification_ids) if notification_ids is not None else None
    backend = get_push_backend()
    totals: dict[str, int] = defaultdict(int)
    while claimed := _deliveries_claim(notification_ids=ids, now=now):
        results: list[tuple[PushDelivery, PushResult]] = []
        for delivery in claimed:
            if not delivery.device.active:
                results.append((delivery, PushResult(Outcome.INVALID_TOKEN, "device inactive")))
                continue
            try:
                result = backend.send(device=delivery.device, message=push_message(delivery.notification))
            except Exception as exc:  # a backend bug must not strand the rest of the batch
                logger.exception("push backend failed on delivery %s", delivery.pk)
                result = PushResult(Outcome.RETRY, f"{type(exc).__name__}: {exc}")
            results.append((delivery, result))
        for outcome, count in _deliveries_record(results, now=now).items():
            totals[outcome] += count
    if totals.get("retry"):
        _schedule_retry()
    return dict(totals)


def push_message(notification: Notification) -> PushMessage:
    return PushMessage(
        title=notification.title,
        body=notification.body,
        data={
            "notification_id": str(notification.pk),
            "kind": notification.kind,
            "target_type": notification.target_type,
            "target_id": "" if notification.target_id is None else str(notification.target_id),
        },
    )


def _deliveries_claim(*, notification_ids: list[int] | None, now: datetime) -> list[PushDelivery]:
    """Take up to a batch of due deliveries: lock them (skipping rows another worker holds) and push their
    next attempt past a lease, so a worker that dies mid-batch leaves them to the next sweep."""
    with transaction.atomic():
        due = PushDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        if notification_ids is not None:
            due = due.filter(notification_id__in=notification_ids)
        claimed = list(
            due.select_related("device", "notification")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")[: settings.PUSH_CLAIM_BATCH]
        )
        lease_end = now + timedelta(seconds=settings.PUSH_LEASE_SECONDS)
        PushDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(next_attempt_at=lease_end)
    return claimed


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2x, 4x, ... capped."""
    seconds = settings.PUSH_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.PUSH_RETRY_MAX_DELAY_SECONDS))


@transaction.atomic
def _deliveries_record(results: list[tuple[PushDelivery, PushResult]], *, now: datetime) -> dict[str, int]:
    sent = [d.pk for d, r in results if r.outcome is Outcome.SENT]
    invalid = [(d, r) for d, r in results if r.outcome is Outcome.INVALID_TOKEN]
    retry: dict[tuple[int, str], list[int]] = defaultdict(list)
    for delivery, result in results:
        if result.outcome is Outcome.RETRY:
            retry[(delivery.attempts + 1, result.error[:500])].append(delivery.pk)
    PushDelivery.objects.filter(pk__in=sent).update(
        status=DeliveryStatus.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
    )
    if invalid:
        device_ids = {d.device_id for d, _r in invalid}
        Device.objects.filter(pk__in=device_ids).update(active=False, updated_at=now)
        PushDelivery.objects.filter(pk__in=[d.pk for d, _r in invalid]).update(
            status=DeliveryStatus.INVALID_TOKEN, attempts=F("attempts") + 1, last_error=invalid[0][1].error[:500]
        )
        # Other pushes waiting for those devices will never arrive either.
        PushDelivery.objects.filter(device_id__in=device_ids, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.INVALID_TOKEN
        )
    failed = 0
    for (attempts, error), pks in retry.items():
        if attempts >= settings.PUSH_MAX_ATTEMPTS:
            PushDelivery.objects.filter(pk__in=pks).update(
                status=DeliveryStatus.FAILED, attempts=attempts, last_error=error
            )
            failed += len(pks)
        else:
            PushDelivery.objects.filter(pk__in=pks).update(
                attempts=attempts, last_error=error, next_attempt_at=now + retry_delay(attempts)
            )
    retried = sum(map(len, retry.values())) - failed
    return {"sent": len(sent), "invalid_token": len(invalid), "retry": retried, "failed": failed}


def _schedule_retry() -> None:
    """Enqueue a sweep for when the earliest retry is due (backends without delayed tasks rely on the
    `push_retry` command run by cron)."""
    from notifications.tasks import push_retry

    earliest = PushDelivery.objects.filter(status=DeliveryStatus.PENDING).order_by("next_attempt_at").first()
    if earliest is None or not push_retry.get_backend().supports_defer:
        return
    push_retry.using(run_after=earliest.next_attempt_at).enqueue()


def notifications_erase_for(*, user: User) -> None:
    """Delete what notifications hold of `user` (inbox, pushes queued for it, devices, preferences): part
    of the erasure of their account (aspirasi.signals.user_erasing), in its transaction."""
    PushDelivery.objects.filter(Q(notification__recipient=user) | Q(device__user=user)).delete()
    Notification.objects.filter(recipient=user).delete()
    Device.objects.filter(user=user).delete()
    MutedKind.objects.filter(user=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
