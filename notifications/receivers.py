"""Notifications react to the domain's signals (aspirasi/signals.py); connected in NotificationsConfig.ready()."""

from django.db import transaction
from django.dispatch import receiver

from aspirasi import signals
from notifications import services, tasks


@receiver(signals.proposal_status_changed)
def _proposal_status_changed(sender, *, proposal, from_status: str, to_status: str, message: str, **kwargs):
    services.notify_proposal_status_changed(
        proposal=proposal, from_status=from_status, to_status=to_status, message=message
    )


@receiver(signals.report_status_changed)
def _report_status_changed(sender, *, report, from_status: str, to_status: str, message: str, **kwargs):
    services.notify_report_status_changed(report=report, from_status=from_status, to_status=to_status, message=message)


@receiver(signals.program_progressed)
def _program_progressed(sender, *, program, note: str, **kwargs):
    services.notify_program_progress(program=program, note=note)


@receiver(signals.vote_counted)
def _vote_counted(sender, *, proposal_id: int, author_id: int, title: str, vote_count: int, **kwargs):
    services.notify_vote_milestone(proposal_id=proposal_id, author_id=author_id, title=title, vote_count=vote_count)


@receiver(signals.follow_up_stepped)
def _follow_up_stepped(sender, *, event, disposition, **kwargs):
    services.notify_follow_up(event=event, disposition=disposition)


@receiver(signals.sla_escalated)
def _sla_escalated(sender, *, escalation, item, **kwargs):
    services.notify_sla_escalated(escalation=escalation, item=item)


@receiver(signals.comment_posted)
def _comment_posted(sender, *, comment, item, **kwargs):
    # A thread's followers may be thousands: the worker finds and tells them, so neither the comment's
    # writer nor its live readers wait for that (docs/benchmarks.md). robust: a queue outage loses only this.
    comment_id = comment.pk
    transaction.on_commit(lambda: tasks.comment_notify.enqueue(comment_id=comment_id), robust=True)


@receiver(signals.comment_hidden)
def _comment_hidden(sender, *, comment, reason: str, **kwargs):
    services.notify_comment_hidden(comment=comment, reason=reason)


@receiver(signals.comment_restored)
def _comment_restored(sender, *, comment, message: str, **kwargs):
    services.notify_comment_restored(comment=comment, message=message)


@receiver(signals.user_erasing)
def _user_erasing(sender, *, user, **kwargs):
    services.notifications_erase_for(user=user)
