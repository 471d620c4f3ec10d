"""Photos of a proposal (usulan): the author adds them while it is editable, moderators at any time."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.reports import IMAGE_HELP
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import NotEditable, PhoneNotVerified, PhotoLimitReached, PhotoNotAllowed
from aspirasi.models import ProposalPhoto
from aspirasi.policies import can_add_proposal_photo
from aspirasi.selectors.proposals import proposals_visible_to
from aspirasi.services.photos import PROPOSAL_PHOTO_LIMIT, proposal_photo_add


class ProposalPhotoCreateInput(serializers.Serializer):
    # A plain FileField: the image pipeline, not DRF's ImageField, decides and names what is wrong.
    image = serializers.FileField(allow_empty_file=True, help_text=IMAGE_HELP)


class ProposalPhotoOutput(serializers.ModelSerializer):
    image = serializers.ImageField(read_only=True, help_text="Re-encoded JPEG, at most 2048 px, no metadata")
    thumbnail_large = serializers.ImageField(read_only=True, help_text="About 1280 px on the long side")
    thumbnail_small = serializers.ImageField(read_only=True, help_text="About 320 px on the long side")

    class Meta:
        model = ProposalPhoto
        fields = ["id", "image", "thumbnail_large", "thumbnail_small", "width", "height", "created_at"]
        read_only_fields = fields


class ProposalPhotosView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "create"

    @extend_schema(
        tags=["proposals"],
        request={"multipart/form-data": ProposalPhotoCreateInput},
        responses={
            201: ProposalPhotoOutput,
            **domain_errors(PhotoNotAllowed, PhoneNotVerified, NotEditable, PhotoLimitReached),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        description=f"Add a photo (at most {PROPOSAL_PHOTO_LIMIT}, else `photo_limit_reached`). The author may "
        "while the proposal is submitted or in review (else `not_editable`); a moderator of its area at any time.",
    )
    @idempotent
    def post(self, request, proposal_id: int):
        proposal = get_object_or_404(proposals_visible_to(request.user), pk=proposal_id)
        if not can_add_proposal_photo(request.user, proposal):
            raise PhotoNotAllowed()  # before reading the upload
        data = ProposalPhotoCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        photo = proposal_photo_add(proposal=proposal, image=data.validated_data["image"], actor=request.user)
        return Response(ProposalPhotoOutput(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)
