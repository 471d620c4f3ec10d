"""Moderation: the queue of items needing a decision, decisions on one item, bulk decisions.

A decision body is discriminated by `action`: the action is validated first, then its own serializer
validates the arguments. Moderators see and decide only items of their areas (others are 404); planners
read the queue but never decide.
"""

from collections.abc import Mapping

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import policies
from aspirasi.api.fields import (
    BoundedListField,
    CoordinateField,
    IdField,
    IdRelatedField,
    SlugRowField,
    StrictCharField,
)
from aspirasi.api.opd import SlaOutput
from aspirasi.api.permissions import CanModerate, CanReadModeration
from aspirasi.api.schema import domain_errors
from aspirasi.errors import (
    AlreadyClaimed,
    IllegalTransition,
    InvalidLinkTarget,
    InvalidMergeTarget,
    ItemChanged,
    OutsideModeratedArea,
)
from aspirasi.geo import LATITUDE_RANGE, LONGITUDE_RANGE
from aspirasi.models import Category, Kecamatan, Kelurahan, Opd, Proposal, Report
from aspirasi.selectors.moderation import (
    KINDS,
    THREAD_KINDS,
    InvalidCursor,
    QueueCursor,
    moderation_item,
    moderation_queue,
)
from aspirasi.services.moderation import (
    BULK_ACTIONS,
    PROPOSAL_ACTIONS,
    REPORT_ACTIONS,
    RejectionReason,
    decisions_bulk,
    proposal_decide,
    report_decide,
)

QUEUE_PAGE_MAX = 200
BULK_ITEMS_MAX = 200
MESSAGE_MAX_LENGTH = 2000


class RejectionReasonField(serializers.ChoiceField):
    """The reasons a moderator rejects with (RejectionReasonEnum in the schema, see ENUM_NAME_OVERRIDES)."""

    def __init__(self, **kwargs):
        super().__init__(choices=RejectionReason.choices, **kwargs)


# --- queue ---------------------------------------------------------------------------------------------


class ModerationQueueQuery(serializers.Serializer):
    type = serializers.ChoiceField(choices=KINDS, required=False, help_text="Only this kind")
    kelurahan = IdRelatedField(queryset=Kelurahan.objects.all(), required=False)
    kecamatan = IdRelatedField(queryset=Kecamatan.objects.all(), required=False)
    category = IdRelatedField(queryset=Category.objects.all(), required=False)
    flagged = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="With open flags")
    cursor = serializers.CharField(max_length=200, required=False, help_text="`next_cursor` of the previous page")
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=QUEUE_PAGE_MAX)

    def validate_cursor(self, value):
        try:
            return QueueCursor.decode(value)
        except InvalidCursor:
            raise serializers.ValidationError(_("Invalid cursor."), code="invalid_cursor") from None


class ModerationPersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ModerationKelurahanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kecamatan_id = serializers.IntegerField()


class ModerationKecamatanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ModerationCategoryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class ModerationThreadOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=THREAD_KINDS, help_text="The kind of item commented on")
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="A report's first 80 characters of description")


class ModerationItemOutput(serializers.Serializer):
    type = serializers.CharField(help_text="proposal, report or comment (the same as `kind`)")
    kind = serializers.ChoiceField(
        choices=KINDS,
        help_text="What the row is. A comment is decided at `POST /moderation/comments/{id}/decision/` (hide, "
        "restore); for a comment, `title` and `description` are its text, `status` its state (visible), "
        "`category` its item's, and it has no claim, votes, photo or deadline",
    )
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="A report's first 80 characters of description")
    description = serializers.CharField()
    status = serializers.CharField(help_text="The proposal's or report's status")
    is_hidden = serializers.BooleanField(help_text="Hidden from public view by a moderator's `hide`")
    flag_review_requested_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When enough residents flagged it (FLAG_REVIEW_THRESHOLD); null once a moderator decided",
    )
    kelurahan = ModerationKelurahanOutput()
    kecamatan = ModerationKecamatanOutput()
    category = ModerationCategoryOutput()
    created_at = serializers.DateTimeField()
    age_seconds = serializers.IntegerField()
    claimed_by = ModerationPersonOutput(allow_null=True)
    flag_count = serializers.IntegerField(help_text="Open (unresolved) flags")
    vote_count = serializers.IntegerField(allow_null=True, help_text="Proposals only")
    thumbnail = serializers.CharField(
        allow_null=True, help_text="Small thumbnail URL: the report's photo or the proposal's first photo"
    )
    kelurahan_unconfirmed = serializers.BooleanField(
        help_text="A report placed by a guess (a point, no kelurahan chosen): confirm or `relocate` it"
    )
    sla = SlaOutput(
        allow_null=True,
        help_text=(
            "The working-day deadline and state (docs/sla.md): a report's current stage, a submitted or in-review "
            "proposal's verification; null when no deadline runs"
        ),
    )
    thread = ModerationThreadOutput(allow_null=True, help_text="A comment's proposal or report; null for the others")


class ModerationQueueOutput(serializers.Serializer):
    results = ModerationItemOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as `cursor` for the next page")


class ModerationQueueView(APIView):
    permission_classes = [CanReadModeration]

    @extend_schema(
        tags=["moderation"],
        parameters=[ModerationQueueQuery],
        responses={200: ModerationQueueOutput},
        description="Items needing a decision in your areas, oldest first: submitted or in-review proposals, "
        "new reports, flagged public items and flagged visible comments (`kind`; those marked for review have "
        "`flag_review_requested_at`). Keyset pagination: follow `next_cursor` until null.",
    )
    def get(self, request):
        query = ModerationQueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        items, next_cursor = moderation_queue(
            user=request.user,
            item_type=data.get("type"),
            kelurahan_id=data["kelurahan"].pk if data.get("kelurahan") else None,
            kecamatan_id=data["kecamatan"].pk if data.get("kecamatan") else None,
            category_id=data["category"].pk if data.get("category") else None,
            flagged=data.get("flagged"),
            cursor=data.get("cursor"),
            limit=data["limit"],
        )
        body = {"results": items, "next_cursor": next_cursor.encode() if next_cursor else None}
        return Response(ModerationQueueOutput(body).data)


# --- decisions -----------------------------------------------------------------------------------------


class _Decision(serializers.Serializer):
    # An optional argument left out takes its service's default; no `default=` (see ProposalCreateInput).
    action = StrictCharField(max_length=20, help_text="The decision; selects the other fields")


class ClaimDecisionInput(_Decision):
    """`review`: claim the item (a proposal moves submitted -> in_review)."""


class ReleaseDecisionInput(_Decision):
    """`release`: give up your claim (a proposal moves in_review -> submitted); `illegal_transition` when
    nobody holds it, `already_claimed` when another moderator does."""


class PublishDecisionInput(_Decision):
    """`publish` (proposals) / `verify` (reports): make public, or restore a hidden/flagged item (kept public;
    its open flags are resolved as `restored`)."""

    message = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


class HideDecisionInput(_Decision):
    """`hide`: uphold the flags of a public item: hidden from public view, its open flags resolved as `hidden`."""

    message = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


class RejectDecisionInput(_Decision):
    reason = RejectionReasonField()
    message = StrictCharField(max_length=MESSAGE_MAX_LENGTH, help_text="Shown to the author")


class MergeDecisionInput(_Decision):
    target = IdField(source="target_id", help_text="Id of a public proposal to merge into")
    message = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


class RecategorizeDecisionInput(_Decision):
    category = IdRelatedField(queryset=Category.objects.filter(is_active=True))


class RelocateDecisionInput(_Decision):
    """`relocate`: move to a kelurahan and, with latitude and longitude, to that point (without them the point
    stays)."""

    kelurahan = IdRelatedField(queryset=Kelurahan.objects.all())
    latitude = CoordinateField(bounds=LATITUDE_RANGE, required=False, help_text="WGS84, with longitude")
    longitude = CoordinateField(bounds=LONGITUDE_RANGE, required=False, help_text="WGS84, with latitude")

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            missing = "longitude" if "longitude" not in attrs else "latitude"
            raise serializers.ValidationError(
                {missing: [_("Give both latitude and longitude, or neither.")]}, code="point_incomplete"
            )
        return attrs


class ReportRelocateDecisionInput(_Decision):
    """`relocate` (reports): place it in `kelurahan` (its own kelurahan confirms it) and, optionally, at a
    corrected point (both coordinates or neither)."""

    kelurahan = IdRelatedField(queryset=Kelurahan.objects.all())
    latitude = CoordinateField(bounds=LATITUDE_RANGE, required=False, help_text="WGS84, with longitude")
    longitude = CoordinateField(bounds=LONGITUDE_RANGE, required=False, help_text="WGS84, with latitude")

    def validate(self, attrs):
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            missing = "longitude" if attrs.get("longitude") is None else "latitude"
            raise serializers.ValidationError(
                {missing: [_("Give both latitude and longitude, or neither.")]}, code="point_incomplete"
            )
        return attrs


class AssignOpdDecisionInput(_Decision):
    opd = SlugRowField(queryset=Opd.objects.filter(is_active=True), help_text="The OPD's slug")


class DisposeDecisionInput(_Decision):
    """`dispose` (disposisi): forward a verified report or an accepted proposal to an OPD, which then has
    SLA_FOLLOW_UP_DAYS working days to follow it up (docs/sla.md); `not_disposable` when it cannot be."""

    opd = SlugRowField(queryset=Opd.objects.filter(is_active=True), help_text="The OPD's slug")
    note = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH, help_text="For the OPD")


class ResolveDecisionInput(_Decision):
    """`resolve` without a photo; with one, `POST .../resolution/` (ReportResolutionView)."""

    note = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


class LinkDecisionInput(_Decision):
    proposal = IdField(source="proposal_id", help_text="Id of a public proposal")
    message = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


class PromoteDecisionInput(_Decision):
    title = StrictCharField(required=False, allow_blank=True, max_length=200)
    message = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


PROPOSAL_DECISION_INPUTS = {
    "review": ClaimDecisionInput,
    "release": ReleaseDecisionInput,
    "publish": PublishDecisionInput,
    "reject": RejectDecisionInput,
    "merge": MergeDecisionInput,
    "recategorize": RecategorizeDecisionInput,
    "relocate": RelocateDecisionInput,
    "assign_opd": AssignOpdDecisionInput,
    "hide": HideDecisionInput,
    "dispose": DisposeDecisionInput,
}
REPORT_DECISION_INPUTS = {
    "review": ClaimDecisionInput,
    "release": ReleaseDecisionInput,
    "verify": PublishDecisionInput,
    "reject": RejectDecisionInput,
    "resolve": ResolveDecisionInput,
    "link": LinkDecisionInput,
    "promote": PromoteDecisionInput,
    "relocate": ReportRelocateDecisionInput,
    "hide": HideDecisionInput,
    "dispose": DisposeDecisionInput,
}
assert set(PROPOSAL_DECISION_INPUTS) == set(PROPOSAL_ACTIONS)
assert set(REPORT_DECISION_INPUTS) == set(REPORT_ACTIONS)


def decision_arguments(data, inputs: dict) -> tuple[str, dict]:
    """Validate `action` first, then the arguments of that action. Returns (action, service arguments)."""
    if not isinstance(data, Mapping):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]}, code="invalid")
    chooser = serializers.ChoiceField(choices=sorted(inputs))
    try:
        action = chooser.run_validation(data.get("action", serializers.empty))
    except serializers.ValidationError as error:
        raise serializers.ValidationError({"action": error.detail}) from None
    arguments = inputs[action](data=data)
    arguments.is_valid(raise_exception=True)
    validated = dict(arguments.validated_data)
    validated.pop("action")
    return action, validated


def _decided(request, item_type: str, item_id: int) -> Response:
    return Response(ModerationItemOutput(moderation_item(user=request.user, item_type=item_type, item_id=item_id)).data)


class ProposalDecisionView(APIView):
    permission_classes = [CanModerate]

    @extend_schema(
        tags=["moderation"],
        request=PolymorphicProxySerializer(
            component_name="ProposalDecisionInput",
            serializers=PROPOSAL_DECISION_INPUTS,
            resource_type_field_name="action",
        ),
        responses={
            200: ModerationItemOutput,
            **domain_errors(OutsideModeratedArea, AlreadyClaimed, IllegalTransition, ItemChanged, InvalidMergeTarget),
        },
        description="Decide a proposal of your areas. `already_claimed` when another moderator holds it, "
        "`illegal_transition` when its status forbids the action, `item_changed` when someone decided first. "
        "On a flagged public proposal, `publish` restores it (kept public) and `hide` hides it; either resolves "
        "all its open flags for good (`illegal_transition` for `hide` when it has none).",
    )
    def post(self, request, proposal_id: int):
        proposal = Proposal.objects.filter(policies.moderation_scope(request.user), pk=proposal_id).first()
        if proposal is None:
            raise Http404
        action, arguments = decision_arguments(request.data, PROPOSAL_DECISION_INPUTS)
        proposal_decide(proposal=proposal, actor=request.user, action=action, **arguments)
        return _decided(request, "proposal", proposal_id)


class ReportDecisionView(APIView):
    permission_classes = [CanModerate]

    @extend_schema(
        tags=["moderation"],
        request=PolymorphicProxySerializer(
            component_name="ReportDecisionInput",
            serializers=REPORT_DECISION_INPUTS,
            resource_type_field_name="action",
        ),
        responses={
            200: ModerationItemOutput,
            **domain_errors(OutsideModeratedArea, AlreadyClaimed, IllegalTransition, ItemChanged, InvalidLinkTarget),
        },
        description="Decide a photo report of your areas. To resolve it with a proof-of-fix photo, send the "
        "photo to `POST .../resolution/` (multipart) instead. On a flagged public report, `verify` restores it "
        "and `hide` hides it; either resolves all its open flags for good.",
    )
    def post(self, request, report_id: int):
        report = _moderated_report(request, report_id)
        action, arguments = decision_arguments(request.data, REPORT_DECISION_INPUTS)
        report_decide(report=report, actor=request.user, action=action, **arguments)
        return _decided(request, "report", report_id)


class ReportResolutionInput(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)
    image = serializers.FileField(help_text="Proof-of-fix photo: JPEG, PNG, WebP or HEIC")


class ReportResolutionView(APIView):
    """`resolve` with its proof-of-fix photo: the one decision that carries a file, so a multipart operation
    of its own (every other decision, and `resolve` without a photo, is JSON at `.../decision/`)."""

    permission_classes = [CanModerate]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["moderation"],
        request={"multipart/form-data": ReportResolutionInput},
        responses={200: ModerationItemOutput, **domain_errors(OutsideModeratedArea, IllegalTransition, ItemChanged)},
    )
    def post(self, request, report_id: int):
        report = _moderated_report(request, report_id)
        data = ReportResolutionInput(data=request.data)
        data.is_valid(raise_exception=True)
        report_decide(report=report, actor=request.user, action="resolve", **data.validated_data)
        return _decided(request, "report", report_id)


def _moderated_report(request, report_id: int) -> Report:
    report = Report.objects.filter(policies.moderation_scope(request.user), pk=report_id).first()
    if report is None:
        raise Http404
    return report


# --- bulk ----------------------------------------------------------------------------------------------


class BulkItemInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=KINDS)
    id = IdField()


class BulkDecisionInput(serializers.Serializer):
    # A ListField, not many=True: the schema then states minItems/maxItems.
    items = BoundedListField(child=BulkItemInput(), min_length=1, max_length=BULK_ITEMS_MAX)
    action = serializers.ChoiceField(
        choices=[action for action in BULK_ACTIONS if action != "reject"],
        help_text="`publish` and `verify` both mean publish a proposal / verify a report (or restore a flagged "
        "one, a comment too); `hide` hides flagged items (a comment with `message` as the reason its author is "
        "told: `hide_reason_required` without one); `review` does not apply to a comment (`unsupported_action`)",
    )
    message = StrictCharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


class BulkRejectInput(serializers.Serializer):
    """`reject` needs its reason and message: a variant of its own, so the schema states it."""

    items = BoundedListField(child=BulkItemInput(), min_length=1, max_length=BULK_ITEMS_MAX)
    action = serializers.ChoiceField(choices=["reject"])
    reason = RejectionReasonField()
    message = StrictCharField(max_length=MESSAGE_MAX_LENGTH, help_text="Shown to the authors")


BULK_DECISION_INPUTS = {action: BulkRejectInput if action == "reject" else BulkDecisionInput for action in BULK_ACTIONS}


class BulkItemResultOutput(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    code = serializers.CharField(allow_null=True, help_text="The error code when not ok")
    status = serializers.CharField(
        allow_null=True, help_text="The item's status after the decision (a comment's state)"
    )


class BulkDecisionOutput(serializers.Serializer):
    results = BulkItemResultOutput(many=True)


class BulkDecisionView(APIView):
    permission_classes = [CanModerate]

    @extend_schema(
        tags=["moderation"],
        request=PolymorphicProxySerializer(
            component_name="BulkDecision",
            serializers=BULK_DECISION_INPUTS,
            resource_type_field_name="action",
        ),
        responses={200: BulkDecisionOutput},
        description="Apply one action to many items; each is decided and audited on its own, so one failure "
        "(listed with its code) leaves the others done.",
    )
    def post(self, request):
        action, values = decision_arguments(request.data, BULK_DECISION_INPUTS)
        arguments = {}
        if action == "reject":
            arguments = {"reason": values["reason"], "message": values["message"]}
        elif action in ("publish", "verify", "hide"):
            arguments = {"message": values.get("message", "")}
        results = decisions_bulk(
            actor=request.user,
            items=[(item["type"], item["id"]) for item in values["items"]],
            action=action,
            **arguments,
        )
        return Response(BulkDecisionOutput({"results": results}).data)
