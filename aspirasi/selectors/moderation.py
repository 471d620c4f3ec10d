"""Reads for moderators: the queue of items needing a decision, scoped by aspirasi.policies.

The queue mixes proposals and reports, oldest first, paged by a keyset cursor over
(created_at, type, id): one query per item type whatever the page size or the queue length.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from aspirasi import policies
from aspirasi.models import Flag, Proposal, ProposalStatus, Report, ReportStatus, User
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES

PROPOSAL = "proposal"
REPORT = "report"
_TYPE_ORDER = {PROPOSAL: 0, REPORT: 1}
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
    return Flag.objects.filter(resolved_at__isnull=True, **{item_field: OuterRef("pk")})


def _flag_count(item_field: str):
    counted = _open_flags(item_field).values(item_field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def moderation_proposals(*, user: User) -> QuerySet[Proposal]:
    """Every proposal `user` may see in moderation (any status)."""
    return Proposal.objects.filter(policies.moderation_read_scope(user))


def moderation_reports(*, user: User) -> QuerySet[Report]:
    """Every report `user` may see in moderation (any status)."""
    return Report.objects.filter(policies.moderation_read_scope(user))


# A public item waits for a decision on its flags while it is marked for review (the threshold was reached)
# or has open flags below it. A moderator's decision resolves them all and clears the mark; an item hidden
# by that decision waits for nothing more.
_AWAITS_FLAG_DECISION = Q(flag_review_requested_at__isnull=False) | Q(is_flagged=True)


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
    )


def _queue_reports(*, user: User) -> QuerySet[Report]:
    flagged = Exists(_open_flags("report"))
    return (
        moderation_reports(user=user)
        .annotate(is_flagged=flagged, flag_count=_flag_count("report"))
        .filter(Q(status=ReportStatus.NEW) | Q(status__in=PUBLIC_REPORT_STATUSES) & _AWAITS_FLAG_DECISION)
        .select_related("kelurahan__kecamatan", "category", "claimed_by")
    )


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


def queue_item(item, *, now: datetime | None = None) -> dict:
    """The plain representation of one queue row (a Proposal or Report with the queue's annotations)."""
    now = now or timezone.now()
    is_proposal = isinstance(item, Proposal)
    kelurahan = item.kelurahan
    return {
        "type": PROPOSAL if is_proposal else REPORT,
        "id": item.pk,
        "title": item.title if is_proposal else item.description[:80],
        "description": item.description,
        "status": item.status,
        "is_hidden": item.is_hidden,
        "flag_review_requested_at": item.flag_review_requested_at,
        "kelurahan": {"id": kelurahan.pk, "name": kelurahan.name, "kecamatan_id": kelurahan.kecamatan_id},
        "kecamatan": {"id": kelurahan.kecamatan.pk, "name": kelurahan.kecamatan.name},
        "category": {"id": item.category.pk, "slug": item.category.slug, "name": item.category.name},
        "created_at": item.created_at,
        "age_seconds": max(0, int((now - item.created_at).total_seconds())),
        "claimed_by": (
            {"id": item.claimed_by.pk, "display_name": item.claimed_by.display_name} if item.claimed_by else None
        ),
        "flag_count": getattr(item, "flag_count", 0),
        "vote_count": item.vote_count if is_proposal else None,
        "thumbnail": (item.thumbnail_small.url if item.thumbnail_small else None) if not is_proposal else None,
    }


def moderation_queue(
    *,
    user: User,
    item_type: str | None = None,
    kelurahan_id: int | None = None,
    kecamatan_id: int | None = None,
    category_id: int | None = None,
    flagged: bool | None = None,
    cursor: QueueCursor | None = None,
    limit: int = 50,
) -> tuple[list[dict], QueueCursor | None]:
    """Items needing a decision in `user`'s areas, oldest first: submitted/in-review proposals, new reports,
    and flagged public items (marked for review or with open flags). Returns one page and the cursor of the
    next (None at the end)."""
    sources = []
    for kind, queryset in ((PROPOSAL, _queue_proposals(user=user)), (REPORT, _queue_reports(user=user))):
        if item_type and item_type != kind:
            continue
        if kelurahan_id is not None:
            queryset = queryset.filter(kelurahan_id=kelurahan_id)
        if kecamatan_id is not None:
            queryset = queryset.filter(kelurahan__kecamatan_id=kecamatan_id)
        if category_id is not None:
            queryset = queryset.filter(category_id=category_id)
        if flagged is not None:
            queryset = queryset.filter(is_flagged=flagged)
        queryset = _after(queryset, item_type=kind, cursor=cursor).order_by("created_at", "pk")
        sources.append((kind, list(queryset[: limit + 1])))
    rows = sorted(
        ((item.created_at, _TYPE_ORDER[kind], item.pk, kind, item) for kind, items in sources for item in items),
        key=lambda row: row[:3],
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        created_at, _order, pk, kind, _item = page[-1]
        next_cursor = QueueCursor(created_at, kind, pk)
    now = timezone.now()
    return [queue_item(row[4], now=now) for row in page], next_cursor


def moderation_item(*, user: User, item_type: str, item_id: int) -> dict | None:
    """One item in the queue's representation (whatever its status), or None when `user` cannot see it."""
    source = moderation_proposals(user=user) if item_type == PROPOSAL else moderation_reports(user=user)
    item_field = PROPOSAL if item_type == PROPOSAL else REPORT
    item = (
        source.annotate(flag_count=_flag_count(item_field))
        .select_related("kelurahan__kecamatan", "category", "claimed_by")
        .filter(pk=item_id)
        .first()
    )
    return queue_item(item) if item else None


def kelurahan_names() -> dict[int, str]:
    """Every kelurahan's name by id, for live pages that receive only ids in events."""
    from aspirasi.models import Kelurahan

    return dict(Kelurahan.objects.values_list("id", "name"))


def queue_querysets(*, user: User) -> tuple[QuerySet[Proposal], QuerySet[Report]]:
    """The unordered querysets of the queue (what waits for a decision), for reads that count or group it."""
    return _queue_proposals(user=user), _queue_reports(user=user)
