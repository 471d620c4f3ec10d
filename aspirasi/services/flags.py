"""Residents flag public items; enough distinct flaggers send an item to moderators' review.

Flags never remove anything from public view by themselves: at FLAG_REVIEW_THRESHOLD distinct open flaggers
the item is marked for review (`flag_review_requested_at`), audited and announced to its moderators, and it
stays public until a moderator restores or hides it (services/moderation.py), which resolves its flags.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from aspirasi import policies
from aspirasi.errors import AccountTooNewToFlag, AlreadyFlagged, NotAResident, NotFlaggable, PhoneNotVerified
from aspirasi.models import Flag, Proposal, Report, User
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES
from aspirasi.services.audit import audit_record
from realtime import events


def _check_may_flag(flagger: User) -> None:
    """Verified residents whose account is at least FLAG_MIN_ACCOUNT_AGE_HOURS old; staff have the
    moderation tools instead."""
    if not policies.can_flag(flagger):
        raise NotAResident()
    if not policies.is_verified_resident(flagger):
        raise PhoneNotVerified()
    if flagger.date_joined > timezone.now() - timedelta(hours=settings.FLAG_MIN_ACCOUNT_AGE_HOURS):
        raise AccountTooNewToFlag()


# The same rule for a comment's flag (services/comments.py).
check_may_flag = _check_may_flag


def _review_request(*, item: Proposal | Report, item_type: str, flag_count: int) -> None:
    """Mark `item` for moderators' review, audit it (no actor: the flags decided) and announce it."""
    now = timezone.now()
    type(item).objects.filter(pk=item.pk).update(flag_review_requested_at=now)
    item.flag_review_requested_at = now
    audit_record(
        actor=None,
        item=item,
        action="flag_review_requested",
        before={"flag_review_requested_at": None},
        after={"flag_review_requested_at": now.isoformat(), "flag_count": flag_count},
    )
    events.publish(
        events.FLAG_REVIEW_REQUESTED,
        groups=events.moderation_groups(item.kelurahan_id),
        payload={
            "item_type": item_type,
            "item_id": item.pk,
            "kelurahan_id": item.kelurahan_id,
            "flag_count": flag_count,
            "review_requested_at": now.isoformat(),
        },
    )


def _flag_item(*, item: Proposal | Report, flagger: User, reason: str, message: str) -> Flag:
    _check_may_flag(flagger)
    is_proposal = isinstance(item, Proposal)
    item_type = "proposal" if is_proposal else "report"
    model = Proposal if is_proposal else Report
    # The row lock serialises flaggers of one item, so the threshold is crossed exactly once.
    item = model.objects.select_for_update().get(pk=item.pk)
    public = PUBLIC_STATUSES if is_proposal else PUBLIC_REPORT_STATUSES
    # The API finds the item among the public ones (a non-public one is a 404, as a missing one). This
    # refuses a merged proposal (public, but its support now belongs to its target) and an item that
    # stopped being public since the caller found it.
    if item.status not in public or item.is_hidden or (is_proposal and item.merged_into_id is not None):
        raise NotFlaggable()
    lookup = {item_type: item}
    try:
        with transaction.atomic():
            flag = Flag.objects.create(flagger=flagger, reason=reason, message=message, **lookup)
    except IntegrityError:
        raise AlreadyFlagged() from None
    # Only open flags count: those a moderator's decision resolved never count again.
    open_flaggers = Flag.objects.filter(resolved_at__isnull=True, **lookup).values("flagger").distinct().count()
    if open_flaggers >= settings.FLAG_REVIEW_THRESHOLD and item.flag_review_requested_at is None:
        _review_request(item=item, item_type=item_type, flag_count=open_flaggers)
    events.publish(
        events.FLAG_RAISED,
        groups=events.moderation_groups(item.kelurahan_id),
        payload={
            "item_type": item_type,
            "item_id": item.pk,
            "kelurahan_id": item.kelurahan_id,
            "reason": reason,
            "flag_count": open_flaggers,
            "is_hidden": item.is_hidden,
            "review_requested": item.flag_review_requested_at is not None,
        },
    )
    return flag


@transaction.atomic
def proposal_flag(*, proposal: Proposal, flagger: User, reason: str, message: str = "") -> Flag:
    """Flag a public proposal once per resident; at FLAG_REVIEW_THRESHOLD open flaggers it goes to review
    (still public; audited, `flag.review_requested`). Publishes `flag.raised`. Raises NotAResident (staff),
    PhoneNotVerified, AccountTooNewToFlag, AlreadyFlagged or NotFlaggable."""
    return _flag_item(item=proposal, flagger=flagger, reason=reason, message=message)


@transaction.atomic
def report_flag(*, report: Report, flagger: User, reason: str, message: str = "") -> Flag:
    """Flag a public report once per resident; at FLAG_REVIEW_THRESHOLD open flaggers it goes to review
    (still public; audited, `flag.review_requested`). Publishes `flag.raised`. Raises NotAResident (staff),
    PhoneNotVerified, AccountTooNewToFlag, AlreadyFlagged or NotFlaggable."""
    return _flag_item(item=report, flagger=flagger, reason=reason, message=message)
