from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


# Published and what comes after it is visible to everyone; the rest only to the author and moderators.
PUBLIC_STATUSES = (
    ProposalStatus.PUBLISHED,
    ProposalStatus.MERGED,
    ProposalStatus.ACCEPTED,
    ProposalStatus.IN_PROGRESS,
    ProposalStatus.COMPLETED,
)
EDITABLE_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW)


class Proposal(models.Model):
    """A resident's usulan for their kelurahan, shaped like a Musrenbang form row."""

    # Null once the author erased their account (services/account_data.py): the proposal stays, by "Warga <kelurahan>".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    category = models.ForeignKey(
        "aspirasi.Category", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("category")
    )
    kelurahan = models.ForeignKey(
        "aspirasi.Kelurahan", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("kelurahan")
    )
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    target_groups = models.ManyToManyField("aspirasi.TargetGroup", blank=True, related_name="proposals")
    estimated_beneficiaries = models.PositiveIntegerField(_("estimated beneficiaries"), null=True, blank=True)
    estimated_poor_households = models.PositiveIntegerField(
        _("estimated poor households benefiting"), null=True, blank=True
    )
    volume = models.DecimalField(_("volume"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. peserta, paket, meter"))
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost (IDR)"), null=True, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=32, blank=True)
    rejection_message = models.TextField(_("rejection message"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    # Moderation: who is handling it, which department should act, hidden by a moderator, flagged for review.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    opd = models.ForeignKey(
        "aspirasi.Opd",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("OPD"),
    )
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    # Set when enough residents flag it (FLAG_REVIEW_THRESHOLD): it waits in the moderation queue, still
    # public, until a moderator restores or hides it (services/flags.py, services/moderation.py).
    flag_review_requested_at = models.DateTimeField(_("flag review requested"), null=True, blank=True)
    source_report = models.ForeignKey(
        "aspirasi.Report",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promoted_proposals",
        verbose_name=_("source report"),
    )
    # Planning: the Musrenbang cycle it was submitted in, the program that carries it out (aspirasi/models/planning.py).
    cycle = models.ForeignKey(
        "aspirasi.Cycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("cycle"),
    )
    program = models.ForeignKey(
        "aspirasi.Program",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("program"),
    )
    # Denormalised for ordering; only ever changed with F() in the vote services.
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    # Visible comments of its discussion; only ever changed with F() in services/comments.py. A tally: its
    # change moves the tallies' version (trigger of migration 0027), not the content's.
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        # No index holds vote_count: a vote's UPDATE then leaves every index alone (a HOT update on
        # PostgreSQL; the full-text and trigram GIN entries were rewritten by each vote). The most-voted list
        # filters several statuses, which such an index could not serve anyway.
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="proposal_status_newest"),
            models.Index(fields=["kelurahan", "status"], name="proposal_kelurahan_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="proposal_point_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.MERGED) | Q(merged_into__isnull=False),
                name="proposal_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def author_name(self) -> str:
        """Who the public sees as the author: the display name, or "Warga <kelurahan>" when the proposal is
        anonymous or its author erased their account. Needs `author` and `kelurahan` loaded."""
        if self.anonymous or self.author is None:
            return f"Warga {self.kelurahan.name}"
        return self.author.display_name


class ProposalStatusEvent(models.Model):
    """One entry of a proposal's public timeline: who (as a role), when, from, to, why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="timeline")
    from_status = models.CharField(_("from status"), max_length=16, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=ProposalStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_role = models.CharField(
        _("actor role"), max_length=16, help_text=_("author, moderator, planner, admin or system")
    )
    # Set when the actor erased their account, before `actor` became null: events stay attributable to one
    # (unnamed) person. services/account_data.actor_pseudonym. A database default: seed_data inserts raw rows.
    actor_pseudonym = models.CharField(_("actor pseudonym"), max_length=32, blank=True, default="", db_default="")
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class Vote(models.Model):
    """A resident's support (dukungan) for a published proposal; one per resident per proposal."""

    # Indexes a vote's INSERT must maintain: (proposal, voter) unique and (proposal, created_at) serve every
    # lookup by proposal, so the foreign key needs none of its own; nothing reads votes by time alone.
    # (voter, proposal) serves every lookup by voter: a vote counts its voter's open votes and a list marks
    # `has_voted` from the index alone, without a row per vote (and, as a plain index scan, it drops the
    # entries of withdrawn votes as it passes them, which a bitmap scan of a voter-only index never did).
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes", db_index=False)
    # Null once the voter erased their account: a vote of a closed ballot stays counted, by no one.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="votes",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "voter"], name="vote_unique_voter")]
        indexes = [
            models.Index(fields=["proposal", "created_at"], name="vote_proposal_time"),
            models.Index(fields=["voter", "proposal"], name="vote_voter_proposal"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} -> {self.proposal_id}"


class ProposalPhoto(models.Model):
    """A re-encoded, metadata-free photo of a proposal with its two thumbnails."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="proposals/%Y/%m/", width_field="width", height_field="height")
    thumbnail_small = models.ImageField(upload_to="proposals/%Y/%m/")
    thumbnail_large = models.ImageField(upload_to="proposals/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.image.name
