"""The moderators' workload: decisions per day, time to a first decision, what waits longest.

Read from the audit trail (AuditEntry, one row per decision) and the queue (selectors/moderation.py), in the
reader's areas (aspirasi.policies). A constant number of queries whatever the volume: one for the decisions
per moderator, kelurahan and day, one for first decisions with their items' submission times, two for the
longest-waiting items and one for what waits per kelurahan. Medians are taken in Python over the window's
first decisions, which a window bounds.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, DateTimeField, Exists, Min, OuterRef, Q, Subquery, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from aspirasi import policies
from aspirasi.models import AuditEntry, Proposal, Report, User
from aspirasi.selectors.moderation import PROPOSAL, REPORT, moderation_queue, queue_querysets

# The audit actions that decide an item (claims and corrections do not; flag_review_requested is the system's).
DECISION_ACTIONS = ("publish", "reject", "merge", "verify", "resolve", "link", "promote", "hide")
WINDOW_DAYS = 14
WAITING_SHOWN = 15


@dataclass
class WorkloadRow:
    """One moderator's or kelurahan's figures; `per_day` aligns with Workload.days."""

    key: int | str | None
    name: str
    per_day: list[int]
    total: int = 0
    median_seconds: float | None = None
    waiting: int = 0
    oldest_waiting_at: datetime | None = None


@dataclass
class Workload:
    days: list[date]
    per_day: list[int]
    moderators: list[WorkloadRow]
    kelurahan: list[WorkloadRow]
    waiting: list[dict] = field(default_factory=list)  # selectors.moderation.queue_item rows, oldest first
    waiting_total: int = 0


def _decisions(user: User):
    return AuditEntry.objects.filter(policies.moderation_read_scope(user), action__in=DECISION_ACTIONS).order_by()


def _submitted_at():
    """The decided item's creation time: a proposal's or a report's, by the entry's item_type."""
    proposal = Proposal.objects.filter(pk=OuterRef("item_id")).values("created_at")[:1]
    report = Report.objects.filter(pk=OuterRef("item_id")).values("created_at")[:1]
    return Case(
        When(item_type=PROPOSAL, then=Subquery(proposal)),
        When(item_type=REPORT, then=Subquery(report)),
        output_field=DateTimeField(),
    )


def _actor_name(actor_id, display_name, pseudonym) -> str:
    return display_name if actor_id else (pseudonym or "-")


def moderation_workload(*, user: User, now: datetime | None = None, days: int = WINDOW_DAYS) -> Workload:
    """Decisions per day of the last `days` days (WITA) per moderator and per kelurahan, the median time from
    submission to an item's first decision, and the items waiting longest, in `user`'s areas."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    start = timezone.make_aware(datetime.combine(day_list[0], datetime.min.time()))
    index = {day: position for position, day in enumerate(day_list)}
    moderators: dict = {}
    areas: dict = {}

    def row(table: dict, key, name: str) -> WorkloadRow:
        if key not in table:
            table[key] = WorkloadRow(key=key, name=name, per_day=[0] * days)
        return table[key]

    # 1. Decisions per moderator, kelurahan and day.
    per_day = [0] * days
    counted = (
        _decisions(user)
        .filter(created_at__gte=start, created_at__lte=now)
        .annotate(day=TruncDate("created_at"))
        .values("actor_id", "actor__display_name", "actor_pseudonym", "kelurahan_id", "kelurahan__name", "day")
        .annotate(n=Count("id"))
    )
    for entry in counted:
        position = index.get(entry["day"])
        if position is None:
            continue
        moderator = row(
            moderators,
            entry["actor_id"] or entry["actor_pseudonym"],
            _actor_name(entry["actor_id"], entry["actor__display_name"], entry["actor_pseudonym"]),
        )
        area = row(areas, entry["kelurahan_id"], entry["kelurahan__name"] or "-")
        for target in (moderator, area):
            target.per_day[position] += entry["n"]
            target.total += entry["n"]
        per_day[position] += entry["n"]

    # 2. First decisions in the window, with the submission of the item they decided.
    earlier = AuditEntry.objects.filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")),
        item_type=OuterRef("item_type"),
        item_id=OuterRef("item_id"),
        action__in=DECISION_ACTIONS,
    )
    firsts = (
        _decisions(user)
        .filter(created_at__gte=start, created_at__lte=now)
        .annotate(submitted_at=_submitted_at())
        .filter(~Exists(earlier), submitted_at__isnull=False)
        .values_list(
            "actor_id",
            "actor__display_name",
            "actor_pseudonym",
            "kelurahan_id",
            "kelurahan__name",
            "created_at",
            "submitted_at",
        )
    )
    waits = defaultdict(list)
    for actor_id, display_name, pseudonym, kelurahan_id, kelurahan_name, decided_at, submitted_at in firsts:
        seconds = max(0.0, (decided_at - submitted_at).total_seconds())
        moderator = row(moderators, actor_id or pseudonym, _actor_name(actor_id, display_name, pseudonym))
        area = row(areas, kelurahan_id, kelurahan_name or "-")
        waits[id(moderator)].append(seconds)
        waits[id(area)].append(seconds)
    for target in (*moderators.values(), *areas.values()):
        if waits[id(target)]:
            target.median_seconds = statistics.median(waits[id(target)])

    # 3. What waits longest (two queries), and 4. what waits per kelurahan (one).
    waiting, _cursor = moderation_queue(user=user, limit=WAITING_SHOWN, with_comments=False)
    proposals, reports = queue_querysets(user=user)
    grouped = [
        queryset.values("kelurahan_id", "kelurahan__name").annotate(n=Count("pk"), oldest=Min("created_at")).order_by()
        for queryset in (proposals, reports)
    ]
    waiting_total = 0
    for entry in grouped[0].union(grouped[1], all=True):
        area = row(areas, entry["kelurahan_id"], entry["kelurahan__name"])
        area.waiting += entry["n"]
        waiting_total += entry["n"]
        if area.oldest_waiting_at is None or entry["oldest"] < area.oldest_waiting_at:
            area.oldest_waiting_at = entry["oldest"]

    return Workload(
        days=day_list,
        per_day=per_day,
        moderators=sorted(moderators.values(), key=lambda r: (-r.total, r.name)),
        kelurahan=sorted(areas.values(), key=lambda r: (-r.waiting, -r.total, r.name)),
        waiting=waiting,
        waiting_total=waiting_total,
    )
