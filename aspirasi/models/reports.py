from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    RESOLVED = "resolved", _("Resolved")
    LINKED = "linked", _("Linked to a proposal")


PUBLIC_REPORT_STATUSES = (ReportStatus.VERIFIED, ReportStatus.RESOLVED, ReportStatus.LINKED)


class Report(models.Model):
    """A resident's photo report (laporan) of a local need."""

    class LocationSource(models.TextChoices):
        GIVEN = "given", _("Given by the resident")
        EXIF = "exif", _("Read from the photo's GPS")
        KELURAHAN = "kelurahan", _("Kelurahan only")

    class Origin(models.TextChoices):
        APP = "app", _("The app")
        OPEN311 = "open311", _("Open311 integration")

    # Null once the author erased their account (services/account_data.py): a public report stays.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    description = models.TextField(_("description"), max_length=2000)
    category = models.ForeignKey(
        "aspirasi.Category", on_delete=models.PROTECT, related_name="reports", verbose_name=_("category")
    )
    kelurahan = models.ForeignKey(
        "aspirasi.Kelurahan", on_delete=models.PROTECT, related_name="reports", verbose_name=_("kelurahan")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_source = models.CharField(_("location source"), max_length=10, choices=LocationSource.choices)
    # False when the kelurahan is a guess (a point without a chosen kelurahan: no boundaries to place it);
    # the area's moderators confirm or relocate it (services/moderation.report_relocate).
    kelurahan_confirmed = models.BooleanField(_("kelurahan confirmed"), default=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.APP)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW)
    # Required for the app; Open311 sends no photo (only a media_url we never fetch): see the constraint.
    image = models.ImageField(upload_to="reports/%Y/%m/", width_field="width", height_field="height", blank=True)
    thumbnail_small = models.ImageField(upload_to="reports/%Y/%m/", blank=True)
    thumbnail_large = models.ImageField(upload_to="reports/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    rejection_reason = models.CharField(_("rejection reason"), max_length=32, blank=True)
    rejection_message = models.TextField(_("rejection message"), blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolution_image = models.ImageField(upload_to="reports/%Y/%m/", blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    # As Proposal.flag_review_requested_at: flagged past the threshold, waiting for a moderator.
    flag_review_requested_at = models.DateTimeField(_("flag review requested"), null=True, blank=True)
    linked_proposal = models.ForeignKey(
        "aspirasi.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("linked proposal"),
    )
    # The OPD loop (models/opd.py, docs/sla.md): the OPD it is with, where it stands, the current stage's deadline.
    opd = models.ForeignKey(
        "aspirasi.Opd", on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("OPD")
    )
    follow_up_state = models.CharField(_("follow-up state"), max_length=12, blank=True)
    sla_stage = models.CharField(_("SLA stage"), max_length=16, blank=True)
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("photo report")
        verbose_name_plural = _("photo reports")
        indexes = [models.Index(fields=["status", "-created_at", "-id"], name="report_status_newest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origin="open311") | ~models.Q(image=""), name="report_photo_unless_open311"
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]
