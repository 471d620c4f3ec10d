"""The SLA report per OPD and period, /admin/opd/sla/: received, on-time %, median days per stage, reopened %;
a bar chart with the same figures as a table, and CSV / XLSX (docs/sla.md). Moderators, planners and admins
see every OPD, an OPD's officers their own (policies.sla_report_scope)."""

import csv
import io
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from aspirasi import exports, policies, sla
from aspirasi.admin_site import MenuPage
from aspirasi.selectors.opd import sla_report

HEADERS = [
    "opd",
    "received",
    "answered_on_time",
    "answered_late",
    "open_overdue",
    "on_time_percent",
    "median_working_days_to_accept",
    "median_working_days_to_done",
    "done",
    "reopened",
    "reopened_percent",
]


# Dates the report can mean (a typed year 1 or 9999 would overflow the WITA midnights), and a period the page
# reads whole in one go (selectors.opd.sla_report) of at most a year.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_PERIOD_DAYS = 366


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}),
    )
    end = forms.DateField(
        label=_("To (inclusive)"),
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if start and end and (end - start).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most %(days)d days.") % {"days": MAX_PERIOD_DAYS}, code="period_too_long"
            )
        return data


def _wita_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=sla.WITA)


def _row_values(row) -> list:
    return [getattr(row, name) for name in HEADERS]


def _csv(rows) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(exports._csv_inert(_row_values(row)) for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sla-opd.csv"'
    return response


def _xlsx(rows) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("SLA OPD")
    bold = Font(bold=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([exports._text_cell(sheet, v) if isinstance(v, str) else v for v in _row_values(row)])
    target = io.BytesIO()
    workbook.save(target)
    response = HttpResponse(
        target.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="sla-opd.xlsx"'
    return response


def sla_report_view(request):
    if not policies.can_read_sla_report(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = PeriodForm({"start": today - timedelta(days=29), "end": today, **request.GET.dict()})
    rows = []
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = sla_report(user=request.user, start=_wita_midnight(start), end=_wita_midnight(end + timedelta(days=1)))
        fmt = request.GET.get("format")
        if fmt == "csv":
            return _csv(rows)
        if fmt == "xlsx":
            return _xlsx(rows)
    period = form.cleaned_data if form.is_valid() else {}
    context = {
        **admin.site.each_context(request),
        "title": _("SLA per OPD"),
        "form": form,
        "rows": rows,
        "own_opd": None if policies.can_read_moderation(request.user) else request.user.opd,
        "inbox_url": reverse("admin:opd-inbox"),
        "query": urlencode({name: period[name].isoformat() for name in ("start", "end")}) if period else "",
    }
    return TemplateResponse(request, "aspirasi/opd/sla.html", context)


def urls() -> list:
    return [path("opd/sla/", admin.site.admin_view(sla_report_view), name="opd-sla")]


admin.site.add_pages(urls, menu=[MenuPage("opd-sla", _("SLA per OPD"), policies.can_read_sla_report)])
