"""Reads of the OPD loop: routing suggestions, the OPD inbox, public follow-up timelines (docs/sla.md)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.db.models import Q, QuerySet
from django.utils import timezone

from aspirasi import policies, sla
from aspirasi.models import Disposition, Opd, RoutingRule, User
from aspirasi.models.opd import OPEN_DISPOSITION_STATES


def routing_suggest(*, category_id: int, kecamatan_id: int | None) -> Opd | None:
    """The OPD the rules suggest: the kecamatan's override for the category, else the category's default."""
    rules = (
        RoutingRule.objects.filter(category_id=category_id, opd__is_active=True)
        .filter(Q(kecamatan_id=kecamatan_id) | Q(kecamatan__isnull=True))
        .select_related("opd")
    )
    best = None
    for rule in rules:
        if rule.kecamatan_id is not None:
            return rule.opd
        best = rule.opd
    return best


def opd_inbox(*, user: User, open_only: bool = True) -> QuerySet[Disposition]:
    """Dispositions of `user`'s OPD, the nearest deadline first, with what the inbox shows in one query."""
    queryset = (
        Disposition.objects.filter(policies.opd_inbox_scope(user))
        .select_related(
            "opd", "report__category", "report__kelurahan", "report__open311_request", "proposal__kelurahan"
        )
        .order_by("due_at", "id")
    )
    if open_only:
        queryset = queryset.filter(state__in=OPEN_DISPOSITION_STATES)
    return queryset


def area_moderators(*, kelurahan) -> QuerySet[User]:
    """The moderators of a kelurahan (directly or through its kecamatan) and the admins' no one: staff only."""
    return (
        User.objects.filter(role="moderator", is_active=True)
        .filter(Q(moderated_kelurahan=kelurahan) | Q(moderated_kecamatan=kelurahan.kecamatan_id))
        .distinct()
    )


def opd_heads(*, opd_id: int) -> QuerySet[User]:
    return User.objects.filter(role="opd", opd_id=opd_id, is_opd_head=True, is_active=True)


@dataclass(frozen=True)
class OpdSlaRow:
    opd: str
    received: int
    answered_on_time: int
    answered_late: int
    open_overdue: int
    on_time_percent: float | None
    median_working_days_to_accept: float | None
    median_working_days_to_done: float | None
    reopened: int
    done: int
    reopened_percent: float | None


def _median_days(durations) -> float | None:
    return round(median(durations), 1) if durations else None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def sla_report(*, user: User, start: datetime, end: datetime, now: datetime | None = None) -> list[OpdSlaRow]:
    """Per OPD (those `user` may compare: policies.sla_report_scope), the dispositions received in [start,
    end): how many; the share answered (done or not ours) by
    the deadline, among those answered or already overdue; median working days (sla.working_days_elapsed: the
    clock the deadlines run on) to acceptance and to done; reopened (by reporters) per done. Two queries (the
    dispositions, the calendar); the period's dispositions are read whole (a city's month is a few thousand
    rows)."""
    now = now or timezone.now()
    received = (
        Disposition.objects.filter(policies.sla_report_scope(user), created_at__gte=start, created_at__lt=end)
        .select_related("opd")
        .only(
            "opd__name",
            "opd__short_name",
            "state",
            "is_reopen",
            "due_at",
            "created_at",
            "accepted_at",
            "done_at",
            "returned_at",
        )
    )
    by_opd: dict[int, list[Disposition]] = defaultdict(list)
    names: dict[int, str] = {}
    for disposition in received:
        by_opd[disposition.opd_id].append(disposition)
        names[disposition.opd_id] = str(disposition.opd)
    spans = [(d.created_at, d.accepted_at) for d in received if d.accepted_at]
    spans += [(d.created_at, d.done_at) for d in received if d.done_at]
    elapsed = dict(zip(spans, sla.working_days_elapsed(spans), strict=True))
    rows = []
    for opd_id, items in sorted(by_opd.items(), key=lambda pair: names[pair[0]]):
        on_time = late = open_overdue = reopened = done = 0
        to_accept, to_done = [], []
        for d in items:
            answered_at = d.done_at or d.returned_at
            if answered_at is not None:
                on_time += answered_at <= d.due_at
                late += answered_at > d.due_at
            elif d.due_at <= now:
                open_overdue += 1
            if d.accepted_at:
                to_accept.append(elapsed[(d.created_at, d.accepted_at)])
            if d.done_at:
                done += 1
                to_done.append(elapsed[(d.created_at, d.done_at)])
            reopened += d.is_reopen
        judged = on_time + late + open_overdue
        rows.append(
            OpdSlaRow(
                opd=names[opd_id],
                received=len(items),
                answered_on_time=on_time,
                answered_late=late,
                open_overdue=open_overdue,
                on_time_percent=_percent(on_time, judged),
                median_working_days_to_accept=_median_days(to_accept),
                median_working_days_to_done=_median_days(to_done),
                reopened=reopened,
                done=done,
                reopened_percent=_percent(reopened, done),
            )
        )
    return rows
