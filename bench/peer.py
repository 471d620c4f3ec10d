"""The peer: the public list written the way a competent team would with stock DRF, mounted with the floor.

`GET /bench/peer/proposals/`: a ListAPIView, a ModelSerializer with the list item's fields,
select_related/prefetch_related, CursorPagination (by `-id`, or `-created_at` with `?ordering=created`),
simplejwt's authentication and per-caller `has_voted`/`is_own`. No cache. `make bench` prints our list's
rate as a ratio to this one's, measured on the same data and server.
"""

from django.db.models import Exists, OuterRef, Prefetch, Value
from django.urls import path
from rest_framework import generics, pagination, serializers
from rest_framework.permissions import AllowAny
from rest_framework_simplejwt.authentication import JWTAuthentication

from aspirasi.models import Proposal, ProposalPhoto, Vote
from aspirasi.models.proposals import PUBLIC_STATUSES


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class _Category(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField(source="name_id")


class _Photo(serializers.ModelSerializer):
    class Meta:
        model = ProposalPhoto
        fields = ["id", "image", "thumbnail_small", "thumbnail_large", "width", "height"]


class _Program(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    progress_percent = serializers.IntegerField()


class PeerProposalSerializer(serializers.ModelSerializer):
    category = _Category()
    kelurahan = _Named()
    kecamatan = _Named(source="kelurahan.kecamatan")
    target_groups = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    volume = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    author_name = serializers.SerializerMethodField()
    is_own = serializers.SerializerMethodField()
    has_voted = serializers.BooleanField()
    photos = _Photo(many=True)
    program = _Program(allow_null=True)

    class Meta:
        model = Proposal
        fields = [
            "id", "title", "description", "category", "kelurahan", "kecamatan", "rt", "rw", "latitude",
            "longitude", "target_groups", "estimated_beneficiaries", "estimated_poor_households", "volume", "unit",
            "estimated_cost", "anonymous", "author_name", "is_own", "status", "rejection_reason",
            "rejection_message", "merged_into", "vote_count", "has_voted", "photos", "program", "created_at",
            "updated_at", "published_at",
        ]  # fmt: skip

    def get_author_name(self, proposal) -> str:
        return f"Warga {proposal.kelurahan.name}" if proposal.anonymous else proposal.author.display_name

    def get_is_own(self, proposal) -> bool:
        user = self.context["request"].user
        return user.is_authenticated and proposal.author_id == user.pk


class PeerPagination(pagination.CursorPagination):
    page_size = 20

    def get_ordering(self, request, queryset, view):
        return ("-created_at", "-id") if request.query_params.get("ordering") == "created" else ("-id",)


class PeerProposalsView(generics.ListAPIView):
    serializer_class = PeerProposalSerializer
    pagination_class = PeerPagination
    authentication_classes = [JWTAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = []

    def get_queryset(self):
        user = self.request.user
        voted = (
            Exists(Vote.objects.filter(proposal=OuterRef("pk"), voter=user)) if user.is_authenticated else Value(False)
        )
        return (
            Proposal.objects.filter(status__in=PUBLIC_STATUSES, is_hidden=False)
            .select_related("category", "kelurahan__kecamatan", "author", "program")
            .prefetch_related("target_groups", Prefetch("photos", queryset=ProposalPhoto.objects.order_by("id")))
            .annotate(has_voted=voted)
        )


urlpatterns = [path("peer/proposals/", PeerProposalsView.as_view())]
