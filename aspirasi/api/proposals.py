"""Proposals (usulan): the public list and detail, a resident's submit/edit/withdraw, own list, duplicates."""

import math
import re
from decimal import ROUND_DOWN, Decimal

import django_filters
import orjson
from django import forms
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import policies, public_list, sla
from aspirasi.api import list_cache
from aspirasi.api.fields import (
    MAX_ID,
    CoordinateField,
    IdField,
    IdRelatedField,
    SlugsField,
    StrictBooleanField,
    StrictCharField,
    StrictRegexField,
)
from aspirasi.api.filtering import FilterBackend
from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.opd import OpdOutput, SlaOutput
from aspirasi.api.pagination import CursorPage
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import EditingClosed, ItemChanged, NotEditable, PhoneNotVerified, SubmissionClosed
from aspirasi.geo import LATITUDE_RANGE, LONGITUDE_RANGE
from aspirasi.models import (
    Category,
    DispositionState,
    Kelurahan,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    ProposalStatusEvent,
)
from aspirasi.models import TargetGroup as TargetGroupModel
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.selectors import proposals as selectors
from aspirasi.services import proposals as services

MAX_RADIUS_KM = 50
# A proposal names a few of the target groups in the reference data (7 today); a longer list is refused
# before any lookup.
MAX_TARGET_GROUPS = 10


def _to_the_meter(distance_km: float | None) -> float | None:
    """`distance_km`, set by the `near` filter, rounded to the meter."""
    return None if distance_km is None else round(distance_km, 3)


class VolumeField(serializers.DecimalField):
    """The proposal's volume (model: 12 digits, 2 decimals), a JSON number both ways.

    A JSON number is a double: 0.1 + 0.2 arrives as 0.30000000000000004, and any number below the stated
    maximum must be taken. So the decimals past the second are cut (toward zero, which keeps every number
    below the maximum below it), not refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Below 10,000,000,000; decimals past the second are cut")
        super().__init__(max_digits=12, decimal_places=2, coerce_to_string=False, rounding=ROUND_DOWN, **kwargs)

    def validate_precision(self, value):
        return super().validate_precision(value.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


# --- Output ---------------------------------------------------------------------------------------------


class ProposalCategoryOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the request's language")

    class Meta:
        model = Category
        fields = ["id", "slug", "name"]


class ProposalAreaOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class ProposalPhotoInlineOutput(serializers.ModelSerializer):
    class Meta:
        model = ProposalPhoto
        fields = ["id", "image", "thumbnail_small", "thumbnail_large", "width", "height"]


class ProposalProgramOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    progress_percent = serializers.IntegerField()


class ProposalAuthorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    phone = serializers.CharField()


# "from" is a Python keyword, so the serializer is built with type(): its fields are `from` and `to`, in the
# schema as in the response.
ProposalTimelineOutput = type(
    "ProposalTimelineOutput",
    (serializers.ModelSerializer,),
    {
        "__module__": __name__,
        "__doc__": "One status change of a proposal, oldest first.",
        "from": serializers.CharField(source="from_status", read_only=True, help_text="Empty for the first entry"),
        "to": serializers.CharField(source="to_status", read_only=True),
        "Meta": type(
            "Meta",
            (),
            {"model": ProposalStatusEvent, "fields": ["actor_role", "from", "to", "message", "created_at"]},
        ),
    },
)


class ProposalOutput(serializers.ModelSerializer):
    """A proposal as the public (and its author) see it. Never a phone, an email or another resident's id."""

    category = ProposalCategoryOutput(read_only=True)
    kelurahan = serializers.SerializerMethodField()
    kecamatan = serializers.SerializerMethodField()
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    target_groups = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    volume = VolumeField(read_only=True, allow_null=True)
    author_name = serializers.SerializerMethodField(
        help_text='display name, or "Warga <kelurahan>" when anonymous or the author erased their account'
    )
    is_own = serializers.SerializerMethodField(help_text="True when the caller wrote it (may edit or withdraw)")
    has_voted = serializers.BooleanField(read_only=True, help_text="False for anonymous callers")
    photos = ProposalPhotoInlineOutput(many=True, read_only=True)
    distance_km = serializers.SerializerMethodField(help_text="Only with near=lat,lng; null otherwise")
    program = ProposalProgramOutput(
        read_only=True, allow_null=True, help_text="The city program this proposal became, with its progress"
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "description",
            "category",
            "kelurahan",
            "kecamatan",
            "rt",
            "rw",
            "latitude",
            "longitude",
            "target_groups",
            "estimated_beneficiaries",
            "estimated_poor_households",
            "volume",
            "unit",
            "estimated_cost",
            "anonymous",
            "author_name",
            "is_own",
            "status",
            "rejection_reason",
            "rejection_message",
            "merged_into",
            "vote_count",
            "comment_count",
            "has_voted",
            "photos",
            "program",
            "distance_km",
            "created_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ProposalAreaOutput)
    def get_kelurahan(self, proposal) -> dict:
        area = proposal.kelurahan
        return {"id": area.pk, "slug": area.slug, "name": area.name}

    @extend_schema_field(ProposalAreaOutput)
    def get_kecamatan(self, proposal) -> dict:
        area = proposal.kelurahan.kecamatan
        return {"id": area.pk, "slug": area.slug, "name": area.name}

    def get_author_name(self, proposal) -> str:
        return proposal.author_name

    def get_is_own(self, proposal) -> bool:
        user = self.context.get("user")
        return bool(user and user.is_authenticated and proposal.author_id == user.pk)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, proposal) -> float | None:
        return _to_the_meter(getattr(proposal, "distance_km", None))

    def to_representation(self, proposal):
        data = super().to_representation(proposal)
        if proposal.status != ProposalStatus.REJECTED:
            data["rejection_reason"] = data["rejection_message"] = ""
        return data


_AUTHOR_HELP = "Only for moderators, planners and admins: who wrote it, even when anonymous; null once erased"


# The schema of every proposal answer is the staff one, where `author` is an optional property: declaring
# the public one would make a staff answer break a client that closes its objects. (Not read_only: drf-
# spectacular makes every read-only field required; this serializer only ever writes answers.)
@extend_schema_serializer(component_name="ProposalOutput")
class ProposalStaffOutput(ProposalOutput):
    """For moderators, planners and admins: who wrote it, even when anonymous."""

    author = ProposalAuthorOutput(required=False, allow_null=True, help_text=_AUTHOR_HELP)

    class Meta(ProposalOutput.Meta):
        fields = [*ProposalOutput.Meta.fields, "author"]
        read_only_fields = fields


def follow_up_fields(proposal_id: int) -> dict:
    """The detail's OPD follow-up (docs/sla.md), read per request: see ProposalDetailView.get."""
    follow_up = selectors.proposal_follow_up(proposal_id)
    clock = sla.disposition_clock(follow_up.state, follow_up.due_at)
    return {
        "opd": follow_up.opd,
        "follow_up_state": follow_up.state,
        "sla": SlaOutput(clock.as_dict()).data if clock else None,
    }


class ProposalDetailOutput(ProposalOutput):
    timeline = ProposalTimelineOutput(many=True, read_only=True)
    opd = serializers.SerializerMethodField(help_text="The OPD it is assigned or forwarded to (docs/sla.md)")
    follow_up_state = serializers.SerializerMethodField(
        help_text="Its open disposition's state, else its latest one's; null before any (DispositionState)"
    )
    sla = serializers.SerializerMethodField(
        help_text="The open disposition's follow-up deadline and state; null when none is open"
    )

    class Meta(ProposalOutput.Meta):
        fields = [*ProposalOutput.Meta.fields, "timeline", "opd", "follow_up_state", "sla"]
        read_only_fields = fields

    def _follow_up(self, proposal) -> dict:
        # Set by the view when it read them already (the cached detail's key holds them).
        if getattr(proposal, "follow_up", None) is None:
            proposal.follow_up = follow_up_fields(proposal.pk)
        return proposal.follow_up

    @extend_schema_field(OpdOutput(allow_null=True))
    def get_opd(self, proposal) -> dict | None:
        return self._follow_up(proposal)["opd"]

    @extend_schema_field(serializers.ChoiceField(choices=DispositionState.choices, allow_null=True))
    def get_follow_up_state(self, proposal) -> str | None:
        return self._follow_up(proposal)["follow_up_state"]

    @extend_schema_field(SlaOutput(allow_null=True))
    def get_sla(self, proposal) -> dict | None:
        return self._follow_up(proposal)["sla"]


@extend_schema_serializer(component_name="ProposalDetailOutput")
class ProposalStaffDetailOutput(ProposalDetailOutput):
    author = ProposalAuthorOutput(required=False, allow_null=True, help_text=_AUTHOR_HELP)

    class Meta(ProposalDetailOutput.Meta):
        fields = [*ProposalDetailOutput.Meta.fields, "author"]
        read_only_fields = fields


def _live_fields(row: dict) -> dict:
    """The fields of a list item read with its page (selectors.proposals_live_fields), not with the item."""
    return {
        "vote_count": row["vote_count"],
        "comment_count": row["comment_count"],
        "distance_km": _to_the_meter(row.get("distance_km")),
    }


def _page_response(request, page: list_cache.Page, *, key: str | None) -> HttpResponse:
    """A page as the caller sees it: their `has_voted` and `is_own` on each item."""
    user = request.user
    voted = set()
    if user.is_authenticated:
        load = lambda: selectors.proposals_voted_by(user, ids=list(page.ids))  # noqa: E731
        voted = load() if key is None else list_cache.voted_ids(key, user=user, load=load)
    return list_cache.page_response(request, page, voted=voted)


def _list_output_class(user):
    return ProposalStaffOutput if policies.can_see_authors(user) else ProposalOutput


def _detail_output(proposal, request) -> dict:
    output = ProposalStaffDetailOutput if policies.can_see_authors(request.user) else ProposalDetailOutput
    return output(proposal, context={"request": request, "user": request.user}).data


# --- Input ----------------------------------------------------------------------------------------------


class ProposalCreateInput(serializers.Serializer):
    # An optional field left out takes proposal_create's default. No `default=` here: the schema would state
    # it, and openapi-typescript (defaultNonNullable) then makes the field required in the request type.
    title = StrictCharField(min_length=5, max_length=200)
    description = StrictCharField(min_length=10, max_length=5000)
    category = IdRelatedField(queryset=Category.objects.filter(is_active=True))
    kelurahan = IdRelatedField(queryset=Kelurahan.objects.all())
    # [0-9], not \d: Python's \d takes every script's digits, the schema's (ECMA) only ASCII ones.
    rt = StrictRegexField(r"^[0-9]{1,3}$", max_length=3, required=False, allow_blank=True)
    rw = StrictRegexField(r"^[0-9]{1,3}$", max_length=3, required=False, allow_blank=True)
    latitude = CoordinateField(
        bounds=LATITUDE_RANGE, required=False, allow_null=True, help_text="WGS84, with longitude"
    )
    longitude = CoordinateField(
        bounds=LONGITUDE_RANGE, required=False, allow_null=True, help_text="WGS84, with latitude"
    )
    target_groups = SlugsField(
        queryset=TargetGroupModel.objects.all(),
        max_length=MAX_TARGET_GROUPS,
        required=False,
        help_text="Target group slugs (GET /reference/target-groups/); a repeat counts once",
    )
    estimated_beneficiaries = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, allow_null=True
    )
    estimated_poor_households = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, allow_null=True
    )
    volume = VolumeField(min_value=0, required=False, allow_null=True)
    unit = StrictCharField(max_length=30, required=False, allow_blank=True)
    estimated_cost = serializers.IntegerField(
        min_value=0, max_value=10**15, required=False, allow_null=True, help_text="Rupiah"
    )
    anonymous = StrictBooleanField(required=False, help_text="Default false")

    def validate(self, attrs):
        # Each coordinate was checked against the city's bounds by its field; here only that both came.
        one_sent = ("latitude" in attrs) != ("longitude" in attrs)
        one_given = (attrs.get("latitude") is None) != (attrs.get("longitude") is None)
        if one_given or (self.partial and one_sent):
            raise serializers.ValidationError(
                {"latitude": [_("Send latitude and longitude together.")]}, code="point_incomplete"
            )
        return attrs


class ProposalUpdateInput(ProposalCreateInput):
    """The same fields as a submit; send only those that change."""


# --- Filters and pagination -------------------------------------------------------------------------------


ORDERINGS = {
    # Ids are handed out in creation order, so "newest" walks the primary key index backwards and stops
    # after a page instead of sorting every public row by created_at.
    "newest": ("-id",),
    "most_voted": ("-vote_count", "-id"),
    "trending": ("-trending_votes", "-id"),
}


class ProposalCursorPagination(CursorPage):
    ordering = ORDERINGS["newest"]

    def get_ordering(self, request, queryset, view):
        return ORDERINGS.get(request.query_params.get("ordering") or "newest", self.ordering)


# `near`: two decimal degrees, latitude -90..90 and longitude -180..180 (what float() reads besides, such as
# "1e2" or "inf", is refused: the schema states this pattern, and the server reads exactly it).
NEAR_PATTERN = r"^-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?),-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)$"


def _point(value: str) -> tuple[float, float]:
    if not re.fullmatch(NEAR_PATTERN, value):
        raise serializers.ValidationError({"near": [_("Use near=<latitude>,<longitude>.")]})
    latitude, longitude = (float(part) for part in value.split(","))
    return latitude, longitude


# Query strings that name a row by id or slug, a search or a point: each has a length the schema states.
SLUG_OR_ID_LENGTH = 60  # the longest slug of areas, categories and target groups, or a 19-digit id
SEARCH_LENGTH = 200
POINT_LENGTH = 60


def _text_query(max_length: int, description: str, *, pattern: str | None = None):
    """The schema of a text query parameter: django-filter's own states no length."""
    schema = {"type": "string", "maxLength": max_length, "description": description}
    return extend_schema_field({**schema, "pattern": pattern} if pattern else schema)


class _IdFilter(django_filters.NumberFilter):
    """An id in the query string: a whole number (NumberFilter reads 2.5 as a decimal, and the lookup would
    find id 2)."""

    field_class = forms.IntegerField


class ProposalFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(method="filter_category", max_length=SLUG_OR_ID_LENGTH)
    kelurahan = _IdFilter(method="filter_kelurahan", min_value=1, max_value=MAX_ID)
    kecamatan = django_filters.CharFilter(method="filter_kecamatan", max_length=SLUG_OR_ID_LENGTH)
    status = django_filters.ChoiceFilter(choices=[(s.value, s.label) for s in PUBLIC_STATUSES])
    target_group = django_filters.CharFilter(method="filter_target_group", max_length=SLUG_OR_ID_LENGTH)
    q = django_filters.CharFilter(method="filter_q", max_length=SEARCH_LENGTH)
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering",
        choices=[("newest", "newest"), ("most_voted", "most_voted"), ("trending", "trending")],
        help_text="newest (default), most_voted, or trending (votes in the last 7 days)",
    )
    near = django_filters.CharFilter(method="filter_near", max_length=POINT_LENGTH)
    radius_km = django_filters.NumberFilter(method="filter_radius")

    class Meta:
        model = Proposal
        fields = []

    @_text_query(SLUG_OR_ID_LENGTH, "Category id or slug")
    def filter_category(self, queryset, name, value):
        if value.isdigit() and int(value) > MAX_ID:
            return queryset.none()
        if value.isdigit():
            return queryset.filter(category_id=int(value))
        return queryset.filter(category__slug=value)

    @extend_schema_field(IdField(help_text="Kelurahan id"))
    def filter_kelurahan(self, queryset, name, value):
        return queryset.filter(kelurahan_id=value)

    @_text_query(SLUG_OR_ID_LENGTH, "Kecamatan id or slug")
    def filter_kecamatan(self, queryset, name, value):
        if value.isdigit() and int(value) > MAX_ID:
            return queryset.none()
        if value.isdigit():
            return queryset.filter(kelurahan__kecamatan_id=int(value))
        return queryset.filter(kelurahan__kecamatan__slug=value)

    @_text_query(SLUG_OR_ID_LENGTH, "Target group slug")
    def filter_target_group(self, queryset, name, value):
        # Slugs are unique and a group is on a proposal at most once: the join cannot duplicate rows.
        return queryset.filter(target_groups__slug=value)

    @_text_query(SEARCH_LENGTH, "Words in title or description")
    def filter_q(self, queryset, name, value):
        return selectors.proposals_search(queryset, text=value)

    def filter_ordering(self, queryset, name, value):
        if value == "trending":
            return selectors.proposals_with_trending(queryset)
        return queryset

    @_text_query(POINT_LENGTH, "<latitude>,<longitude>; adds distance_km", pattern=NEAR_PATTERN)
    def filter_near(self, queryset, name, value):
        latitude, longitude = _point(value)
        radius = self.form.cleaned_data.get("radius_km")
        radius = 2.0 if radius is None else float(radius)  # checked by filter_radius
        return selectors.proposals_near(queryset, latitude=latitude, longitude=longitude, radius_km=radius)

    @extend_schema_field(
        {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": MAX_RADIUS_KM,
            "description": f"With near: radius in km (default 2, at most {MAX_RADIUS_KM})",
        }
    )
    def filter_radius(self, queryset, name, value):
        # Checked even without near: the schema states the bounds whatever else the query holds.
        if not 0 < float(value) <= MAX_RADIUS_KM:
            raise serializers.ValidationError({"radius_km": [_("Use a radius between 0 and 50 km.")]})
        return queryset


class MyProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices)

    class Meta:
        model = Proposal
        fields = []


# --- Views ----------------------------------------------------------------------------------------------


class _ProposalListMixin:
    pagination_class = ProposalCursorPagination
    filter_backends = [FilterBackend]

    def list_response(self):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        output = _list_output_class(self.request.user)
        data = output(page, many=True, context={"request": self.request, "user": self.request.user}).data
        return self.get_paginated_response(data)


class ProposalsView(_ProposalListMixin, GenericAPIView):
    """GET: public proposals, filtered and paginated. POST: submit a proposal (residents and staff)."""

    filterset_class = ProposalFilter
    serializer_class = ProposalOutput
    throttle_scope = "create"

    def get_permissions(self):
        return [AllowAny()] if self.request is None or self.request.method == "GET" else [IsAuthenticated()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        return selectors.proposals_live_fields(selectors.proposals_public())

    @extend_schema(tags=["proposals"], responses={200: ProposalStaffOutput(many=True)})
    def get(self, request):
        variant = "staff" if policies.can_see_authors(request.user) else "public"
        if request.query_params.get("ordering") == "trending":
            # Votes leave its 7-day window as the clock turns, with no write to move a version: read live.
            return _page_response(request, self._page(variant), key=None)
        key = list_cache.page_key(request, versions=public_list.current_versions(), variant=variant)
        page = list_cache.cached_page(key, build=lambda: self._page(variant))
        return _page_response(request, page, key=key)

    def _page(self, variant: str) -> list_cache.Page:
        """This request's page for nobody in particular."""
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        ids, version = [row["id"] for row in rows], rows[0]["list_version"] if rows else 0
        items = list_cache.rendered_items(self.request, ids=ids, version=version, variant=variant, render=self._render)
        # A row without an item was deleted between the page's query and the rendering: leave it out.
        rows = [row for row in rows if row["id"] in items]
        body = self.get_paginated_response([{**items[row["id"]], **_live_fields(row)} for row in rows]).data
        return list_cache.Page.render(body, author_ids=[row["author_id"] for row in rows])

    def _render(self, ids: list[int]) -> list[dict]:
        """Items as anyone of this variant sees them: _live_fields and the caller's own fields are set apart."""
        proposals = selectors.proposals_for_output(Proposal.objects.filter(pk__in=ids), user=None)
        output = _list_output_class(self.request.user)
        return [dict(item) for item in output(proposals, many=True, context={"request": self.request}).data]

    @extend_schema(
        tags=["proposals"],
        request=ProposalCreateInput,
        responses={201: ProposalStaffDetailOutput, **domain_errors(PhoneNotVerified, SubmissionClosed)},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request):
        data = ProposalCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_create(author=request.user, **data.validated_data)
        proposal = selectors.proposal_detail(pk=proposal.pk, user=request.user)
        return Response(_detail_output(proposal, request), status=status.HTTP_201_CREATED)


class MyProposalsPagination(CursorPage):
    """Newest first, whatever `ordering` says: the public list's orderings are not offered here."""

    ordering = ORDERINGS["newest"]


class MyProposalsView(_ProposalListMixin, GenericAPIView):
    """The caller's own proposals in every state, newest first."""

    permission_classes = [IsAuthenticated]
    pagination_class = MyProposalsPagination
    filterset_class = MyProposalFilter
    serializer_class = ProposalOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Proposal.objects.none()
        return selectors.proposals_for_output(selectors.proposals_of_author(self.request.user), user=self.request.user)

    @extend_schema(tags=["me"], responses={200: ProposalStaffOutput(many=True)})
    def get(self, request):
        return self.list_response()


class ProposalDetailView(APIView):
    """One proposal; its author may edit or withdraw it while submitted or in review."""

    def get_permissions(self):
        return [AllowAny()] if self.request is None or self.request.method == "GET" else [IsAuthenticated()]

    def _get(self, request, pk: int):
        proposal = selectors.proposal_detail(pk=pk, user=request.user)
        if proposal is None:
            raise Http404
        return proposal

    def _get_own(self, request, pk: int):
        proposal = self._get(request, pk)
        if proposal.author_id != request.user.pk:
            raise PermissionDenied(_("Only the author can change a proposal."))
        return proposal

    @extend_schema(tags=["proposals"], responses={200: ProposalStaffDetailOutput})
    def get(self, request, pk: int):
        if not policies.can_see_authors(request.user):
            # The OPD follow-up moves with dispositions (no content version) and its SLA state with the clock:
            # read per request (one query) and made part of the key, a cached detail always shows it current.
            follow_up = follow_up_fields(pk)
            variant = f"public:{orjson.dumps(follow_up).decode()}"
            key = list_cache.page_key(request, versions=public_list.current_versions(), variant=variant)
            page = list_cache.detail_page(key, build=lambda: self._public_page(pk, follow_up))
            if page is not None:
                return _page_response(request, page, key=key)
        # Staff, and a proposal that is not public (its author's, or none): read for this caller.
        return Response(_detail_output(self._get(request, pk), request))

    def _public_page(self, pk: int, follow_up: dict) -> list_cache.Page | None:
        """The detail of public proposal `pk` for nobody in particular, or None when it is not public."""
        proposal = selectors.proposal_detail(pk=pk, user=None)
        if proposal is None:
            return None
        proposal.follow_up = follow_up
        item = ProposalDetailOutput(proposal, context={"request": self.request}).data
        return list_cache.Page.render_one(item, author_id=proposal.author_id)

    @extend_schema(
        tags=["proposals"],
        request=ProposalUpdateInput,
        responses={200: ProposalStaffDetailOutput, **domain_errors(NotEditable, EditingClosed)},
    )
    def patch(self, request, pk: int):
        proposal = self._get_own(request, pk)
        data = ProposalUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.proposal_update(proposal=proposal, actor=request.user, **data.validated_data)
        return Response(_detail_output(self._get(request, pk), request))

    @extend_schema(tags=["proposals"], responses={204: None, **domain_errors(NotEditable, ItemChanged)})
    def delete(self, request, pk: int):
        proposal = self._get_own(request, pk)
        services.proposal_withdraw(proposal=proposal, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Likely duplicates ----------------------------------------------------------------------------------


class ProposalSimilarQuery(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    category = IdField(required=False)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError(
                {"latitude": [_("Send latitude and longitude together.")]}, code="point_incomplete"
            )
        for name in ("latitude", "longitude"):
            if name in attrs and not math.isfinite(attrs[name]):
                raise serializers.ValidationError({name: [_("Enter a valid number.")]})
        return attrs


class ProposalSimilarOutput(serializers.Serializer):
    id = serializers.IntegerField(source="proposal.pk")
    title = serializers.CharField(source="proposal.title")
    status = serializers.CharField(source="proposal.status")
    vote_count = serializers.IntegerField(source="proposal.vote_count")
    category = ProposalCategoryOutput(source="proposal.category")
    kelurahan = ProposalAreaOutput(source="proposal.kelurahan")
    similarity = serializers.FloatField(help_text="0..1 text similarity")
    distance_km = serializers.FloatField(allow_null=True, help_text="Only when a point is given")


class ProposalSimilarView(APIView):
    """Public proposals that look like the one being written, so the app can offer to support one instead."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["proposals"], parameters=[ProposalSimilarQuery], responses={200: ProposalSimilarOutput(many=True)}
    )
    def get(self, request):
        query = ProposalSimilarQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        similar = selectors.proposals_similar(
            title=params["title"],
            description=params["description"],
            category_id=params.get("category"),
            latitude=params.get("latitude"),
            longitude=params.get("longitude"),
        )
        return Response(ProposalSimilarOutput(similar, many=True, context={"request": request}).data)
