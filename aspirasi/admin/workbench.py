"""The moderators' workbench, `/admin/moderation/live/`: the queue, its counters and filters, the decision
panel of the selected item, all kept live from `ws/moderation/` by static/aspirasi/moderation/live.js.

Reads come from aspirasi.selectors.moderation (the API's queue, with the workbench's filters and orderings);
decisions from aspirasi.admin.decision_panel (the API's services). Rows are rendered by the server only,
for the first page and for every live row (`admin:moderation_row`), so a live row reads exactly like the
rest: same labels, same WITA times, same thumbnail.
"""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from aspirasi import policies
from aspirasi.admin import decision_panel
from aspirasi.models import CommentState, Kelurahan, ProposalStatus, ReportStatus
from aspirasi.selectors.moderation import moderation_counters_and_whole, moderation_queue, queue_sort_key
from aspirasi.services.moderation import COMMENT, PROPOSAL, REPORT

PAGE_SIZE = 200  # the first page is server-rendered whole (about 0.1 s of server time for 200 rows)


class WorkbenchFilters(forms.Form):
    """The queue's filters, read from the query string (an invalid value falls back to "all")."""

    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), (PROPOSAL, _("Proposals")), (REPORT, _("Reports")), (COMMENT, _("Comments"))],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All states")),
            ("new", _("New")),
            ("in_review", _("In review")),
            ("flagged", _("Flagged")),
            ("overdue", _("Overdue")),
        ],
    )
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"), required=False, queryset=Kelurahan.objects.none(), empty_label=_("All kelurahan")
    )
    flags = forms.ChoiceField(
        label=_("Flags"),
        required=False,
        choices=[
            ("", _("Flagged or not")),
            ("any", _("With open flags")),
            ("review", _("Awaiting flag review")),
            ("none", _("Not flagged")),
        ],
    )
    ordering = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("oldest", _("Oldest first")), ("newest", _("Newest first")), ("support", _("Most supported"))],
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        areas = Kelurahan.objects.order_by("name")
        if not policies.is_admin(user):
            areas = areas.filter(pk__in=policies.moderated_kelurahan_ids(user))
        self.fields["kelurahan"].queryset = areas

    def selector_arguments(self) -> dict:
        values = {}
        for name in self.fields:
            field = self.fields[name]
            try:
                values[name] = field.clean(field.widget.value_from_datadict(self.data, self.files, name))
            except forms.ValidationError:
                values[name] = None
        kelurahan = values["kelurahan"]
        return {
            "item_type": values["type"] or None,
            "state": values["state"] or None,
            "kelurahan_id": kelurahan.pk if kelurahan else None,
            "flags": values["flags"] or None,
            "ordering": values["ordering"] or "oldest",
        }


def _counters(user, arguments: dict) -> dict[str, dict[str, int]]:
    """The counters of the filtered view ("shown") and of the whole queue ("whole"). The state filter does not
    narrow them: each counter is itself a state (a link to that filter)."""
    return moderation_counters_and_whole(
        user=user, item_type=arguments["item_type"], kelurahan_id=arguments["kelurahan_id"], flags=arguments["flags"]
    )


def _narrowed(arguments: dict) -> bool:
    return any(arguments[name] is not None for name in ("item_type", "kelurahan_id", "flags"))


def _moderator_only(request) -> None:
    if not policies.can_act_as_moderator(request.user):
        raise PermissionDenied


_STATUSES = {PROPOSAL: ProposalStatus, REPORT: ReportStatus, COMMENT: CommentState}
_TYPES = {PROPOSAL: _("Proposal"), REPORT: _("Report"), COMMENT: _("Comment")}
KINDS = (PROPOSAL, REPORT, COMMENT)


def _rows(items: list[dict], *, ordering: str) -> list[dict]:
    """Queue rows with what the page shows of them: labels in the user's language, the sort key as JSON."""
    return [
        {
            **item,
            "type_label": _TYPES[item["type"]],
            "status_label": _STATUSES[item["type"]](item["status"]).label,
            "sort_key": json.dumps(queue_sort_key(item, ordering)),
        }
        for item in items
    ]


def _selected(request) -> tuple[str, int] | None:
    """`?item=proposal-12`: the item whose panel the page opens with (links work without JavaScript)."""
    kind, _sep, number = request.GET.get("item", "").partition("-")
    if kind in KINDS and number.isdigit() and len(number) < 12:
        return kind, int(number)
    return None


def workbench_view(request):
    """The queue's first page, counters, filters and (with `?item=`) the selected item's panel."""
    _moderator_only(request)
    filters = WorkbenchFilters(request.GET, user=request.user)
    arguments = filters.selector_arguments()
    items, next_cursor = moderation_queue(user=request.user, limit=PAGE_SIZE, **arguments)
    selected = _selected(request)
    counts = _counters(request.user, arguments)
    query = request.GET.copy()
    query.pop("item", None)
    counter_query = query.copy()  # a counter is the state filter, on top of the others
    counter_query.pop("state", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Moderation workbench"),
        "filters": filters,
        "ordering": arguments["ordering"],
        "items": _rows(items, ordering=arguments["ordering"]),
        "truncated": next_cursor is not None,
        "counters": [
            (state, label, counts["shown"][state], counts["whole"][state])
            for state, label in filters.fields["state"].choices
            if state
        ],
        "counters_narrowed": _narrowed(arguments),
        "counter_query": counter_query.urlencode(),
        "filter_query": query.urlencode(),
        "selected": f"{selected[0]}-{selected[1]}" if selected else "",
        "panel_url": reverse("admin:moderation_panel", args=selected) if selected else "",
        "panel": decision_panel.panel_context(request, *selected) if selected else None,
        "decision_keys": decision_panel.KEYS,
    }
    return TemplateResponse(request, "aspirasi/moderation/live.html", context)


def row_view(request, item_type: str, pk: int):
    """One live row for the page's filters and ordering (null when the item is not, or no longer, in that
    queue) and the counters, as JSON: the page asks for it when an event names the item."""
    _moderator_only(request)
    if item_type not in KINDS:
        raise Http404
    arguments = WorkbenchFilters(request.GET, user=request.user).selector_arguments()
    if arguments["item_type"] not in (None, item_type):
        items = []
    else:
        items, _next = moderation_queue(user=request.user, item_id=pk, limit=1, **{**arguments, "item_type": item_type})
    row = None
    if items:
        context = {"item": _rows(items, ordering=arguments["ordering"])[0], "filter_query": request.GET.urlencode()}
        row = render_to_string("aspirasi/moderation/_row.html", context, request=request)
    counts = _counters(request.user, arguments)
    return JsonResponse({"row": row, "counters": counts["shown"], "counters_whole": counts["whole"]})


def urls() -> list:
    """The workbench's admin URLs (wrapped by admin_view: staff login, CSRF, never cached)."""
    view = admin.site.admin_view
    return [
        path("moderation/live/", view(workbench_view), name="moderation-live"),
        path("moderation/live/row/<str:item_type>/<int:pk>/", view(row_view), name="moderation_row"),
        path("moderation/panel/<str:item_type>/<int:pk>/", view(decision_panel.panel_view), name="moderation_panel"),
    ]
