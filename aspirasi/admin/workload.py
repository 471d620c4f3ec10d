"""The workload page, /admin/moderation/workload/: decisions per day per moderator and per kelurahan, the
median time to a first decision and what waits longest (aspirasi.selectors.workload). Moderators and admins."""

import math

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aspirasi import policies
from aspirasi.admin_site import MenuPage
from aspirasi.models import ProposalStatus, ReportStatus
from aspirasi.selectors.workload import moderation_workload


def _duration(seconds: float | None) -> str:
    """A median wait as people read it: minutes, hours and minutes, or days and hours."""
    if seconds is None:
        return "-"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


def _rows(rows, busiest: int) -> list[dict]:
    return [
        {
            "row": row,
            "cells": [{"n": n, "level": math.ceil(4 * n / busiest)} for n in row.per_day],
            "median": _duration(row.median_seconds),
        }
        for row in rows
    ]


_STATUS_LABELS = {"proposal": dict(ProposalStatus.choices), "report": dict(ReportStatus.choices)}


def workload_view(request):
    if not policies.can_act_as_moderator(request.user):
        raise PermissionDenied
    now = timezone.now()
    workload = moderation_workload(user=request.user, now=now)
    busiest_day = max(workload.per_day, default=0) or 1
    busiest = max((n for row in (*workload.moderators, *workload.kelurahan) for n in row.per_day), default=0) or 1
    waiting = [
        {
            **item,
            "status_label": _STATUS_LABELS[item["type"]].get(item["status"], item["status"]),
            "url": reverse(f"admin:aspirasi_{item['type']}_change", args=[item["id"]]),
        }
        for item in workload.waiting
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Moderation workload"),
        "workload": workload,
        "daily": [
            {"day": day, "n": n, "percent": round(100 * n / busiest_day)}
            for day, n in zip(workload.days, workload.per_day, strict=True)
        ],
        "moderators": _rows(workload.moderators, busiest),
        "areas": _rows(workload.kelurahan, busiest),
        "waiting": waiting,
        "generated_at": now,
    }
    return TemplateResponse(request, "aspirasi/moderation/workload.html", context)


def urls() -> list:
    return [path("moderation/workload/", admin.site.admin_view(workload_view), name="moderation-workload")]


admin.site.add_pages(
    urls, menu=[MenuPage("moderation-workload", _("Moderation workload"), policies.can_act_as_moderator)]
)
