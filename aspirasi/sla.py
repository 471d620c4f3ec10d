"""The working-day SLA clock (docs/sla.md).

A working day in Balikpapan is a weekday that is not one of Indonesia's public holidays (the maintained
`holidays` package) nor a day off the admin entered in the SLA calendar (CalendarDay: cuti bersama and local
days off are decreed each year, the package cannot know them); the calendar can also make a day a working day.
A deadline of N working days from a moment falls at WITA midnight ending the N-th working day after the day
of that moment: a report verified on a Monday at 09:00 with 3 days is due Friday 00:00 WITA (Tue, Wed, Thu).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

WITA = ZoneInfo("Asia/Makassar")

ON_TIME, DUE_SOON, OVERDUE = "on_time", "due_soon", "overdue"
STATES = (ON_TIME, DUE_SOON, OVERDUE)

# The stages an item waits in, and the setting that holds each one's working days.
VERIFICATION, DISPOSITION, FOLLOW_UP, CONFIRMATION = "verification", "disposition", "follow_up", "confirmation"
STAGE_SETTINGS = {
    VERIFICATION: "SLA_VERIFICATION_DAYS",
    DISPOSITION: "SLA_DISPOSITION_DAYS",
    FOLLOW_UP: "SLA_FOLLOW_UP_DAYS",
    CONFIRMATION: "SLA_CONFIRMATION_DAYS",
}
STAGES = tuple(STAGE_SETTINGS)


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year))


def _calendar(start: date, end: date) -> dict[date, str]:
    """The admin's calendar entries from start to end inclusive: {date: kind}."""
    from aspirasi.models import CalendarDay

    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))


def _is_working(day: date, calendar: dict[date, str]) -> bool:
    from aspirasi.models import CalendarDayKind

    kind = calendar.get(day)
    if kind is not None:
        return kind == CalendarDayKind.WORKING_DAY
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def is_working_day(day: date) -> bool:
    """One query; for many days use working_days()."""
    return _is_working(day, _calendar(day, day))


def working_days(start: date, end: date) -> list[date]:
    """The working days from start to end inclusive (one query)."""
    calendar = _calendar(start, end)
    days, day = [], start
    while day <= end:
        if _is_working(day, calendar):
            days.append(day)
        day += timedelta(days=1)
    return days


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, WITA).date()


def _window(days: int) -> int:
    # Wide enough for any year's run of days off (Lebaran with cuti bersama is under two weeks).
    return days * 2 + 30


def _due_in(first: date, days: int, calendar: dict[date, str]) -> datetime | None:
    """WITA midnight ending the `days`-th working day from `first` on, if `calendar` reaches that far."""
    found, day = 0, first
    for _ in range(_window(days)):
        if _is_working(day, calendar):
            found += 1
            if found == days:
                return datetime.combine(day + timedelta(days=1), time(0), tzinfo=WITA)
        day += timedelta(days=1)
    return None


def due_at(start: datetime, days: int) -> datetime:
    """WITA midnight ending the `days`-th working day after the day of `start` (an aware datetime)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    first = local_date(start) + timedelta(days=1)
    window = _window(days)
    while True:
        found = working_days(first, first + timedelta(days=window))
        if len(found) >= days:
            last = found[days - 1]
            return datetime.combine(last + timedelta(days=1), time(0), tzinfo=WITA)
        window *= 2


def dues_at(starts: list[datetime], days: int) -> list[datetime]:
    """due_at for many starts with one read of the calendar (a list's rows: no query per row)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if not starts:
        return []
    firsts = [local_date(start) + timedelta(days=1) for start in starts]
    calendar = _calendar(min(firsts), max(firsts) + timedelta(days=_window(days)))
    return [_due_in(first, days, calendar) or due_at(start, days) for first, start in zip(firsts, starts, strict=True)]


def stage_dues_at(stage: str, starts: list[datetime]) -> list[datetime]:
    return dues_at(starts, stage_days(stage))


def _working_seconds(start: datetime, end: datetime, calendar: dict[date, str]) -> float:
    total, day = 0.0, local_date(start)
    while day <= local_date(end):
        if _is_working(day, calendar):
            midnight = datetime.combine(day, time(0), tzinfo=WITA)
            total += max(0.0, (min(end, midnight + timedelta(days=1)) - max(start, midnight)).total_seconds())
        day += timedelta(days=1)
    return total


def working_days_elapsed(spans: list[tuple[datetime, datetime]]) -> list[float]:
    """The working time of each (start, end) in days: the hours of it that fall on working days (WITA, midnight
    to midnight), over 24; weekends, holidays and the calendar's days off do not count. One calendar read.
    Thursday 24 Dec 2026 10:00 -> Wednesday 30 Dec 18:00 is 14 + 24 + 24 + 18 hours = 3.33 working days."""
    if not spans:
        return []
    calendar = _calendar(min(local_date(start) for start, _ in spans), max(local_date(end) for _, end in spans))
    return [_working_seconds(start, end, calendar) / 86400 if end > start else 0.0 for start, end in spans]


def stage_days(stage: str) -> int:
    return getattr(settings, STAGE_SETTINGS[stage])


def stage_due_at(stage: str, start: datetime) -> datetime:
    return due_at(start, stage_days(stage))


def state(due: datetime, *, now: datetime | None = None) -> str:
    """on_time, due_soon (within SLA_DUE_SOON_HOURS of the deadline) or overdue (the deadline has passed)."""
    now = now or timezone.now()
    if now >= due:
        return OVERDUE
    if due - now <= timedelta(hours=settings.SLA_DUE_SOON_HOURS):
        return DUE_SOON
    return ON_TIME


@dataclass(frozen=True)
class Clock:
    """What the API shows of an item's SLA: the stage it waits in, its deadline and state."""

    stage: str
    due_at: datetime
    state: str

    def as_dict(self) -> dict:
        return {"stage": self.stage, "due_at": self.due_at, "state": self.state}


def clock(stage: str | None, due: datetime | None, *, now: datetime | None = None) -> Clock | None:
    if not stage or due is None:
        return None
    return Clock(stage=stage, due_at=due, state=state(due, now=now))


# Reports whose clock runs: new ones wait for verification, verified ones for their OPD or their reporter; a
# rejected, linked or resolved report waits for no one, whatever stage it was last in.
CLOCKED_REPORT_STATUSES = frozenset({"new", "verified"})


def report_clock(report, *, now: datetime | None = None) -> Clock | None:
    """The report's current stage, deadline and state, or None when no deadline runs for it."""
    if report.status not in CLOCKED_REPORT_STATUSES:
        return None
    return clock(report.sla_stage, report.sla_due_at, now=now)


# Proposals waiting for their first decision are on the verification clock from their submission, like new
# reports; their deadline is derived from created_at (nothing stored moves when the calendar changes).
CLOCKED_PROPOSAL_STATUSES = frozenset({"submitted", "in_review"})


def pending_proposal_clock(proposal, *, due: datetime | None = None, now: datetime | None = None) -> Clock | None:
    """A pending proposal's verification deadline and state (`due` when the caller computed it in a batch)."""
    if proposal.status not in CLOCKED_PROPOSAL_STATUSES:
        return None
    return clock(VERIFICATION, due or stage_due_at(VERIFICATION, proposal.created_at), now=now)


def disposition_clock(state: str | None, due: datetime | None, *, now: datetime | None = None) -> Clock | None:
    """A disposition's follow-up deadline and state while it is open; None once done, returned or closed."""
    from aspirasi.models.opd import OPEN_DISPOSITION_STATES

    if state not in OPEN_DISPOSITION_STATES:
        return None
    return clock(FOLLOW_UP, due, now=now)
