"""The decision panel: one item's state and every decision on it, as a server-rendered HTML fragment.

GET `admin:moderation_panel` (`/admin/moderation/panel/<item_type>/<pk>/`) renders it for a proposal, a
report or a comment; a decision POSTs its form to the same URL, which calls the SAME service as the API
(`proposal_decide` / `report_decide` / `comment_decide`),
so the audit trail, notifications and live events are the API's. static/aspirasi/moderation/panel.js
loads the fragment into every `[data-decision-panel]` and swaps the answer in (header `X-Decision-Panel`);
without JavaScript the form posts plainly and the answer redirects back to `next` with a message.

Who may: moderators and admins (policies.can_act_as_moderator), for items of their areas
(policies.moderation_scope: another area's item is a 404, as in the API).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from aspirasi import policies
from aspirasi.admin.feedback import decided_message, item_title
from aspirasi.errors import AlreadyClaimed, DomainError, IllegalTransition, ItemChanged
from aspirasi.geo import LATITUDE_RANGE, LONGITUDE_RANGE
from aspirasi.models import Category, Comment, CommentState, Kelurahan, Opd, Proposal, Report
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES
from aspirasi.selectors.moderation import UNDECIDED, merge_candidates
from aspirasi.selectors.proposals import proposals_similar
from aspirasi.services.moderation import (
    COMMENT,
    COMMENT_ACTIONS,
    PROPOSAL,
    PROPOSAL_ACTIONS,
    REPORT,
    REPORT_ACTIONS,
    RejectionReason,
    comment_decide,
    proposal_decide,
    report_decide,
)

MESSAGE_MAX_LENGTH = 2000  # as the API's decisions
PANEL_HEADER = "HTTP_X_DECISION_PANEL"  # sent by panel.js: answer the fragment, not a redirect


# --- the forms: one per decision, each field named as its service's argument -------------------------


class _DecisionForm(forms.Form):
    def __init__(self, *args, item=None, user=None, **kwargs):
        self.item, self.user = item, user
        super().__init__(*args, **kwargs)

    def arguments(self) -> dict:
        return dict(self.cleaned_data)


_TO_THE_RESIDENT = _("Message to the resident")


def _message_field(*, required=False, label=_TO_THE_RESIDENT):
    return forms.CharField(
        label=label, required=required, max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoArgumentsForm(_DecisionForm):
    pass


class MessageForm(_DecisionForm):
    message = _message_field()


class RejectForm(_DecisionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    message = _message_field(required=True)


class MergeForm(_DecisionForm):
    target_id = forms.TypedChoiceField(label=_("Merge into"), coerce=int, widget=forms.RadioSelect)
    message = _message_field()

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["target_id"].choices = [(c.similar.proposal.pk, c.similar.proposal.title) for c in self.candidates]


def _coordinate_field(label, bounds):
    # A number input (keyboard first); the item page's map sets it on a click too (panel.js).
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=bounds[0],
        max_value=bounds[1],
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
    )


class RelocateForm(_DecisionForm):
    kelurahan = forms.ModelChoiceField(label=_("Kelurahan"), queryset=Kelurahan.objects.none())
    latitude = _coordinate_field(_("Latitude"), LATITUDE_RANGE)
    longitude = _coordinate_field(_("Longitude"), LONGITUDE_RANGE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = (
            Kelurahan.objects.all()
            if policies.is_admin(self.user)
            else Kelurahan.objects.filter(pk__in=policies.moderated_kelurahan_ids(self.user))
        )
        unconfirmed = not getattr(self.item, "kelurahan_confirmed", True)
        if unconfirmed and not policies.is_admin(self.user):
            # Unconfirmed: confirm it where it is, or hand it to any kelurahan (policies.can_relocate_report).
            areas = Kelurahan.objects.all()
        # The item's own kelurahan stays a choice: choosing it confirms an unconfirmed report, or moves the point
        # within it.
        self.fields["kelurahan"].queryset = (areas | Kelurahan.objects.filter(pk=self.item.kelurahan_id)).order_by(
            "name"
        )
        self.fields["kelurahan"].initial = self.item.kelurahan_id
        self.fields["latitude"].help_text = _(
            "Leave both empty to keep the point. On the item's page a click on its map, or Enter on the map (its "
            "centre), fills them."
        )
        self.unconfirmed = unconfirmed

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not self.errors:
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."), code="point_incomplete")
        kelurahan = cleaned.get("kelurahan")
        stays = kelurahan is not None and kelurahan.pk == self.item.kelurahan_id and latitude is None
        if stays and not self.unconfirmed and not self.errors:
            raise forms.ValidationError(_("Choose another kelurahan or a new point."), code="nothing_changes")
        return cleaned

    def arguments(self) -> dict:
        arguments = {"kelurahan": self.cleaned_data["kelurahan"]}
        if self.cleaned_data.get("latitude") is not None:
            arguments |= {"latitude": self.cleaned_data["latitude"], "longitude": self.cleaned_data["longitude"]}
        return arguments


class RecategorizeForm(_DecisionForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).exclude(pk=self.item.category_id)


class AssignOpdForm(_DecisionForm):
    opd = forms.ModelChoiceField(label=_("OPD"), queryset=Opd.objects.filter(is_active=True).order_by("name"))


class DisposeForm(_DecisionForm):
    """Disposisi: the routing rules suggest the OPD; the moderator may choose another (docs/sla.md)."""

    opd = forms.ModelChoiceField(label=_("OPD"), queryset=Opd.objects.filter(is_active=True).order_by("name"))
    note = _message_field(label=_("Note to the OPD"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from aspirasi.selectors.opd import routing_suggest

        suggested = routing_suggest(
            category_id=self.item.category_id, kecamatan_id=getattr(self.item.kelurahan, "kecamatan_id", None)
        )
        if suggested is not None:
            self.fields["opd"].initial = suggested.pk


class ResolveForm(_DecisionForm):
    note = _message_field(label=_("Note to the resident"))
    image = forms.FileField(
        label=_("Proof photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def arguments(self) -> dict:
        arguments = {"note": self.cleaned_data["note"]}
        if self.cleaned_data.get("image"):
            arguments["image"] = self.cleaned_data["image"]
        return arguments


class LinkForm(_DecisionForm):
    proposal_id = forms.TypedChoiceField(label=_("Link to the proposal"), coerce=int, widget=forms.RadioSelect)
    message = _message_field()

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["proposal_id"].choices = [(c.proposal.pk, c.proposal.title) for c in self.candidates]


class PromoteForm(_DecisionForm):
    title = forms.CharField(label=_("Title of the proposal"), required=False, max_length=200)
    message = _message_field()


class CommentHideForm(_DecisionForm):
    """Hiding a comment needs its reason: the author is told it (notification comment_hidden)."""

    reason = forms.CharField(
        label=_("Reason, told to the author"),
        max_length=500,  # Comment.hidden_reason
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Say which rule the comment breaks, e.g. insults, spam, someone's personal data."),
    )


class CommentRestoreForm(MessageForm):
    """Restore carries the state the moderator saw: keeping a flagged comment on a stale screen must not undo
    another moderator's hide (the service answers item_changed)."""

    expected_state = forms.CharField(widget=forms.HiddenInput, max_length=8)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_state"].initial = self.item.state


# Each decision: its form, its key on the keyboard and its button (the feedback names it as the audit trail
# does: admin/feedback.py).
DECISIONS = {
    "review": (NoArgumentsForm, "c", _("Claim")),
    "release": (NoArgumentsForm, "u", _("Release")),
    "publish": (MessageForm, "p", _("Publish")),
    "verify": (MessageForm, "p", _("Verify")),
    "reject": (RejectForm, "r", _("Reject")),
    "merge": (MergeForm, "m", _("Merge as duplicate")),
    "relocate": (RelocateForm, "l", _("Relocate")),
    "recategorize": (RecategorizeForm, "g", _("Recategorize")),
    "assign_opd": (AssignOpdForm, "o", _("Assign an OPD")),
    "hide": (MessageForm, "h", _("Hide")),
    "resolve": (ResolveForm, "s", _("Resolve")),
    "promote": (PromoteForm, "t", _("Promote to a proposal")),
    "link": (LinkForm, "i", _("Link to a proposal")),
    "dispose": (DisposeForm, "d", _("Forward to an OPD")),
}
assert set(PROPOSAL_ACTIONS) | set(REPORT_ACTIONS) == set(DECISIONS)
# A comment's decisions: its own forms, the keys of their item counterparts (p keeps it, h hides it).
COMMENT_DECISIONS = {
    "hide": (CommentHideForm, "h", _("Hide")),
    "restore": (CommentRestoreForm, "p", _("Restore")),
}
assert set(COMMENT_ACTIONS) == set(COMMENT_DECISIONS)
# The keys shown on screen, once each (publish, verify and restore share one).
KEYS: list[tuple[str, str]] = []
for _action, (_form_class, _key, _label) in DECISIONS.items():
    if all(key != _key for key, _shown in KEYS):
        KEYS.append((_key, _("Publish / verify / restore") if _key == "p" else _label))


def _decision(item_type: str, action: str) -> tuple:
    """(form class, key, label) of `action` on an item of `item_type`."""
    return (COMMENT_DECISIONS if item_type == COMMENT else DECISIONS)[action]


def _actions(item_type: str) -> dict:
    return {PROPOSAL: PROPOSAL_ACTIONS, REPORT: REPORT_ACTIONS, COMMENT: COMMENT_ACTIONS}[item_type]


# --- what the panel offers: the buttons that make sense now (the service still decides) ---------------


def _awaits_flags(item, open_flags: int) -> bool:
    return item.flag_review_requested_at is not None or open_flags > 0


def _offered(item, *, item_type: str, user, open_flags: int) -> list[str]:
    """The decisions worth a button in the item's state; any other is refused by its service anyway."""
    if item_type == COMMENT:
        visible = item.state == CommentState.VISIBLE
        flagged = visible and _awaits_flags(item, open_flags)
        restorable = flagged or item.state == CommentState.HIDDEN
        return [name for name, ok in (("restore", restorable), ("hide", visible)) if ok]
    undecided = item.status in UNDECIDED[item_type]
    public = item.status in (PUBLIC_STATUSES if item_type == PROPOSAL else PUBLIC_REPORT_STATUSES)
    flagged = public and _awaits_flags(item, open_flags)
    mine = item.claimed_by_id == user.pk
    offered = []
    # Another moderator's claim: only an admin takes it over (services/moderation._check_claim).
    if (undecided or flagged) and not mine and (item.claimed_by_id is None or policies.is_admin(user)):
        offered.append("review")
    if item.claimed_by_id is not None and (mine or policies.is_admin(user)):
        offered.append("release")
    if item_type == PROPOSAL:
        correctable = item.status in ("submitted", "in_review", "published", "accepted", "in_progress")
        offered += [
            name
            for name, ok in (
                ("publish", undecided or flagged),
                ("reject", undecided or item.status == "published"),
                ("merge", undecided or item.status == "published"),
                ("relocate", correctable),
                ("recategorize", correctable),
                ("assign_opd", correctable),
                ("hide", flagged and item.status != "merged"),
                ("dispose", item.status in ("accepted", "in_progress")),
            )
            if ok
        ]
    else:
        offered += [
            name
            for name, ok in (
                ("verify", undecided or flagged),
                ("reject", item.status in ("new", "verified")),
                ("resolve", item.status in ("verified", "linked")),
                ("promote", item.status in ("new", "verified")),
                ("link", item.status in ("new", "verified")),
                ("relocate", item.status in ("new", "verified", "linked")),
                ("hide", flagged),
                ("dispose", item.status == "verified" and item.follow_up_state in ("", "not_ours")),
            )
            if ok
        ]
    return offered


def _item(request, item_type: str, pk: int):
    if not policies.can_act_as_moderator(request.user):
        raise PermissionDenied
    if item_type == COMMENT:
        comment = (
            Comment.objects.filter(policies.moderation_scope(request.user), pk=pk)
            .select_related("kelurahan__kecamatan", "proposal__category", "report__category", "author", "author_opd")
            .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
            .first()
        )
        if comment is None:
            raise Http404
        return comment
    model = Proposal if item_type == PROPOSAL else Report
    item = (
        model.objects.filter(policies.moderation_scope(request.user), pk=pk)
        .select_related("kelurahan__kecamatan", "category", "claimed_by", "author")
        .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
        .first()
    )
    if item is None:
        raise Http404
    return item


def _form(action: str, item, *, item_type: str, user, data=None, files=None, candidates=None):
    form_class = _decision(item_type, action)[0]
    kwargs = {"item": item, "user": user, "prefix": action}
    if action in ("merge", "link"):
        kwargs["candidates"] = candidates or []
    return form_class(data, files, **kwargs) if data is not None else form_class(**kwargs)


def _candidates(item, *, item_type: str, user, offered: list[str]) -> tuple[list, list]:
    """Merge candidates (a proposal) or proposals to link to (a report), only when that decision is offered."""
    if item_type == PROPOSAL and "merge" in offered:
        return merge_candidates(user=user, proposal=item), []
    if item_type == REPORT and "link" in offered:
        areas = None if policies.is_admin(user) else policies.moderated_kelurahan_ids(user)
        similar = proposals_similar(
            title=item.description[:200], description=item.description, latitude=item.latitude, longitude=item.longitude
        )
        return [], [s for s in similar if areas is None or s.proposal.kelurahan_id in areas]
    return [], []


def _title(item, item_type: str) -> str:
    text = {PROPOSAL: "title", REPORT: "description", COMMENT: "body"}[item_type]
    return item_title(item_type, getattr(item, text))


def _status(item, item_type: str) -> tuple[str, str]:
    """The code and the label of the item's status (a comment's state)."""
    if item_type == COMMENT:
        return item.state, item.get_state_display()
    return item.status, item.get_status_display()


def _failure_text(error: DomainError, item, item_type: str) -> str:
    """A lost race says who won or what the item became; other refusals say their own message."""
    if isinstance(error, AlreadyClaimed) and getattr(item, "claimed_by", None) is not None:
        return _("%(name)s is handling this item: your decision was not applied.") % {
            "name": item.claimed_by.display_name
        }
    if isinstance(error, ItemChanged | IllegalTransition):
        return _("Someone decided this item first: it is now “%(status)s”. Your decision was not applied.") % {
            "status": _status(item, item_type)[1]
        }
    return str(error.message)


def _context(request, item, *, item_type: str, bound=None, feedback=None) -> dict:
    user = request.user
    offered = _offered(item, item_type=item_type, user=user, open_flags=item.open_flags)
    merges, links = _candidates(item, item_type=item_type, user=user, offered=offered)
    decisions = []
    for action in offered:
        form = bound if bound is not None and bound.prefix == action else None
        if form is None:
            form = _form(action, item, item_type=item_type, user=user, candidates=merges or links)
        _form_class, key, label = _decision(item_type, action)
        decisions.append({"action": action, "key": key, "label": label, "form": form, "open": form is bound})
    photo = None
    if item_type == COMMENT:
        pass  # a comment is text only
    elif item_type == PROPOSAL:
        first = item.photos.order_by("created_at", "id").first()
        photo = first.thumbnail_large.url if first is not None and first.thumbnail_large else None
    elif item.thumbnail_large:
        photo = item.thumbnail_large.url
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    status, status_label = _status(item, item_type)
    return {
        "item": item,
        "item_type": item_type,
        "title": _title(item, item_type),
        "status": status,
        "status_label": status_label,
        "thread": _thread(item) if item_type == COMMENT else None,
        "photo": photo,
        "decisions": decisions,
        "merge_candidates": merges,
        "link_candidates": links,
        "feedback": feedback,
        "claimed_by_other": getattr(item, "claimed_by_id", None) not in (None, user.pk),
        "panel_url": reverse("admin:moderation_panel", args=[item_type, item.pk]),
        "next": next_url if _safe(request, next_url) else "",
        "change_url": reverse(f"admin:aspirasi_{item_type}_change", args=[item.pk]),
    }


def _thread(comment: Comment) -> dict:
    """The proposal or report a comment belongs to, with the link to its admin page."""
    item_type = PROPOSAL if comment.proposal_id else REPORT
    item = comment.item
    return {
        "type": item_type,
        "id": item.pk,
        "title": _title(item, item_type),
        "category": item.category,
        "url": reverse(f"admin:aspirasi_{item_type}_change", args=[item.pk]),
    }


def _safe(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})


def _render(request, context: dict, *, status: int = 200):
    if request.META.get(PANEL_HEADER):
        return TemplateResponse(request, "aspirasi/moderation/panel.html", {"panel": context}, status=status)
    # Without JavaScript (or opened on its own): the fragment inside an admin page.
    page = {**admin.site.each_context(request), "title": context["title"], "panel": context}
    return TemplateResponse(request, "aspirasi/moderation/panel_page.html", page, status=status)


def panel_context(request, item_type: str, pk: int) -> dict | None:
    """The panel of one item for a page that renders it inline (the workbench's `?item=`); None when the
    user may not see it."""
    try:
        return _context(request, _item(request, item_type, pk), item_type=item_type)
    except Http404:
        return None


def panel_view(request, item_type: str, pk: int):
    """GET: the panel of one item. POST (`action` + that decision's form): decide through the service and
    answer the panel again with the feedback (or, without JavaScript, redirect to `next`)."""
    if item_type not in (PROPOSAL, REPORT, COMMENT):
        raise Http404
    item = _item(request, item_type, pk)
    if request.method != "POST":
        return _render(request, _context(request, item, item_type=item_type))
    action = request.POST.get("action", "")
    if action not in _actions(item_type):
        return _render(
            request,
            _context(request, item, item_type=item_type, feedback={"ok": False, "text": _("Unknown decision.")}),
            status=400,
        )
    offered = _offered(item, item_type=item_type, user=request.user, open_flags=item.open_flags)
    merges, links = _candidates(item, item_type=item_type, user=request.user, offered=[action])
    form = _form(
        action,
        item,
        item_type=item_type,
        user=request.user,
        data=request.POST,
        files=request.FILES,
        candidates=merges or links,
    )
    if not form.is_valid():
        feedback = {"ok": False, "text": _("Check the fields of the decision.")}
        context = _context(request, item, item_type=item_type, bound=form, feedback=feedback)
        if action not in offered:
            _form_class, key, decision_label = _decision(item_type, action)
            context["decisions"].append(
                {"action": action, "key": key, "label": decision_label, "form": form, "open": True}
            )
        return _render(request, context, status=400)
    title = _title(item, item_type)
    try:
        if item_type == PROPOSAL:
            proposal_decide(proposal=item, actor=request.user, action=action, **form.arguments())
        elif item_type == COMMENT:
            comment_decide(comment=item, actor=request.user, action=action, **form.arguments())
        else:
            report_decide(report=item, actor=request.user, action=action, **form.arguments())
    except DomainError as error:
        item = _item(request, item_type, pk)  # its state now: what the winner made of it
        feedback = {"ok": False, "text": _failure_text(error, item, item_type), "code": error.code}
        return _render(request, _context(request, item, item_type=item_type, feedback=feedback), status=409)
    text = decided_message(item_type=item_type, action=action, items=[(item.pk, title)])
    if not request.META.get(PANEL_HEADER):
        messages.success(request, text)
        next_url = request.POST.get("next", "")
        return HttpResponseRedirect(next_url if _safe(request, next_url) else request.path)
    item = _item(request, item_type, pk)
    return _render(request, _context(request, item, item_type=item_type, feedback={"ok": True, "text": text}))
