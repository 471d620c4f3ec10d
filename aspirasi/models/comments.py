"""Discussion (issue 25): comments on a proposal or a report, one level of replies, moderated like items.

A comment is plain text: stored as written, rendered escaped everywhere (the API sends JSON strings, the
admin escapes). Staff comments are official and shown by role and OPD, never by the staff member's name.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aspirasi.models.moderation import FlagOutcome, FlagReason

COMMENT_MAX_LENGTH = 2000


class CommentState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    DELETED = "deleted", _("Deleted by its author")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Comment(models.Model):
    """One comment of a proposal's or a report's thread; `parent` makes it a reply (one level only)."""

    proposal = models.ForeignKey(
        "aspirasi.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="comments", db_index=False
    )
    report = models.ForeignKey(
        "aspirasi.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("reply to")
    )
    # The item's kelurahan, copied: moderation scopes and audit entries are filed by area.
    kelurahan = models.ForeignKey(
        "aspirasi.Kelurahan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    # Null once the author erased their account: the comment stays, by "Warga".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    body = models.TextField(_("text"), max_length=COMMENT_MAX_LENGTH)
    state = models.CharField(_("state"), max_length=8, choices=CommentState.choices, default=CommentState.VISIBLE)
    # Staff answers: the role and OPD at the time of writing, shown instead of a name.
    is_official = models.BooleanField(_("official answer"), default=False)
    author_role = models.CharField(_("author role"), max_length=16, blank=True)
    author_opd = models.ForeignKey(
        "aspirasi.Opd", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("OPD")
    )
    hidden_reason = models.CharField(_("reason hidden"), max_length=500, blank=True)
    flag_review_requested_at = models.DateTimeField(_("flag review requested"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    # audit_record files entries under this type (services/audit.py)
    audit_item_type = "comment"

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # A thread's pages, oldest or newest first (the cursor's order)
            models.Index(fields=["proposal", "created_at", "id"], name="comment_proposal_thread"),
            models.Index(fields=["report", "created_at", "id"], name="comment_report_thread"),
            # The moderators' queue: the few comments marked for review, not the whole table
            models.Index(
                fields=["kelurahan", "created_at"],
                condition=Q(flag_review_requested_at__isnull=False),
                name="comment_flag_review",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=False, report__isnull=True)
                | Q(proposal__isnull=True, report__isnull=False),
                name="comment_exactly_one_item",
            ),
            models.CheckConstraint(condition=Q(state__in=CommentState.values), name="comment_state_valid"),
        ]

    def __str__(self) -> str:
        return f"comment #{self.pk}"

    @property
    def item(self):
        return self.proposal if self.proposal_id else self.report


class CommentFlag(models.Model):
    """A verified resident's flag on a visible comment; once per resident per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_flags")
    reason = models.CharField(_("reason"), max_length=16, choices=FlagReason.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A moderator's decision resolves every open flag of the comment at once, as for an item's flags.
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=FlagOutcome.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("comment flag")
        verbose_name_plural = _("comment flags")
        constraints = [models.UniqueConstraint(fields=["comment", "flagger"], name="comment_flag_once")]

    def __str__(self) -> str:
        return f"{self.reason} by {self.flagger_id}"


class ProposalFollow(models.Model):
    """Who hears of a proposal's discussion. Voting and commenting create a row; DELETE follow sets
    `active` false, and the row stays so an automatic follow never turns it back on."""

    proposal = models.ForeignKey("aspirasi.Proposal", on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_follows")
    active = models.BooleanField(_("following"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposal follow")
        verbose_name_plural = _("proposal follows")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="proposal_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.proposal_id}"
