"""The SLA report per OPD (/admin/opd/sla/): figures by hand on a few dispositions, the chart's table, CSV, XLSX."""

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from aspirasi import policies, sla
from aspirasi.models import CalendarDay, CalendarDayKind, Disposition, Opd, ReportStatus
from aspirasi.selectors.opd import sla_report
from tests import personas
from tests.aspirasi.factories_moderation import ReportFactory

pytestmark = pytest.mark.django_db


def _wita(*args):
    return datetime(*args, tzinfo=sla.WITA)


def _disposition(opd, *, created, due, accepted=None, done=None, returned=None, reopen=False, state="done"):
    d = Disposition.objects.create(
        report=ReportFactory(status=ReportStatus.VERIFIED),
        opd=opd,
        state=state,
        due_at=due,
        accepted_at=accepted,
        done_at=done,
        returned_at=returned,
        is_reopen=reopen,
    )
    Disposition.objects.filter(pk=d.pk).update(created_at=created)  # auto_now_add: set the history by hand
    return d


@pytest.fixture
def history():
    dinkes, dpu = Opd.objects.get(slug="dinkes"), Opd.objects.get(slug="dpu")
    day = _wita(2026, 11, 2, 9)  # Monday
    # Dinas Kesehatan: done in 1 and 3 days (on time), done in 9 days (late), a reopen done in 2 days.
    _disposition(
        dinkes, created=day, due=_wita(2026, 11, 10), accepted=_wita(2026, 11, 2, 21), done=_wita(2026, 11, 3, 9)
    )
    _disposition(
        dinkes, created=day, due=_wita(2026, 11, 10), accepted=_wita(2026, 11, 3, 9), done=_wita(2026, 11, 5, 9)
    )
    _disposition(dinkes, created=day, due=_wita(2026, 11, 10), done=_wita(2026, 11, 11, 9))
    _disposition(dinkes, created=day, due=_wita(2026, 11, 10), done=_wita(2026, 11, 4, 9), reopen=True)
    # Dinas PU: one returned on time, one still open past its deadline; one outside the period.
    _disposition(dpu, created=day, due=_wita(2026, 11, 10), returned=_wita(2026, 11, 3, 9), state="not_ours")
    _disposition(dpu, created=day, due=_wita(2026, 11, 10), state="forwarded")
    _disposition(dpu, created=_wita(2026, 12, 2, 9), due=_wita(2026, 12, 10), state="forwarded")


def test_figures_per_opd(history):
    rows = sla_report(user=_reader(), start=_wita(2026, 11, 1), end=_wita(2026, 12, 1), now=_wita(2026, 11, 20))
    by_opd = {row.opd: row for row in rows}
    kes, pu = by_opd["Dinas Kesehatan"], by_opd["Dinas PU"]
    assert (kes.received, kes.answered_on_time, kes.answered_late, kes.open_overdue) == (4, 3, 1, 0)
    assert kes.on_time_percent == 75.0
    assert kes.median_working_days_to_accept == 0.8  # 12 h and 24 h, on working days
    assert kes.median_working_days_to_done == 2.5  # 1, 2, 3 and 7 working days (9 calendar days)
    assert (kes.done, kes.reopened, kes.reopened_percent) == (4, 1, 25.0)
    assert (pu.received, pu.answered_on_time, pu.open_overdue, pu.on_time_percent) == (2, 1, 1, 50.0)
    assert pu.median_working_days_to_done is None and pu.reopened_percent is None


def test_page_table_chart_and_downloads(client, admin_user, history):
    client.force_login(admin_user)
    query = {"start": "2026-11-01", "end": "2026-11-30"}
    page = client.get("/admin/opd/sla/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="opd-sla-table"' in html and "<caption>" in html and "sla-chart" in html
    assert "75,0" in html  # the admin speaks Indonesian: a decimal comma ...
    assert "width:75.0%" in html  # ... but not in the chart's CSS
    csv_text = client.get("/admin/opd/sla/", {**query, "format": "csv"}).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0] == (
        "opd,received,answered_on_time,answered_late,open_overdue,on_time_percent,median_working_days_to_accept,"
        "median_working_days_to_done,done,reopened,reopened_percent"
    )
    assert lines[1].startswith("Dinas Kesehatan,4,3,1,0,75.0,0.8,2.5,4,1,25.0")
    xlsx = client.get("/admin/opd/sla/", {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[2]][:3] == ["Dinas Kesehatan", 4, 3]
    assert [cell.value for cell in sheet[1]][6:8] == ["median_working_days_to_accept", "median_working_days_to_done"]


def _reader():
    return personas.planner()


@pytest.mark.parametrize("persona", ["moderator_manggar", "planner", "admin_user"])
def test_moderators_and_planners_see_every_opd(client, request, history, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get("/admin/opd/sla/", {"start": "2026-11-01", "end": "2026-11-30"})
    assert page.status_code == 200
    assert [row.opd for row in page.context["rows"]] == ["Dinas Kesehatan", "Dinas PU"]


@pytest.mark.parametrize("persona", ["opd_officer", "opd_head"])
def test_every_officer_of_an_opd_sees_their_own_opd_only(client, request, history, persona):
    """Not only the head: the report is the OPD's, in the page and in both downloads."""
    client.force_login(request.getfixturevalue(persona))
    query = {"start": "2026-11-01", "end": "2026-11-30"}
    page = client.get("/admin/opd/sla/", query)
    assert page.status_code == 200
    assert [row.opd for row in page.context["rows"]] == ["Dinas Kesehatan"]
    assert 'href="/admin/opd/inbox/"' in page.content.decode()
    csv_lines = client.get("/admin/opd/sla/", {**query, "format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in csv_lines[1:]] == ["Dinas Kesehatan"]
    sheet = load_workbook(io.BytesIO(client.get("/admin/opd/sla/", {**query, "format": "xlsx"}).content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Dinas Kesehatan"]


def test_the_policy_reads_like_the_rule(resident, moderator_manggar, planner, opd_officer, opd_head):
    assert [policies.can_read_sla_report(u) for u in (resident, moderator_manggar, planner, opd_officer, opd_head)] == [
        False,
        True,
        True,
        True,
        True,
    ]
    assert policies.sla_report_scope(opd_officer) == policies.opd_inbox_scope(opd_officer)
    assert not Disposition.objects.filter(policies.sla_report_scope(resident)).exists()


def test_a_resident_gets_the_admin_login_not_a_json_403(client, resident):
    client.force_login(resident)
    for query in ({}, {"format": "csv"}):
        response = client.get("/admin/opd/sla/", query)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/admin/opd/sla/")
    client.logout()
    assert client.get("/admin/opd/sla/")["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("persona", ["moderator_manggar", "planner", "opd_officer"])
def test_the_admin_index_links_the_report(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert 'href="/admin/opd/sla/"' in html
    assert ('href="/admin/opd/inbox/"' in html) == (persona == "opd_officer")


def test_the_opd_inbox_links_the_report(client, opd_officer):
    client.force_login(opd_officer)
    assert 'href="/admin/opd/sla/"' in client.get("/admin/opd/inbox/").content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13-01", "end": "2026-11-30"},
        {"start": "kemarin", "end": "2026-11-30"},
        {"start": "", "end": ""},
        {"start": "0001-01-01", "end": "0001-01-01"},
        {"start": "9999-12-31", "end": "9999-12-31"},
        {"start": "2026-11-30", "end": "2026-11-01"},
        {"start": "2020-01-01", "end": "2026-11-30"},
        {"start": "2026-11-01", "end": "2026-11-30\u0000"},
        {"start": "2026-11-01", "end": "2026-11-30", "format": "csv", "extra": "x"},
    ],
)
def test_bad_dates_are_a_form_error_never_a_500(client, moderator_manggar, query):
    client.force_login(moderator_manggar)
    response = client.get("/admin/opd/sla/", query)
    if query.get("format") == "csv":  # a good period: the download, other keys ignored
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        return
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid() and form.errors
    assert response.context["rows"] == [] and response.context["query"] == ""
    assert 'class="errorlist' in response.content.decode()


def test_the_download_links_carry_the_period_encoded(client, moderator_manggar, history):
    client.force_login(moderator_manggar)
    page = client.get("/admin/opd/sla/", {"start": "2026-11-01", "end": "2026-11-30"})
    assert page.context["query"] == "start=2026-11-01&end=2026-11-30"


def _christmas(dinkes):
    """Forwarded Thursday 24 Dec 2026 10:00 WITA, accepted Monday 28 Dec 08:00, done Wednesday 30 Dec 18:00."""
    _disposition(
        dinkes,
        created=_wita(2026, 12, 24, 10),
        due=_wita(2027, 1, 1),
        accepted=_wita(2026, 12, 28, 8),
        done=_wita(2026, 12, 30, 18),
    )


def test_medians_are_in_working_days_across_christmas():
    """By hand: 24 Dec is a working day (14 h from 10:00 to midnight), 25 Dec is Christmas (the package's
    holiday), 26-27 Dec a weekend, 28 and 29 Dec whole working days (48 h), 30 Dec until 18:00 (18 h):
    80 h = 3.33 working days to done (6.33 calendar days); to acceptance 14 + 8 = 22 h = 0.92."""
    _christmas(Opd.objects.get(slug="dinkes"))
    [row] = sla_report(user=_reader(), start=_wita(2026, 12, 1), end=_wita(2027, 1, 1), now=_wita(2027, 1, 5))
    assert (row.median_working_days_to_done, row.median_working_days_to_accept) == (3.3, 0.9)
    assert sla.working_days_elapsed([(_wita(2026, 12, 24, 10), _wita(2026, 12, 30, 18))]) == [80 / 24]


def test_a_cuti_bersama_from_the_admin_calendar_counts_too():
    """With 24 Dec a cuti bersama entered in the calendar: 48 + 18 = 66 h = 2.75 working days to done."""
    CalendarDay.objects.create(date=datetime(2026, 12, 24).date(), kind=CalendarDayKind.DAY_OFF, note="Cuti bersama")
    _christmas(Opd.objects.get(slug="dinkes"))
    [row] = sla_report(user=_reader(), start=_wita(2026, 12, 1), end=_wita(2027, 1, 1), now=_wita(2027, 1, 5))
    assert (row.median_working_days_to_done, row.median_working_days_to_accept) == (2.8, 0.3)  # 8 h on the 28th


def test_a_span_within_one_day_off_counts_nothing_and_the_report_reads_the_calendar_once(
    django_assert_num_queries,
):
    assert sla.working_days_elapsed([(_wita(2026, 12, 25, 8), _wita(2026, 12, 25, 17))]) == [0.0]
    dinkes = Opd.objects.get(slug="dinkes")
    for _ in range(3):
        _christmas(dinkes)
    reader = _reader()
    with django_assert_num_queries(2):  # the dispositions, the calendar
        sla_report(user=reader, start=_wita(2026, 12, 1), end=_wita(2027, 1, 1), now=_wita(2027, 1, 5))
