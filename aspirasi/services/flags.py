"""Residents flag public items; enough distinct flaggers hide an item until a moderator reviews it."""

from django.conf import settings
from django.db import IntegrityError, transaction

from aspirasi import policies
from aspirasi.errors import AlreadyFlagged, NotAResident, NotFlaggable
from aspirasi.models import Flag, Proposal, Report, User
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES
from realtime import events


def _flag_item(*, item: Proposal | Report, flagger: User, reason: str, message: str) -> Flag:
    if not policies.can_flag(flagger):
        raise NotAResident()
    is_proposal = isinstance(item, Proposal)
    model = Proposal if is_proposal else Report
    # The row lock serialises flaggers of one item, so the threshold is crossed exactly once.
    item = model.objects.select_for_update().get(pk=item.pk)
    public = PUBLIC_STATUSES if is_proposal else PUBLIC_REPORT_STATUSES
    # The API finds the item among the public ones (a non-public one is a 404, as a missing one). This
    # refuses a merged proposal (public, but its support now belongs to its target) and an item that
    # stopped being public since the caller found it.
    if item.status not in public or (is_proposal and item.merged_into_id is not None):
        raise NotFlaggable()
    lookup = {"proposal": item} if is_proposal else {"report": item}
    try:
        with transaction.atomic():
            flag = Flag.objects.create(flagger=flagger, reason=reason, message=message, **lookup)
    except IntegrityError:
        raise AlreadyFlagged() from None
    open_flaggers = Flag.objects.filter(resolved_at__isnull=True, **lookup).values("flagger").distinct().count()
    if open_flaggers >= settings.FLAG_HIDE_THRESHOLD and not item.is_hidden:
        model.objects.filter(pk=item.pk).update(is_hidden=True)
        item.is_hidden = True
    events.publish(
        events.FLAG_RAISED,
        groups=events.moderation_groups(item.kelurahan_id),
        payload={
            "item_type": "proposal" if is_proposal else "report",
            "item_id": item.pk,
            "kelurahan_id": item.kelurahan_id,
            "reason": reason,
            "flag_count": open_flaggers,
            "is_hidden": item.is_hidden,
        },
    )
    return flag


@transaction.atomic
def proposal_flag(*, proposal: Proposal, flagger: User, reason: str, message: str = "") -> Flag:
    """Flag a public proposal once per resident; at FLAG_HIDE_THRESHOLD open flaggers it is hidden pending
    review. Publishes `flag.raised`. Raises NotAResident (staff), AlreadyFlagged or NotFlaggable."""
    return _flag_item(item=proposal, flagger=flagger, reason=reason, message=message)


@transaction.atomic
def report_flag(*, report: Report, flagger: User, reason: str, message: str = "") -> Flag:
    """Flag a public report once per resident; at FLAG_HIDE_THRESHOLD open flaggers it is hidden pending
    review. Publishes `flag.raised`. Raises NotAResident (staff), AlreadyFlagged or NotFlaggable."""
    return _flag_item(item=report, flagger=flagger, reason=reason, message=message)
