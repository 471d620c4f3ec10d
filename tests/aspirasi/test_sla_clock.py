"""The working-day clock over whole years, against tables written by hand (aspirasi/sla.py, docs/sla.md)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings

from aspirasi import sla
from aspirasi.models import CalendarDay, CalendarDayKind

pytestmark = pytest.mark.django_db

# Indonesia's public holidays that fall on a weekday, as the `holidays` package (0.108) lists them; weekend
# holidays (Eid al-Fitr 21-22 March 2026, Easter, ...) change nothing and are left out.
WEEKDAY_HOLIDAYS = {
    2026: {
        date(2026, 1, 1),  # Tahun Baru
        date(2026, 1, 16),  # Isra Mikraj
        date(2026, 2, 17),  # Imlek
        date(2026, 3, 19),  # Nyepi
        date(2026, 4, 3),  # Wafat Isa Almasih
        date(2026, 5, 1),  # Hari Buruh
        date(2026, 5, 14),  # Kenaikan Isa Almasih
        date(2026, 5, 27),  # Iduladha
        date(2026, 6, 1),  # Hari Lahir Pancasila
        date(2026, 6, 16),  # Tahun Baru Islam
        date(2026, 8, 17),  # Hari Kemerdekaan
        date(2026, 8, 25),  # Maulid Nabi
        date(2026, 12, 25),  # Natal
    },
    2027: {
        date(2027, 1, 1),
        date(2027, 1, 5),  # Isra Mikraj
        date(2027, 3, 8),  # Nyepi
        date(2027, 3, 10),  # Idulfitri (estimated by the package)
        date(2027, 3, 11),
        date(2027, 3, 26),  # Wafat Isa Almasih
        date(2027, 5, 6),  # Kenaikan
        date(2027, 5, 17),  # Iduladha (estimated)
        date(2027, 5, 20),  # Waisak
        date(2027, 6, 1),
        date(2027, 8, 17),
    },
}
# Cuti bersama as an admin would enter them for 2026 (around Imlek, Nyepi, Lebaran, Kenaikan, Iduladha, Natal).
CUTI_BERSAMA_2026 = [
    date(2026, 2, 16),
    date(2026, 3, 18),
    date(2026, 3, 20),
    date(2026, 3, 23),
    date(2026, 3, 24),
    date(2026, 5, 15),
    date(2026, 5, 28),
    date(2026, 12, 24),
]
# Working days per month by hand (weekdays of the month minus its weekday holidays), package only.
# 2026: Jan 22-2, Feb 20-1, Mar 22-1, Apr 22-1, May 21-3, Jun 22-2, Jul 23, Aug 21-2, Sep 22, Oct 22, Nov 21, Dec 23-1.
MONTHS_2026 = [20, 19, 21, 21, 18, 20, 23, 19, 22, 22, 21, 22]
# 2027: Jan 21-2, Feb 20, Mar 23-4, Apr 22, May 21-3, Jun 22-1, Jul 22, Aug 22-1, Sep 22, Oct 21, Nov 22, Dec 23.
MONTHS_2027 = [19, 20, 19, 22, 18, 21, 22, 21, 22, 21, 22, 23]


def _oracle_days_off(year, extra_off=(), extra_working=()):
    return (WEEKDAY_HOLIDAYS.get(year, set()) | set(extra_off)) - set(extra_working)


def _oracle_working(day, off, working=()):
    if day in working:
        return True
    return day.weekday() < 5 and day not in off


def _days_of(year):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize(("year", "total", "months"), [(2026, 248, MONTHS_2026), (2027, 250, MONTHS_2027)])
def test_working_days_of_the_year_match_the_table(year, total, months):
    found = sla.working_days(date(year, 1, 1), date(year, 12, 31))
    off = WEEKDAY_HOLIDAYS[year]
    assert found == [d for d in _days_of(year) if _oracle_working(d, off)]
    assert len(found) == total
    assert [sum(1 for d in found if d.month == m) for m in range(1, 13)] == months


def test_cuti_bersama_and_a_working_saturday_from_the_admin_calendar():
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=CalendarDayKind.DAY_OFF, note="cuti bersama") for d in CUTI_BERSAMA_2026]
        + [CalendarDay(date=date(2026, 3, 28), kind=CalendarDayKind.WORKING_DAY, note="ganti hari")]
    )
    found = sla.working_days(date(2026, 1, 1), date(2026, 12, 31))
    assert len(found) == 248 - len(CUTI_BERSAMA_2026) + 1
    assert date(2026, 3, 28) in found  # a Saturday made a working day
    assert not set(CUTI_BERSAMA_2026) & set(found)
    assert not sla.is_working_day(date(2026, 12, 24))
    assert sla.is_working_day(date(2026, 12, 23))


def _wita(*args):
    return datetime(*args, tzinfo=sla.WITA)


def _oracle_due(start_day, days, off, working=()):
    day = start_day
    while days:
        day += timedelta(days=1)
        if _oracle_working(day, off, working):
            days -= 1
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=sla.WITA)


@pytest.mark.parametrize("days", [3, 5, 10])
def test_every_start_day_of_2026_and_2027_has_the_tables_deadline(days):
    off = WEEKDAY_HOLIDAYS[2026] | WEEKDAY_HOLIDAYS[2027] | {date(2028, 1, 1)}  # 2028-01-01 is a Saturday
    for year in (2026, 2027):
        for day in _days_of(year):
            start = _wita(day.year, day.month, day.day, 12, 0)
            assert sla.due_at(start, days) == _oracle_due(day, days, off), (day, days)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Monday 09:00: Tue, Wed, Thu -> due Friday 00:00 WITA.
        (_wita(2026, 1, 5, 9, 0), 3, _wita(2026, 1, 9)),
        # One second before WITA midnight is still Monday ...
        (datetime(2026, 1, 5, 15, 59, 59, tzinfo=UTC), 3, _wita(2026, 1, 9)),
        # ... WITA midnight (16:00 UTC) is Tuesday already, though UTC still says Monday.
        (datetime(2026, 1, 5, 16, 0, tzinfo=UTC), 3, _wita(2026, 1, 10)),
        # Started on a Saturday: Mon, Tue, Wed.
        (_wita(2026, 1, 10, 8, 0), 3, _wita(2026, 1, 15)),
        # Nyepi (Thu 19 March) skipped: Tue 17, Wed 18, Fri 20.
        (_wita(2026, 3, 16, 9, 0), 3, _wita(2026, 3, 21)),
        # Across Natal and Tahun Baru: Mon 28 .. Thu 31, Mon 4 January (Fri 25, Fri 1 off).
        (_wita(2026, 12, 24, 10, 0), 5, _wita(2027, 1, 5)),
    ],
)
def test_deadlines_by_hand(start, days, due):
    assert sla.due_at(start, days) == due


def test_cuti_bersama_moves_the_deadline():
    for d in (date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)):
        CalendarDay.objects.create(date=d, kind=CalendarDayKind.DAY_OFF, note="cuti bersama Idulfitri")
    # Tue 17, then 18 off, 19 Nyepi, 20 off, weekend, 23-24 off, Wed 25 -> due Thursday 26 00:00.
    assert sla.due_at(_wita(2026, 3, 16, 9, 0), 2) == _wita(2026, 3, 26)
    assert sla.due_at(_wita(2026, 3, 16, 9, 0), 3) == _wita(2026, 3, 27)


@override_settings(SLA_DUE_SOON_HOURS=24)
def test_states_around_the_deadline():
    due = _wita(2026, 1, 9)
    assert sla.state(due, now=due - timedelta(hours=24, seconds=1)) == sla.ON_TIME
    assert sla.state(due, now=due - timedelta(hours=24)) == sla.DUE_SOON
    assert sla.state(due, now=due - timedelta(seconds=1)) == sla.DUE_SOON
    assert sla.state(due, now=due) == sla.OVERDUE


@override_settings(SLA_FOLLOW_UP_DAYS=5, SLA_CONFIRMATION_DAYS=10)
def test_stage_deadlines_follow_the_settings():
    start = _wita(2026, 1, 5, 9, 0)
    assert sla.stage_due_at(sla.FOLLOW_UP, start) == _wita(2026, 1, 13)
    # Tue 6 .. Fri 9, Mon 12 .. Thu 15 (Fri 16 Isra Mikraj), Mon 19, Tue 20 -> Wednesday 21 00:00.
    assert sla.stage_due_at(sla.CONFIRMATION, start) == _wita(2026, 1, 21)


def test_zero_days_is_refused():
    with pytest.raises(ValueError):
        sla.due_at(_wita(2026, 1, 5), 0)
