"""Discussion (issue 25): threads of comments on proposals and reports, follows, flags and decisions.

A thread is read and written by whoever may open its item: anyone for a public item (reading), its author
and staff for one that is not public; any other caller gets 404, as for a missing id. Verified residents and
staff comment; a staff comment is official and names its author by role and OPD only. Pages are cursor pages
(oldest first by default), each a single query. A public item's pages are cached for everyone but staff
under the thread's version (list_cache.thread_page, public_list.thread_version), their ETag set with them;
other pages get theirs from ConditionalGetMiddleware.
Comment text is plain text: returned as the JSON string it was written as, never as markup.
"""

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi import policies, public_list
from aspirasi.api import list_cache
from aspirasi.api.fields import MAX_ID, StrictCharField
from aspirasi.api.filtering import FilterBackend
from aspirasi.api.flags import FlagCreateInput
from aspirasi.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from aspirasi.api.pagination import CursorPage
from aspirasi.api.permissions import CanModerate
from aspirasi.api.schema import domain_errors
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import (
    AccountTooNewToFlag,
    AlreadyFlagged,
    CommentEditWindowClosed,
    CommentNotAllowed,
    CommentNotEditable,
    IllegalTransition,
    InvalidCommentParent,
    NotAResident,
    NotCommentAuthor,
    NotFlaggable,
    OutsideModeratedArea,
    PhoneNotVerified,
)
from aspirasi.models import COMMENT_MAX_LENGTH, Comment, CommentFlag, CommentState, Role
from aspirasi.selectors import comments as selectors
from aspirasi.services import comments as services
from aspirasi.services import moderation

# --- Output ---------------------------------------------------------------------------------------------

_NOTICES = {
    CommentState.DELETED: _("Comment removed"),
    CommentState.HIDDEN: _("Comment hidden by a moderator"),
}


class CommentOpdOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CommentOutput(serializers.ModelSerializer):
    """A comment as every reader of its thread sees it. Never a phone, an email or an account id; staff
    by role and OPD, never by name."""

    body = serializers.SerializerMethodField(help_text='The text as written (plain text); "" once removed')
    notice = serializers.SerializerMethodField(
        help_text='"" while visible; otherwise the placeholder to show ("Comment removed"...), translated'
    )
    author_name = serializers.SerializerMethodField(
        help_text='A resident\'s display name ("Warga" once erased); for an official answer its role and OPD'
    )
    author_opd = serializers.SerializerMethodField()
    is_own = serializers.SerializerMethodField(help_text="True when the caller wrote it (may edit or delete it)")

    class Meta:
        model = Comment
        fields = [
            "id",
            "proposal",
            "report",
            "parent",
            "state",
            "body",
            "notice",
            "is_official",
            "author_role",
            "author_opd",
            "author_name",
            "is_own",
            "created_at",
            "edited_at",
        ]
        read_only_fields = fields

    def get_body(self, comment) -> str:
        return comment.body if comment.state == CommentState.VISIBLE else ""

    def get_notice(self, comment) -> str:
        notice = _NOTICES.get(comment.state)
        return str(notice) if notice else ""

    @extend_schema_field(CommentOpdOutput(allow_null=True))
    def get_author_opd(self, comment) -> dict | None:
        opd = comment.author_opd
        return {"slug": opd.slug, "name": opd.name} if opd is not None else None

    def get_author_name(self, comment) -> str:
        if comment.is_official:
            role = str(Role(comment.author_role).label) if comment.author_role in Role.values else comment.author_role
            return f"{role} · {comment.author_opd.name}" if comment.author_opd_id else role
        return comment.author.display_name if comment.author is not None else "Warga"

    def get_is_own(self, comment) -> bool:
        user = self.context.get("user")
        return bool(user and user.is_authenticated and comment.author_id == user.pk)


def _output(comment, request) -> dict:
    return CommentOutput(comment, context={"user": request.user}).data


# --- Input ----------------------------------------------------------------------------------------------


class CommentCreateInput(serializers.Serializer):
    body = StrictCharField(min_length=1, max_length=COMMENT_MAX_LENGTH, help_text="Plain text, 1 to 2000 characters")
    parent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="The comment this replies to"
    )


class CommentUpdateInput(serializers.Serializer):
    body = StrictCharField(min_length=1, max_length=COMMENT_MAX_LENGTH, help_text="Plain text, 1 to 2000 characters")


class CommentFilter(django_filters.FilterSet):
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering",
        choices=[("oldest", "oldest"), ("newest", "newest")],
        help_text="oldest (default) or newest first",
    )

    class Meta:
        model = Comment
        fields = []

    def filter_ordering(self, queryset, name, value):
        return queryset  # the pagination orders (CommentCursorPage)


ORDERINGS = {"oldest": ("created_at", "id"), "newest": ("-created_at", "-id")}


class CommentCursorPage(CursorPage):
    ordering = ORDERINGS["oldest"]

    def get_ordering(self, request, queryset, view):
        return ORDERINGS.get(request.query_params.get("ordering") or "oldest", self.ordering)


# --- Threads --------------------------------------------------------------------------------------------

_CREATE_ERRORS = domain_errors(PhoneNotVerified, CommentNotAllowed, InvalidCommentParent)
_THREAD_DESCRIPTION = (
    "GET: the thread, every comment in it (replies carry `parent`; a removed comment stays as a placeholder "
    "with `notice`), oldest first or `ordering=newest`. POST: verified residents, moderators, OPD officers, "
    "planners and admins (staff comments are official: `author_name` is their role and OPD); "
    "`comment_not_allowed` for others, `phone_not_verified` for an unverified resident, `invalid_parent` for "
    "a reply to a reply, a removed comment or one of another thread. Rate-limited per account (scope "
    "`comment`). An item that is not public is open to its author and staff only: 404 for everyone else."
)


class _ThreadView(GenericAPIView):
    pagination_class = CommentCursorPage
    filter_backends = [FilterBackend]
    filterset_class = CommentFilter
    serializer_class = CommentOutput
    throttle_scope = "comment"
    kind = ""  # "proposal" or "report": the thread's version (public_list.thread_version)

    def get_permissions(self):
        return [AllowAny()] if self.request is None or self.request.method == "GET" else [IsAuthenticated()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def _item(self, pk: int, *, user=None):
        """The item whose thread `user` (by default the caller) may open; 404 otherwise."""
        raise NotImplementedError

    def _lookup(self, item) -> dict:
        raise NotImplementedError

    def _list(self, request, pk: int):
        if policies.reads_threads_as_everyone(request.user):
            versions = (public_list.thread_version(kind=self.kind, pk=pk),)
            key = list_cache.page_key(request, versions=versions, variant="thread")
            page = list_cache.thread_page(key, build=lambda: self._public_page(pk))
            if page is not None:
                return list_cache.page_response(request, page, voted=set())
        # Staff, and an item that is not public (its author's, or none): read for this caller.
        comments = self._comments(self._item(pk))
        return self.get_paginated_response(CommentOutput(comments, many=True, context={"user": request.user}).data)

    def _comments(self, item) -> list[Comment]:
        return self.paginate_queryset(self.filter_queryset(selectors.comments_of(**self._lookup(item))))

    def _public_page(self, pk: int) -> list_cache.Page | None:
        """This page of public item `pk`'s thread for nobody in particular, or None when it is not public."""
        try:
            comments = self._comments(self._item(pk, user=AnonymousUser()))
        except Http404:
            return None
        body = self.get_paginated_response(CommentOutput(comments, many=True, context={"user": None}).data).data
        return list_cache.Page.render(body, author_ids=[comment.author_id for comment in comments], votable=False)

    def _create(self, request, pk: int):
        item = self._item(pk)
        data = CommentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(
            author=request.user,
            body=data.validated_data["body"],
            parent_id=data.validated_data.get("parent"),
            **self._lookup(item),
        )
        return Response(_output(comment, request), status=status.HTTP_201_CREATED)


class ProposalCommentsView(_ThreadView):
    kind = "proposal"

    def _item(self, pk: int, *, user=None):
        proposal = selectors.thread_proposal(pk=pk, user=user or self.request.user)
        if proposal is None:
            raise Http404
        return proposal

    def _lookup(self, item) -> dict:
        return {"proposal": item}

    def get_queryset(self):  # the schema's and the filter's model; the views read through selectors
        return Comment.objects.none()

    @extend_schema(tags=["comments"], responses={200: CommentOutput(many=True)}, description=_THREAD_DESCRIPTION)
    def get(self, request, proposal_id: int):
        return self._list(request, proposal_id)

    @extend_schema(
        tags=["comments"],
        request=CommentCreateInput,
        responses={201: CommentOutput, **_CREATE_ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        description=_THREAD_DESCRIPTION,
    )
    @idempotent
    def post(self, request, proposal_id: int):
        return self._create(request, proposal_id)


class ReportCommentsView(_ThreadView):
    kind = "report"

    def _item(self, pk: int, *, user=None):
        report = selectors.thread_report(pk=pk, user=user or self.request.user)
        if report is None:
            raise Http404
        return report

    def _lookup(self, item) -> dict:
        return {"report": item}

    def get_queryset(self):
        return Comment.objects.none()

    @extend_schema(tags=["comments"], responses={200: CommentOutput(many=True)}, description=_THREAD_DESCRIPTION)
    def get(self, request, report_id: int):
        return self._list(request, report_id)

    @extend_schema(
        tags=["comments"],
        request=CommentCreateInput,
        responses={201: CommentOutput, **_CREATE_ERRORS},
        parameters=[IDEMPOTENCY_PARAMETER],
        description=_THREAD_DESCRIPTION,
    )
    @idempotent
    def post(self, request, report_id: int):
        return self._create(request, report_id)


# --- One comment ----------------------------------------------------------------------------------------

_OWN_ERRORS = (NotCommentAuthor, CommentNotEditable, CommentEditWindowClosed)
_OWN_DESCRIPTION = (
    "The author only (`permission_denied` for anyone else), while the comment is visible "
    "(`comment_not_editable`) and within `COMMENT_EDIT_WINDOW_SECONDS` (900 by default) of its writing "
    "(`edit_window_closed`)."
)


def _comment_or_404(request, pk: int) -> Comment:
    comment = selectors.comment_for(pk=pk, user=request.user)
    if comment is None:
        raise Http404
    return comment


class CommentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["comments"],
        request=CommentUpdateInput,
        responses={200: CommentOutput, **domain_errors(*_OWN_ERRORS)},
        description=_OWN_DESCRIPTION,
    )
    def patch(self, request, comment_id: int):
        comment = _comment_or_404(request, comment_id)
        if comment.author_id != request.user.pk:  # before the body: a stranger learns nothing from its errors
            raise NotCommentAuthor()
        data = CommentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_update(comment=comment, actor=request.user, body=data.validated_data["body"])
        return Response(_output(comment, request))

    @extend_schema(
        tags=["comments"],
        request=None,
        responses={204: None, **domain_errors(*_OWN_ERRORS)},
        description=_OWN_DESCRIPTION + ' The thread keeps a placeholder ("Comment removed") in its place.',
    )
    def delete(self, request, comment_id: int):
        services.comment_delete(comment=_comment_or_404(request, comment_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentFlagOutput(serializers.ModelSerializer):
    class Meta:
        model = CommentFlag
        fields = ["id", "reason", "message", "created_at"]


class CommentFlagsView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "flag"

    @extend_schema(
        tags=["flags"],
        request=FlagCreateInput,
        responses={
            201: CommentFlagOutput,
            **domain_errors(NotAResident, PhoneNotVerified, AccountTooNewToFlag, AlreadyFlagged, NotFlaggable),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        description="Verified residents flag a visible comment once (the rules of the proposals' flags; "
        "`not_flaggable` once it is removed). Enough distinct flaggers send it to moderators' review; it "
        "stays visible until a moderator decides.",
    )
    @idempotent
    def post(self, request, comment_id: int):
        comment = _comment_or_404(request, comment_id)
        data = FlagCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.comment_flag(comment=comment, flagger=request.user, **data.validated_data)
        return Response(CommentFlagOutput(flag).data, status=status.HTTP_201_CREATED)


# --- Follow ---------------------------------------------------------------------------------------------


class FollowOutput(serializers.Serializer):
    proposal = serializers.IntegerField()
    following = serializers.BooleanField()


class ProposalFollowView(APIView):
    """Follow a proposal's discussion: new comments and official answers notify the follower. Voting and
    commenting follow it too; DELETE turns following off for good (until a POST)."""

    permission_classes = [IsAuthenticated]

    def _proposal(self, request, pk: int):
        proposal = selectors.thread_proposal(pk=pk, user=request.user)
        if proposal is None:
            raise Http404
        return proposal

    @extend_schema(tags=["comments"], request=None, responses={200: FollowOutput})
    def post(self, request, proposal_id: int):
        proposal = self._proposal(request, proposal_id)
        services.proposal_follow(proposal=proposal, user=request.user)
        return Response({"proposal": proposal.pk, "following": True})

    @extend_schema(tags=["comments"], request=None, responses={200: FollowOutput})
    def delete(self, request, proposal_id: int):
        proposal = self._proposal(request, proposal_id)
        services.proposal_unfollow(proposal=proposal, user=request.user)
        return Response({"proposal": proposal.pk, "following": False})


# --- Moderation -----------------------------------------------------------------------------------------


class CommentDecisionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("hide", "hide"), ("restore", "restore")])
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=500, help_text="Required to hide: the author is told it"
    )

    def validate(self, attrs):
        if attrs["action"] == "hide" and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [_("Say why the comment is hidden.")]})
        return attrs


class CommentModerationOutput(CommentOutput):
    """A comment as its moderators see it: the text even when hidden, and why."""

    hidden_reason = serializers.CharField(read_only=True)
    flag_review_requested_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(CommentOutput.Meta):
        fields = [*CommentOutput.Meta.fields, "hidden_reason", "flag_review_requested_at"]
        read_only_fields = fields

    def get_body(self, comment) -> str:
        return comment.body


class CommentDecisionView(APIView):
    permission_classes = [CanModerate]

    @extend_schema(
        tags=["moderation"],
        request=CommentDecisionInput,
        responses={200: CommentModerationOutput, **domain_errors(OutsideModeratedArea, IllegalTransition)},
        description="Hide a visible comment (with the reason its author is told) or restore one that is hidden "
        "or under flag review; either resolves its open flags. Audited. `illegal_transition` when its state "
        "forbids the action.",
    )
    def post(self, request, comment_id: int):
        comment = Comment.objects.filter(policies.moderation_scope(request.user), pk=comment_id).first()
        if comment is None:
            raise Http404
        data = CommentDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["action"] == "hide":
            comment = moderation.comment_hide(comment=comment, actor=request.user, reason=data.validated_data["reason"])
        else:
            message = data.validated_data.get("reason", "")
            comment = moderation.comment_restore(comment=comment, actor=request.user, message=message)
        return Response(CommentModerationOutput(comment, context={"user": request.user}).data)
