"""The planners' funded shortlist page, /admin/planning/shortlist/: per area, what fits its pagu with the most
total priority beside the greedy by-rank list, each proposal with why it is in or out, pins and exclusions
with a reason (services.budgets, audited) and the T-D.4 exports. Reads selectors.shortlist, as the API does."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aspirasi.admin_site import MenuPage
from aspirasi.errors import DomainError
from aspirasi.models import Cycle, Kecamatan, Level, Proposal, ShortlistDecisionKind
from aspirasi.policies import can_plan
from aspirasi.selectors.planning import CITY_NAME
from aspirasi.selectors.shortlist import shortlist_for
from aspirasi.services.budgets import shortlist_decide, shortlist_undecide
from aspirasi.services.cycles import cycle_current

# One choice names the level and the area together ("kecamatan:3"); no id: every area of the level with a pagu.
ALL_KELURAHAN = f"{Level.KELURAHAN}:"


def _area_choices() -> list:
    choices = [
        (ALL_KELURAHAN, _("Every kelurahan with a pagu")),
        (f"{Level.KECAMATAN}:", _("Every kecamatan with a pagu")),
        (f"{Level.CITY}:", CITY_NAME),
    ]
    for kecamatan in Kecamatan.objects.prefetch_related("kelurahan_set").order_by("code"):
        kelurahan = sorted(kecamatan.kelurahan_set.all(), key=lambda k: k.name)
        group = [(f"{Level.KECAMATAN}:{kecamatan.pk}", _("Kecamatan %(name)s") % {"name": kecamatan.name})]
        choices.append((kecamatan.name, group + [(f"{Level.KELURAHAN}:{k.pk}", k.name) for k in kelurahan]))
    return choices


def _export_urls(*, cycle: Cycle, level: str, area_id: int | None) -> dict:
    """The T-D.4 sheets of what the page shows (the API's export, which the admin's session may call)."""
    base = {"cycle": cycle.pk, "level": level, **({"area": area_id} if area_id else {})}
    return {
        which: {
            fmt: f"{reverse('planning-td4-export')}?{urlencode({'list': which, **base, 'format': fmt})}"
            for fmt in ("xlsx", "csv")
        }
        for which in ("shortlist", "carried")
    }


class ShortlistQueryForm(forms.Form):
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.order_by("-submission_starts_on"), label=_("Cycle"))
    area = forms.ChoiceField(label=_("Area"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices()

    def clean(self):
        data = super().clean()
        if "area" in data:
            level, _sep, area_id = data["area"].partition(":")
            data["level"], data["area_id"] = level, int(area_id) if area_id else None
        return data


class DecisionForm(forms.Form):
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.all())
    level = forms.ChoiceField(choices=Level.choices)
    proposal = forms.ModelChoiceField(queryset=Proposal.objects.all())
    kind = forms.ChoiceField(choices=[*ShortlistDecisionKind.choices, ("clear", _("Clear"))])
    reason = forms.CharField(max_length=500, required=False, strip=True)
    back = forms.CharField(max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") in ShortlistDecisionKind.values and not data.get("reason"):
            self.add_error("reason", _("Say why: the reason is recorded in the audit trail and shown beside it."))
        return data


def shortlist_view(request):
    if not can_plan(request.user):
        raise PermissionDenied
    current = cycle_current()
    defaults = {"cycle": current.pk if current else None, "area": ALL_KELURAHAN}
    form = ShortlistQueryForm({**defaults, **request.GET.dict()})
    context = {**admin.site.each_context(request), "title": _("Funded shortlist"), "form": form}
    if form.is_valid():
        cycle, level, area_id = (form.cleaned_data[name] for name in ("cycle", "level", "area_id"))
        context |= {
            "cycle": cycle,
            "level": level,
            "areas": shortlist_for(cycle=cycle, level=level, area_id=area_id),
            "back": urlencode({"cycle": cycle.pk, "area": form.cleaned_data["area"]}),
            "exports": _export_urls(cycle=cycle, level=level, area_id=area_id),
        }
    return TemplateResponse(request, "aspirasi/planning/shortlist.html", context)


@require_POST
def decide_view(request):
    if not can_plan(request.user):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    back = reverse("admin:planning-shortlist")
    if form.is_valid() and form.cleaned_data["back"].startswith("cycle="):
        back += "?" + form.cleaned_data["back"]
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    proposal = data["proposal"]  # the form's field read it
    arguments = {"cycle": data["cycle"], "level": data["level"], "proposal": proposal, "actor": request.user}
    try:
        if data["kind"] == "clear":
            shortlist_undecide(**arguments)
            done = _("“%(title)s”: its pin or exclusion is cleared; the shortlist is recomputed without it.")
        else:
            shortlist_decide(**arguments, kind=data["kind"], reason=data["reason"])
            if data["kind"] == ShortlistDecisionKind.PIN:
                done = _("“%(title)s” is pinned; the shortlist is recomputed around it.")
            else:
                done = _("“%(title)s” is excluded; the shortlist is recomputed without it.")
        messages.success(request, done % {"title": proposal.title})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(back)


def urls() -> list:
    view = admin.site.admin_view
    return [
        path("planning/shortlist/", view(shortlist_view), name="planning-shortlist"),
        path("planning/shortlist/decide/", view(decide_view), name="planning-shortlist-decide"),
    ]


admin.site.add_pages(urls, menu=[MenuPage("planning-shortlist", _("Funded shortlist"), can_plan)])
