"""Reads for moderators: the queue of items needing a decision, scoped by aspirasi.policies.

The queue mixes proposals, reports and flagged comments (a comment is scoped by the copy of its item's
kelurahan), oldest first, paged by a keyset cursor over (created_at, type, id): one query per item type (and
one for proposals' photos) whatever the page size or the queue length. The admin's workbench reads the same
queue with its own filters (state, flags) and orderings (newest, most supported: first page only) and counts
it by state (`moderation_counters`).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from aspirasi import policies, sla
from aspirasi.models import (
    Comment,
    CommentFlag,
    CommentState,
    Flag,
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
from aspirasi.selectors.proposals import SimilarProposal, proposals_similar

PROPOSAL = "proposal"
REPORT = "report"
COMMENT = "comment"
KINDS = (PROPOSAL, REPORT, COMMENT)  # what a queue row may be
THREAD_KINDS = (PROPOSAL, REPORT)  # what a comment belongs to
_TYPE_ORDER = {PROPOSAL: 0, REPORT: 1, COMMENT: 2}
_PUBLIC_PROPOSAL = [s for s in PUBLIC_STATUSES if s != ProposalStatus.MERGED]


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class QueueCursor:
    created_at: datetime
    item_type: str
    item_id: int

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), self.item_type, self.item_id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "QueueCursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            created, item_type, item_id = json.loads(raw)
            moment = parse_datetime(created)
            # Compared in UTC: an offset that carries the moment past year 1 or 9999 is no moment at all.
            moment = moment.astimezone(UTC) if moment is not None and timezone.is_aware(moment) else None
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
            raise InvalidCursor(text) from None
        if moment is None or item_type not in _TYPE_ORDER or not isinstance(item_id, int):
            raise InvalidCursor(text)
        return cls(moment, item_type, item_id)


def _open_flags(item_field: str):
    """The open flags of the outer row: a proposal's or a report's (Flag), or a comment's (CommentFlag)."""
    model = CommentFlag if item_field == COMMENT else Flag
    return model.objects.filter(resolved_at__isnull=True, **{item_field: OuterRef("pk")})


def _flag_count(item_field: str):
    counted = _open_flags(item_field).values(item_field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def moderation_proposals(*, user: User) -> QuerySet[Proposal]:
    """Every proposal `user` may see in moderation (any status)."""
    return Proposal.objects.filter(policies.moderation_read_scope(user))


def moderation_reports(*, user: User) -> QuerySet[Report]:
    """Every report `user` may see in moderation (any status)."""
    return Report.objects.filter(policies.moderation_read_scope(user))


def moderation_comments(*, user: User) -> QuerySet[Comment]:
    """Every comment `user` may see in moderation (any state), by its item's kelurahan."""
    return Comment.objects.filter(policies.moderation_read_scope(user))


# A public item waits for a decision on its flags while it is marked for review (the threshold was reached)
# or has open flags below it. A moderator's decision resolves them all and clears the mark; an item hidden
# by that decision waits for nothing more.
_AWAITS_FLAG_DECISION = Q(flag_review_requested_at__isnull=False) | Q(is_flagged=True)

# Not yet public: what a moderator has to publish, verify or reject (the rest of the queue is flagged).
UNDECIDED = {PROPOSAL: [ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW], REPORT: [ReportStatus.NEW]}

# The workbench's states, also its counters: `new` nobody holds yet, `in_review` claimed by a moderator,
# `flagged` public and awaiting a decision on its flags, `overdue` undecided for longer than
# MODERATION_DIGEST_WAITING_HOURS (the moderators' digest counts the same items).
STATES = ("new", "in_review", "flagged", "overdue")
# Flag filters: any open flag, or marked for review (FLAG_REVIEW_THRESHOLD reached), or none.
FLAG_FILTERS = ("any", "review", "none")
# Orderings of the workbench: `oldest` is the API's (and the only one with a cursor).
ORDERINGS = ("oldest", "newest", "support")


def _overdue_cutoff(now: datetime) -> datetime:
    return now - timedelta(hours=settings.MODERATION_DIGEST_WAITING_HOURS)


def waiting_too_long(kind: str, *, now: datetime | None = None) -> Q:
    """Undecided items (proposals submitted/in review, new reports) older than MODERATION_DIGEST_WAITING_HOURS."""
    return Q(status__in=UNDECIDED[kind], created_at__lt=_overdue_cutoff(now or timezone.now()))


# A comment has no claim and no status to decide: it is only ever in the queue for its flags.
_COMMENT_STATES = ("flagged",)


def _state_q(kind: str, state: str, *, now: datetime) -> Q:
    if kind == COMMENT:
        return Q() if state in _COMMENT_STATES else Q(pk__in=[])
    if state == "new":
        return Q(status__in=UNDECIDED[kind], claimed_by__isnull=True)
    if state == "in_review":
        return Q(claimed_by__isnull=False)
    if state == "flagged":
        return ~Q(status__in=UNDECIDED[kind])
    return waiting_too_long(kind, now=now)


def _flags_q(flags: str) -> Q:
    if flags == "any":
        return Q(is_flagged=True)
    if flags == "review":
        return Q(flag_review_requested_at__isnull=False)
    return Q(is_flagged=False, flag_review_requested_at__isnull=True)


def _queue_proposals(*, user: User) -> QuerySet[Proposal]:
    flagged = Exists(_open_flags("proposal"))
    return (
        moderation_proposals(user=user)
        .annotate(is_flagged=flagged, flag_count=_flag_count("proposal"))
        .filter(
            Q(status__in=[ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW])
            | Q(status__in=_PUBLIC_PROPOSAL) & _AWAITS_FLAG_DECISION
        )
        .select_related("kelurahan__kecamatan", "category", "claimed_by")
        .prefetch_related(_FIRST_PHOTOS)
    )


# Proposals' photos for their thumbnails: one query for the whole page.
_FIRST_PHOTOS = Prefetch("photos", queryset=ProposalPhoto.objects.order_by("created_at", "id"))


def _queue_reports(*, user: User) -> QuerySet[Report]:
    flagged = Exists(_open_flags("report"))
    return (
        moderation_reports(user=user)
        .annotate(is_flagged=flagged, flag_count=_flag_count("report"))
        .filter(Q(status=ReportStatus.NEW) | Q(status__in=PUBLIC_REPORT_STATUSES) & _AWAITS_FLAG_DECISION)
        .select_related("kelurahan__kecamatan", "category", "claimed_by")
    )


def _queue_comments(*, user: User) -> QuerySet[Comment]:
    """Visible comments awaiting a decision on their flags (marked for review, or open flags below it)."""
    return (
        moderation_comments(user=user)
        .annotate(is_flagged=Exists(_open_flags(COMMENT)), flag_count=_flag_count(COMMENT))
        .filter(Q(state=CommentState.VISIBLE) & _AWAITS_FLAG_DECISION)
        .select_related("kelurahan__kecamatan", "proposal__category", "report__category")
    )


def _category_q(kind: str, category_id: int) -> Q:
    if kind == COMMENT:  # its item's category
        return Q(proposal__category_id=category_id) | Q(report__category_id=category_id)
    return Q(category_id=category_id)


def _after(queryset: QuerySet, *, item_type: str, cursor: QueueCursor | None) -> QuerySet:
    if cursor is None:
        return queryset
    later = Q(created_at__gt=cursor.created_at)
    same_moment = Q(created_at=cursor.created_at)
    if _TYPE_ORDER[item_type] > _TYPE_ORDER[cursor.item_type]:
        return queryset.filter(later | same_moment)
    if _TYPE_ORDER[item_type] == _TYPE_ORDER[cursor.item_type]:
        return queryset.filter(later | same_moment & Q(pk__gt=cursor.item_id))
    return queryset.filter(later)


def _thumbnail(item) -> str | None:
    if isinstance(item, Proposal):
        photo = next(iter(item.photos.all()), None)  # prefetched by the queue
        return photo.thumbnail_small.url if photo is not None and photo.thumbnail_small else None
    return item.thumbnail_small.url if item.thumbnail_small else None


def _place(kelurahan) -> dict:
    return {
        "kelurahan": {"id": kelurahan.pk, "name": kelurahan.name, "kecamatan_id": kelurahan.kecamatan_id},
        "kecamatan": {"id": kelurahan.kecamatan.pk, "name": kelurahan.kecamatan.name},
    }


def _category(category) -> dict:
    return {"id": category.pk, "slug": category.slug, "name": category.name}


def comment_queue_item(comment: Comment, *, now: datetime) -> dict:
    """A flagged comment as a queue row: the same fields as an item's (its item's category; no claim, votes,
    photo or deadline) and `thread`, the proposal or report it belongs to."""
    item = comment.item
    item_type = PROPOSAL if comment.proposal_id else REPORT
    return {
        "type": COMMENT,
        "kind": COMMENT,
        "id": comment.pk,
        "title": comment.body[:80],
        "description": comment.body,
        "status": comment.state,
        "is_hidden": comment.state == CommentState.HIDDEN,
        "flag_review_requested_at": comment.flag_review_requested_at,
        **_place(comment.kelurahan),
        "category": _category(item.category),
        "created_at": comment.created_at,
        "age_seconds": max(0, int((now - comment.created_at).total_seconds())),
        "claimed_by": None,
        "flag_count": getattr(comment, "flag_count", 0),
        "vote_count": None,
        "thumbnail": None,
        "kelurahan_unconfirmed": False,
        "is_overdue": False,
        "sla": None,
        "thread": {
            "type": item_type,
            "id": item.pk,
            "title": item.title if item_type == PROPOSAL else item.description[:80],
        },
    }


def queue_item(item, *, now: datetime | None = None, verification_due: datetime | None = None) -> dict:
    """The plain representation of one queue row (a Proposal, Report or Comment with the queue's annotations);
    `verification_due`: a pending proposal's deadline when the caller computed a page's at once."""
    now = now or timezone.now()
    if isinstance(item, Comment):
        return comment_queue_item(item, now=now)
    is_proposal = isinstance(item, Proposal)
    kind = PROPOSAL if is_proposal else REPORT
    kelurahan = item.kelurahan
    return {
        "type": kind,
        "kind": kind,
        "id": item.pk,
        "title": item.title if is_proposal else item.description[:80],
        "description": item.description,
        "status": item.status,
        "is_hidden": item.is_hidden,
        "flag_review_requested_at": item.flag_review_requested_at,
        **_place(kelurahan),
        "category": _category(item.category),
        "created_at": item.created_at,
        "age_seconds": max(0, int((now - item.created_at).total_seconds())),
        "claimed_by": (
            {"id": item.claimed_by.pk, "display_name": item.claimed_by.display_name} if item.claimed_by else None
        ),
        "flag_count": getattr(item, "flag_count", 0),
        "vote_count": item.vote_count if is_proposal else None,
        "thumbnail": _thumbnail(item),
        "kelurahan_unconfirmed": not is_proposal and not item.kelurahan_confirmed,
        "is_overdue": item.status in UNDECIDED[kind] and item.created_at < _overdue_cutoff(now),  # waiting_too_long
        "sla": _sla(item, is_proposal=is_proposal, now=now, verification_due=verification_due),
        "thread": None,
    }


def _sla(item, *, is_proposal: bool, now: datetime, verification_due: datetime | None) -> dict | None:
    """The working-day deadline (docs/sla.md): a report's current stage, a pending proposal's verification."""
    if is_proposal:
        clock = sla.pending_proposal_clock(item, due=verification_due, now=now)
    else:
        clock = sla.report_clock(item, now=now)
    return clock.as_dict() if clock else None


def _queue_rows(items: list, *, now: datetime) -> list[dict]:
    """queue_item for a page of one type, the pending proposals' deadlines computed together (one query)."""
    pending = [item for item in items if isinstance(item, Proposal) and item.status in sla.CLOCKED_PROPOSAL_STATUSES]
    dues = dict(zip(pending, sla.stage_dues_at(sla.VERIFICATION, [p.created_at for p in pending]), strict=True))
    return [queue_item(item, now=now, verification_due=dues.get(item)) for item in items]


def moderation_queue(
    *,
    user: User,
    item_type: str | None = None,
    kelurahan_id: int | None = None,
    kecamatan_id: int | None = None,
    category_id: int | None = None,
    flagged: bool | None = None,
    state: str | None = None,
    flags: str | None = None,
    item_id: int | None = None,
    ordering: str = "oldest",
    cursor: QueueCursor | None = None,
    limit: int = 50,
    with_comments: bool = True,
) -> tuple[list[dict], QueueCursor | None]:
    """Items needing a decision in `user`'s areas, oldest first: submitted/in-review proposals, new reports,
    flagged public items and flagged visible comments (marked for review or with open flags). Returns one
    page and the cursor of the next (None at the end). `state` (STATES), `flags` (FLAG_FILTERS), `item_id`
    (with `item_type`: is this one item in the filtered queue?) and `ordering` (ORDERINGS) serve the admin's
    workbench; only `oldest` pages by cursor (the others return their first page and a cursor that is only a
    "more" mark).
    `with_comments=False` leaves comments out (the workload page's items waiting for a status decision)."""
    if ordering != "oldest" and cursor is not None:
        raise InvalidCursor("cursor")
    now = timezone.now()
    sources: list[dict] = []
    for kind, queryset in _queues(user=user):
        if (item_type and item_type != kind) or (kind == COMMENT and not with_comments):
            continue
        if item_id is not None:
            queryset = queryset.filter(pk=item_id)
        if state is not None:
            queryset = queryset.filter(_state_q(kind, state, now=now))
        if flags is not None:
            queryset = queryset.filter(_flags_q(flags))
        if kelurahan_id is not None:
            queryset = queryset.filter(kelurahan_id=kelurahan_id)
        if kecamatan_id is not None:
            queryset = queryset.filter(kelurahan__kecamatan_id=kecamatan_id)
        if category_id is not None:
            queryset = queryset.filter(_category_q(kind, category_id))
        if flagged is not None:
            queryset = queryset.filter(is_flagged=flagged)
        queryset = _after(queryset, item_type=kind, cursor=cursor).order_by(*_ORDER_BY[ordering][kind])
        sources.extend(_queue_rows(list(queryset[: limit + 1]), now=now))
    rows = sorted(sources, key=lambda row: queue_sort_key(row, ordering))
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = QueueCursor(last["created_at"], last["type"], last["id"])
    return page, next_cursor


# Each ordering twice: in SQL per item type (so each type's first `limit` rows are the right ones) and as
# the key that merges both types (also what the workbench inserts a live row by: queue_sort_key).
_ORDER_BY = {
    "oldest": {PROPOSAL: ("created_at", "pk"), REPORT: ("created_at", "pk"), COMMENT: ("created_at", "pk")},
    "newest": {PROPOSAL: ("-created_at", "-pk"), REPORT: ("-created_at", "-pk"), COMMENT: ("-created_at", "-pk")},
    "support": {
        PROPOSAL: ("-vote_count", "created_at", "pk"),
        REPORT: ("created_at", "pk"),
        COMMENT: ("created_at", "pk"),
    },
}


def _queues(*, user: User) -> tuple[tuple[str, QuerySet], ...]:
    return (
        (PROPOSAL, _queue_proposals(user=user)),
        (REPORT, _queue_reports(user=user)),
        (COMMENT, _queue_comments(user=user)),
    )


def queue_sort_key(row: dict, ordering: str) -> tuple:
    """Where a queue row (queue_item) goes in `ordering`: smaller first. Plain numbers, so a page can
    compare a live row's key with its neighbours'."""
    oldest = (row["created_at"].timestamp(), _TYPE_ORDER[row["type"]], row["id"])
    if ordering == "newest":
        return tuple(-part for part in oldest)
    if ordering == "support":
        return (-(row["vote_count"] or 0), *oldest)  # a report or a comment has no votes
    return oldest


def moderation_counters(
    *,
    user: User,
    now: datetime | None = None,
    item_type: str | None = None,
    kelurahan_id: int | None = None,
    flags: str | None = None,
) -> dict[str, int]:
    """How many items of `user`'s queue, narrowed by the workbench's other filters (type, kelurahan, flags),
    are in each of STATES (an item may count in two: claimed and overdue; a comment only as flagged). Three
    queries, one per item type."""
    return moderation_counters_and_whole(
        user=user, now=now, item_type=item_type, kelurahan_id=kelurahan_id, flags=flags
    )["shown"]


def moderation_counters_and_whole(
    *,
    user: User,
    now: datetime | None = None,
    item_type: str | None = None,
    kelurahan_id: int | None = None,
    flags: str | None = None,
) -> dict[str, dict[str, int]]:
    """{"shown": the counters of the filtered queue, "whole": those of the whole queue of `user`'s areas}:
    the workbench shows both when a filter narrows the view. Still three queries (both counts in one
    aggregate per item type)."""
    now = now or timezone.now()
    shown, whole = dict.fromkeys(STATES, 0), dict.fromkeys(STATES, 0)
    for kind, queryset in _queues(user=user):
        states = _COMMENT_STATES if kind == COMMENT else STATES
        narrow = Q()
        if kelurahan_id is not None:
            narrow &= Q(kelurahan_id=kelurahan_id)
        if flags is not None:
            narrow &= _flags_q(flags)
        counted = item_type in (None, kind)
        aggregates = {f"whole_{state}": Count("pk", filter=_state_q(kind, state, now=now)) for state in states}
        if counted:
            aggregates |= {state: Count("pk", filter=_state_q(kind, state, now=now) & narrow) for state in states}
        counts = queryset.order_by().aggregate(**aggregates)
        for state in states:
            whole[state] += counts[f"whole_{state}"]
            shown[state] += counts[state] if counted else 0
    return {"shown": shown, "whole": whole}


@dataclass(frozen=True)
class MergeCandidate:
    similar: SimilarProposal
    merged_vote_count: int  # the target's votes after the merge (a resident who supported both counts once)


def merge_candidates(*, user: User, proposal: Proposal) -> list[MergeCandidate]:
    """Public proposals like `proposal` that `user` may merge it into (the similar-proposals selector), each
    with the vote count it would have after the merge. Two queries plus the similarity search."""
    areas = None if policies.is_admin(user) else policies.moderated_kelurahan_ids(user)
    similar = [
        candidate
        for candidate in proposals_similar(
            title=proposal.title,
            description=proposal.description,
            latitude=proposal.latitude,
            longitude=proposal.longitude,
        )
        if candidate.proposal.pk != proposal.pk and (areas is None or candidate.proposal.kelurahan_id in areas)
    ]
    if not similar:
        return []
    voters = Vote.objects.filter(proposal_id=proposal.pk).values("voter_id")
    shared = dict(
        Vote.objects.filter(proposal_id__in=[c.proposal.pk for c in similar], voter_id__in=voters)
        .values("proposal_id")
        .annotate(n=Count("*"))
        .values_list("proposal_id", "n")
    )
    own = proposal.vote_count
    return [MergeCandidate(c, c.proposal.vote_count + own - shared.get(c.proposal.pk, 0)) for c in similar]


def moderation_item(*, user: User, item_type: str, item_id: int) -> dict | None:
    """One proposal or report in the queue's representation (whatever its status), or None when `user` cannot
    see it (a comment's decision answers the comment itself: api/comments.CommentModerationOutput)."""
    source = moderation_proposals(user=user) if item_type == PROPOSAL else moderation_reports(user=user)
    item = (
        source.annotate(flag_count=_flag_count(item_type))
        .select_related("kelurahan__kecamatan", "category", "claimed_by")
        .filter(pk=item_id)
        .first()
    )
    return queue_item(item) if item else None


def queue_querysets(*, user: User) -> tuple[QuerySet[Proposal], QuerySet[Report]]:
    """The unordered querysets of the queue's proposals and reports, for reads that count or group them."""
    return _queue_proposals(user=user), _queue_reports(user=user)
