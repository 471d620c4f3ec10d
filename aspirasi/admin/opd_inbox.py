"""The OPD inbox in the admin, /admin/opd/inbox/: what was forwarded to the officer's OPD, nearest deadline
first, with its state badge and a follow-up form per item; kept current over ws/opd/ (docs/sla.md)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aspirasi import policies, sla
from aspirasi.admin_site import MenuPage
from aspirasi.errors import DomainError
from aspirasi.models import Disposition, DispositionState
from aspirasi.selectors.opd import opd_inbox
from aspirasi.services import dispositions

SLA_LABELS = {sla.ON_TIME: _("On time"), sla.DUE_SOON: _("Due soon"), sla.OVERDUE: _("Overdue")}


class FollowUpForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Follow-up"), choices=[(s.value, s.label) for s in DispositionState if s != DispositionState.FORWARDED]
    )
    note = forms.CharField(
        label=_("Note (required for done)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label=_("Reason (required for not ours)"), required=False, max_length=2000)
    photo = forms.FileField(
        label=_("Proof photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )


def _rows(request) -> list[dict]:
    now = timezone.now()
    rows = []
    for disposition in opd_inbox(user=request.user):
        state = sla.state(disposition.due_at, now=now)
        item = disposition.report or disposition.proposal
        # A report filed through Open311 keeps the filer's address and photo link for who acts on it.
        filed = getattr(disposition.report, "open311_request", None) if disposition.report_id else None
        rows.append(
            {
                "disposition": disposition,
                "item_type": disposition.item_type,
                "title": getattr(item, "title", "") or item.description[:120],
                "kelurahan": item.kelurahan.name,
                "open311": filed,
                "sla_state": state,
                "sla_label": SLA_LABELS[state],
                "form": FollowUpForm(prefix=f"d{disposition.pk}"),
                "action": reverse("admin:opd-follow-up", args=[disposition.pk]),
            }
        )
    return rows


def inbox_view(request):
    if not policies.is_opd_officer(request.user):
        raise PermissionDenied
    template = "aspirasi/opd/_inbox_rows.html" if request.GET.get("fragment") else "aspirasi/opd/inbox.html"
    context = {
        **admin.site.each_context(request),
        "title": _("OPD inbox: %(opd)s") % {"opd": request.user.opd},
        "rows": _rows(request),
        "socket_path": "/ws/opd/",
        "generated_at": timezone.now(),
    }
    return TemplateResponse(request, template, context)


@require_POST
def follow_up_view(request, disposition_id: int):
    if not policies.is_opd_officer(request.user):
        raise PermissionDenied
    disposition = get_object_or_404(
        Disposition.objects.filter(policies.opd_inbox_scope(request.user)), pk=disposition_id
    )
    form = FollowUpForm(request.POST, request.FILES, prefix=f"d{disposition.pk}")
    if not form.is_valid():
        messages.error(request, _("Check the follow-up's fields."))
        return redirect("admin:opd-inbox")
    try:
        dispositions.follow_up_record(
            disposition=disposition,
            actor=request.user,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
            photo=form.cleaned_data.get("photo"),
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Follow-up recorded."))
    return redirect("admin:opd-inbox")


def urls() -> list:
    return [
        path("opd/inbox/", admin.site.admin_view(inbox_view), name="opd-inbox"),
        path("opd/inbox/<int:disposition_id>/follow-up/", admin.site.admin_view(follow_up_view), name="opd-follow-up"),
    ]


admin.site.add_pages(urls, menu=[MenuPage("opd-inbox", _("OPD inbox"), policies.is_opd_officer)])
