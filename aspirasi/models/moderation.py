from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Opd(models.Model):
    """A city department (Organisasi Perangkat Daerah) expected to act on a proposal; admin-editable."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=160)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("OPD (city department)")
        verbose_name_plural = _("OPD (city departments)")

    def __str__(self) -> str:
        return self.short_name or self.name


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    OFFENSIVE = "offensive", _("Offensive")
    PERSONAL_DATA = "personal_data", _("Personal data")
    NOT_RELEVANT = "not_relevant", _("Not relevant")
    DUPLICATE = "duplicate", _("Duplicate")


class FlagOutcome(models.TextChoices):
    """What a moderator's decision on the flagged item made of its open flags (final for those flags)."""

    RESTORED = "restored", _("Restored: kept public")
    HIDDEN = "hidden", _("Hidden")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


class Flag(models.Model):
    """A resident's flag on a published proposal or report; once per resident per item."""

    proposal = models.ForeignKey(
        "aspirasi.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    report = models.ForeignKey("aspirasi.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    flagger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=16, choices=FlagReason.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A moderator's decision resolves every open flag of the item at once; a resolved flag never counts again.
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
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=False, report__isnull=True)
                | Q(proposal__isnull=True, report__isnull=False),
                name="flag_exactly_one_item",
            ),
            models.UniqueConstraint(
                fields=["proposal", "flagger"], condition=Q(proposal__isnull=False), name="flag_once_per_proposal"
            ),
            models.UniqueConstraint(
                fields=["report", "flagger"], condition=Q(report__isnull=False), name="flag_once_per_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} by {self.flagger_id}"


class AuditEntry(models.Model):
    """An immutable record of one moderation decision: who, when, item, action, before and after, message."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    actor_role = models.CharField(_("actor role"), max_length=16)
    # Set when the actor's account was erased, before `actor` became null (services/account_data.py).
    actor_pseudonym = models.CharField(_("actor pseudonym"), max_length=32, blank=True, default="", db_default="")
    item_type = models.CharField(_("item type"), max_length=16, help_text=_("proposal or report"))
    item_id = models.PositiveBigIntegerField(_("item id"))
    kelurahan = models.ForeignKey(
        "aspirasi.Kelurahan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["item_type", "item_id"], name="audit_item")]

    def __str__(self) -> str:
        return f"{self.action} {self.item_type} #{self.item_id}"
