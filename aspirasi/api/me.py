"""The resident's control of their account: log out, change the password, erase the account; and the
domain's part of the export of their data (notifications/export.py serves it, with notifications' part)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.api import accounts
from aspirasi.api.accounts import (
    TOKEN_MAX_LENGTH,
    KelurahanRefOutput,
    TokenPairOutput,
    password_errors,
    password_min_length,
)
from aspirasi.api.fields import StrictCharField
from aspirasi.api.schema import domain_errors, error
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import StaffErasureRefused, WrongPassword
from aspirasi.models import (
    Comment,
    CommentFlag,
    Flag,
    Proposal,
    ProposalFollow,
    ProposalPhoto,
    ProposalStatusEvent,
    Report,
    User,
    Vote,
)
from aspirasi.services.account_data import account_erase
from aspirasi.services.credentials import password_change, refresh_token_revoke

PASSWORD_MAX_LENGTH = 128


def _password_field(**kwargs) -> StrictCharField:
    return StrictCharField(max_length=PASSWORD_MAX_LENGTH, write_only=True, style={"input_type": "password"}, **kwargs)


# --- Log out ------------------------------------------------------------------------------------------


class LogoutInput(serializers.Serializer):
    refresh = StrictCharField(max_length=TOKEN_MAX_LENGTH)


class LogoutView(APIView):
    # The refresh token is the session and its own credential: an app whose access token expired still
    # logs out, and holding the token is all it takes (its holder could as well keep using it).
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        tags=["auth"],
        request=LogoutInput,
        responses={
            204: None,
            401: error("`token_not_valid`: not a live refresh token (forged, expired, revoked or rotated away)"),
        },
        description="End the session of a refresh token: it is revoked, and refreshing with it answers 401 "
        "`token_not_valid`. Access tokens already issued expire on their own (JWT_ACCESS_MINUTES).",
    )
    def post(self, request):
        data = LogoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        refresh_token_revoke(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Change the password ----------------------------------------------------------------------------------


class PasswordChangeInput(serializers.Serializer):
    old_password = _password_field(help_text="The current password (`wrong_password` if it is not)")
    new_password = _password_field(min_length=password_min_length(), help_text="Checked by the password validators")


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password"

    @extend_schema(
        tags=["auth"],
        request=PasswordChangeInput,
        responses={200: TokenPairOutput, **domain_errors(WrongPassword)},
        description="Set a new password. Every refresh token of the account is revoked (other phones are "
        "logged out) and the answer is a fresh token pair for this one.",
    )
    def post(self, request):
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tokens = password_change(user=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise password_errors(exc, "new_password") from None
        return Response(tokens)


# --- Erase the account ------------------------------------------------------------------------------------


class MeDeleteInput(serializers.Serializer):
    password = _password_field(help_text="The account's password, asked again (`wrong_password` if it is not)")


class MeView(accounts.MeView):
    """The caller's profile (accounts.MeView), and its erasure."""

    throttle_scope = "password"
    delete_has_body = True  # the password (api/schema.py states it)

    def get_throttles(self):
        # Only the erasure checks a password; reading and editing the profile stay unlimited.
        return [ScopedRateThrottle()] if self.request.method == "DELETE" else []

    @extend_schema(
        tags=["me"],
        request=MeDeleteInput,
        responses={204: None, **domain_errors(WrongPassword, StaffErasureRefused)},
        description="Erase the account, for good: phone, name, email, devices, notifications, sessions and "
        "unpublished proposals and reports go; votes in an open ballot are withdrawn; public proposals and "
        'reports stay, by "Warga <kelurahan>". docs/privacy.md. Staff accounts are refused '
        "(`staff_erasure_refused`): an administrator removes them.",
    )
    def delete(self, request):
        data = MeDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        account_erase(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- The domain's part of the export (aspirasi/selectors/account_data.py) ----------------------------------


class ExportProfileOutput(serializers.ModelSerializer):
    kelurahan = KelurahanRefOutput(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, help_text="Empty when none was given")

    class Meta:
        model = User
        fields = [
            "id",
            "phone",
            "display_name",
            "email",
            "kelurahan",
            "language",
            "role",
            "date_joined",
            "phone_verified_at",
        ]
        read_only_fields = fields


class ExportPhotoOutput(serializers.ModelSerializer):
    class Meta:
        model = ProposalPhoto
        fields = ["id", "image", "thumbnail_small", "thumbnail_large", "created_at"]
        read_only_fields = fields


class ExportTimelineOutput(serializers.ModelSerializer):
    """A status change of the caller's proposal: who acted as a role only (staff are not named)."""

    class Meta:
        model = ProposalStatusEvent
        fields = ["from_status", "to_status", "actor_role", "message", "created_at"]
        read_only_fields = fields


class ExportProposalOutput(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kelurahan = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    target_groups = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    photos = ExportPhotoOutput(many=True, read_only=True)
    timeline = ExportTimelineOutput(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "description",
            "category",
            "kelurahan",
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
            "status",
            "is_hidden",
            "rejection_reason",
            "rejection_message",
            "merged_into",
            "vote_count",
            "photos",
            "timeline",
            "created_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = fields


class ExportReportOutput(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kelurahan = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True, help_text="Exact: the caller's own")
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    image = serializers.ImageField(read_only=True)
    thumbnail_small = serializers.ImageField(read_only=True)
    thumbnail_large = serializers.ImageField(read_only=True)
    resolution_image = serializers.ImageField(read_only=True, allow_null=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "description",
            "category",
            "kelurahan",
            "latitude",
            "longitude",
            "location_source",
            "status",
            "is_hidden",
            "image",
            "thumbnail_small",
            "thumbnail_large",
            "rejection_reason",
            "rejection_message",
            "resolution_note",
            "resolution_image",
            "linked_proposal",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ExportVoteOutput(serializers.ModelSerializer):
    proposal_id = serializers.IntegerField(source="proposal.id", read_only=True)
    proposal_title = serializers.CharField(source="proposal.title", read_only=True)

    class Meta:
        model = Vote
        fields = ["proposal_id", "proposal_title", "created_at"]
        read_only_fields = fields


class ExportFlagOutput(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["proposal", "report", "reason", "message", "created_at", "resolved_at"]
        read_only_fields = fields


class ExportCommentOutput(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = [
            "id",
            "proposal",
            "report",
            "parent",
            "body",
            "state",
            "hidden_reason",
            "is_official",
            "created_at",
            "edited_at",
        ]
        read_only_fields = fields


class ExportCommentFlagOutput(serializers.ModelSerializer):
    class Meta:
        model = CommentFlag
        fields = ["comment", "reason", "message", "created_at", "resolved_at"]
        read_only_fields = fields


class ExportFollowOutput(serializers.ModelSerializer):
    class Meta:
        model = ProposalFollow
        fields = ["proposal", "active", "created_at"]
        read_only_fields = fields


class AccountDataOutput(serializers.Serializer):
    """What the domain holds about the caller (aspirasi/selectors/account_data.py)."""

    profile = ExportProfileOutput()
    proposals = ExportProposalOutput(many=True, help_text="Every status, oldest first")
    reports = ExportReportOutput(many=True, help_text="Every status, oldest first")
    votes = ExportVoteOutput(many=True, help_text="Votes still standing (a withdrawn vote is not kept)")
    flags = ExportFlagOutput(many=True, help_text="Flags the caller raised")
    comments = ExportCommentOutput(many=True, help_text="The caller's comments, every state, oldest first")
    comment_flags = ExportCommentFlagOutput(many=True, help_text="Flags the caller raised on comments")
    follows = ExportFollowOutput(
        many=True, help_text="Proposals the caller chose to follow or unfollow (`active` false: unfollowed)"
    )
