"""Discussion (issue 25): write, edit, delete, flag and moderate comments; follow proposals.

`comment_count` on a proposal counts its visible comments. It is only ever changed here, with F() in the
writing transaction; its change moves the public list's tallies version by a trigger (migration 0027), as a
vote's does. Live events go to the proposal's thread group after commit (realtime.events); notifications
come from the `comment_posted` signal (its followers told by the task worker, after commit):
notifications/receivers.py. Moderators' decisions on comments (hide, restore) are services/moderation.py's,
beside those on proposals and reports.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from aspirasi import policies, signals
from aspirasi.errors import (
    AlreadyFlagged,
    CommentEditWindowClosed,
    CommentNotAllowed,
    CommentNotEditable,
    InvalidCommentParent,
    NotCommentAuthor,
    NotFlaggable,
    PhoneNotVerified,
)
from aspirasi.models import Comment, CommentFlag, CommentState, Proposal, ProposalFollow, Report, User
from aspirasi.services.audit import audit_record
from aspirasi.services.flags import check_may_flag
from aspirasi.services.status import actor_role
from realtime import events

VISIBLE = CommentState.VISIBLE


def comment_payload(comment: Comment, *, comment_count: int | None = None) -> dict:
    """The plain-JSON comment of live events: what any reader of the thread may see, no person named (no
    author id or name; staff by role and OPD). The body only while it is visible."""
    return {
        "comment_id": comment.pk,
        "proposal_id": comment.proposal_id,
        "parent_id": comment.parent_id,
        "state": comment.state,
        "body": comment.body if comment.state == VISIBLE else "",
        "is_official": comment.is_official,
        "author_role": comment.author_role,
        "author_opd": comment.author_opd.name if comment.author_opd_id else None,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "comment_count": comment_count,
    }


def comment_count_move(comment: Comment, delta: int) -> int | None:
    """Move the proposal's comment_count by `delta` (F(): concurrent writers never lose one); the new count."""
    if comment.proposal_id is None:
        return None
    Proposal.objects.filter(pk=comment.proposal_id).update(comment_count=F("comment_count") + delta)
    return Proposal.objects.filter(pk=comment.proposal_id).values_list("comment_count", flat=True).first()


def comment_publish(
    event: str, comment: Comment, *, comment_count: int | None = None, moderators: bool = False
) -> None:
    """Readers of a proposal's thread hear of it live (reports have no socket); with `moderators`, the
    moderators of its area too (a decision on it changes their workbench), told which item it is."""
    payload = comment_payload(comment, comment_count=comment_count)
    if comment.proposal_id is not None:
        events.publish(event, groups=[events.proposal_thread_group(comment.proposal_id)], payload=payload)
    if moderators:
        item = {"item_type": "comment", "item_id": comment.pk, "kelurahan_id": comment.kelurahan_id}
        events.publish(event, groups=events.moderation_groups(comment.kelurahan_id), payload=payload | item)


def comments_publish_removed(comment_ids: list[int]) -> None:
    """`comment.updated` to their threads for comments removed by someone other than their author (an
    erasure), each with its proposal's count as it is now."""
    removed = Comment.objects.filter(pk__in=comment_ids, proposal__isnull=False).select_related("author_opd")
    for comment in removed.annotate(count_now=F("proposal__comment_count")):
        comment_publish(events.COMMENT_UPDATED, comment, comment_count=comment.count_now)


def comments_follow_item(item: Proposal | Report) -> int:
    """Copy the item's kelurahan to its comments (moderation scopes them by it): every writer that moves a
    proposal or a report calls this in its transaction. Returns how many moved."""
    lookup = {"proposal": item} if isinstance(item, Proposal) else {"report": item}
    moved = Comment.objects.filter(**lookup).exclude(kelurahan_id=item.kelurahan_id)
    return moved.update(kelurahan_id=item.kelurahan_id)


@transaction.atomic
def proposal_follow(*, proposal: Proposal, user: User) -> ProposalFollow:
    """Follow `proposal`'s discussion (again): its new comments and official answers notify `user`. Voters
    and commenters follow without a row (selectors.comments.followers_of); a row turns following on or off."""
    follow, _created = ProposalFollow.objects.get_or_create(proposal=proposal, user=user)
    if not follow.active:
        ProposalFollow.objects.filter(pk=follow.pk).update(active=True)
        follow.active = True
    return follow


@transaction.atomic
def proposal_unfollow(*, proposal: Proposal, user: User) -> ProposalFollow:
    """Stop following `proposal`: an inactive row, which wins over having voted or commented."""
    follow, _created = ProposalFollow.objects.get_or_create(proposal=proposal, user=user, defaults={"active": False})
    if follow.active:
        ProposalFollow.objects.filter(pk=follow.pk).update(active=False)
        follow.active = False
    return follow


def _check_may_comment(author: User) -> None:
    if not policies.can_comment(author):
        raise PhoneNotVerified() if policies.is_resident(author) else CommentNotAllowed()


@transaction.atomic
def comment_create(
    *, author: User, body: str, proposal: Proposal | None = None, report: Report | None = None, parent_id=None
) -> Comment:
    """Add `author`'s comment (or reply to `parent_id`) to the thread of `proposal` or `report`, which the
    caller found visible to them. Staff comments are official. Counts it, notifies
    (signal `comment_posted`) and publishes `comment.created`. Raises PhoneNotVerified, CommentNotAllowed
    or InvalidCommentParent."""
    _check_may_comment(author)
    item = proposal if proposal is not None else report
    lookup = {"proposal": proposal} if proposal is not None else {"report": report}
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, **lookup).first()
        if parent is None or parent.parent_id is not None or parent.state != VISIBLE:
            raise InvalidCommentParent.on_field("parent")
    official = policies.is_comment_official(author)
    comment = Comment.objects.create(
        **lookup,
        parent_id=parent_id,
        kelurahan_id=item.kelurahan_id,
        author=author,
        body=body,
        is_official=official,
        author_role=actor_role(author) if official else "resident",
        author_opd_id=author.opd_id if policies.is_opd_officer(author) else None,
    )
    count = comment_count_move(comment, +1)
    comment_publish(events.COMMENT_CREATED, comment, comment_count=count)  # first after commit: readers, then followers
    signals.comment_posted.send(sender=Comment, comment=comment, item=item)
    return comment


def _locked_own(comment: Comment, actor: User) -> Comment:
    """The author's comment, locked, still visible and within the edit window."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("author_opd").get(pk=comment.pk)
    if comment.author_id != actor.pk:
        raise NotCommentAuthor()
    if comment.state != VISIBLE:
        raise CommentNotEditable()
    if timezone.now() > comment.created_at + timedelta(seconds=settings.COMMENT_EDIT_WINDOW_SECONDS):
        raise CommentEditWindowClosed()
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, actor: User, body: str) -> Comment:
    """The author corrects their visible comment within COMMENT_EDIT_WINDOW_SECONDS. Publishes
    `comment.updated`. Raises NotCommentAuthor, CommentNotEditable or CommentEditWindowClosed."""
    comment = _locked_own(comment, actor)
    comment.body, comment.edited_at = body, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    comment_publish(events.COMMENT_UPDATED, comment)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor: User) -> Comment:
    """The author removes their comment within the edit window: its text goes, a "comment removed"
    placeholder stays in the thread (replies keep their place). Uncounts it; publishes `comment.updated`."""
    comment = _locked_own(comment, actor)
    comment.state, comment.body, comment.edited_at = CommentState.DELETED, "", timezone.now()
    comment.save(update_fields=["state", "body", "edited_at"])
    count = comment_count_move(comment, -1)
    comment_publish(events.COMMENT_UPDATED, comment, comment_count=count)
    return comment


# --- flags and moderation -------------------------------------------------------------------------------


@transaction.atomic
def comment_flag(*, comment: Comment, flagger: User, reason: str, message: str = "") -> CommentFlag:
    """Flag a visible comment once per resident (the rules of services/flags.py); at FLAG_REVIEW_THRESHOLD
    open flaggers it goes to moderators' review (still visible; audited, `flag.review_requested`). Publishes
    `flag.raised`. Raises NotAResident, PhoneNotVerified, AccountTooNewToFlag, AlreadyFlagged, NotFlaggable."""
    check_may_flag(flagger)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)  # serialises its flaggers
    if comment.state != VISIBLE:
        raise NotFlaggable()
    try:
        with transaction.atomic():
            flag = CommentFlag.objects.create(comment=comment, flagger=flagger, reason=reason, message=message)
    except IntegrityError:
        raise AlreadyFlagged() from None
    open_flaggers = CommentFlag.objects.filter(comment=comment, resolved_at__isnull=True).count()
    payload = {"item_type": "comment", "item_id": comment.pk, "kelurahan_id": comment.kelurahan_id}
    if open_flaggers >= settings.FLAG_REVIEW_THRESHOLD and comment.flag_review_requested_at is None:
        now = timezone.now()
        Comment.objects.filter(pk=comment.pk).update(flag_review_requested_at=now)
        comment.flag_review_requested_at = now
        audit_record(
            actor=None,
            item=comment,
            action="flag_review_requested",
            before={"flag_review_requested_at": None},
            after={"flag_review_requested_at": now.isoformat(), "flag_count": open_flaggers},
        )
        events.publish(
            events.FLAG_REVIEW_REQUESTED,
            groups=events.moderation_groups(comment.kelurahan_id),
            payload={**payload, "flag_count": open_flaggers, "review_requested_at": now.isoformat()},
        )
    events.publish(
        events.FLAG_RAISED,
        groups=events.moderation_groups(comment.kelurahan_id),
        payload={
            **payload,
            "reason": reason,
            "flag_count": open_flaggers,
            "is_hidden": False,
            "review_requested": comment.flag_review_requested_at is not None,
        },
    )
    return flag
