"""Notifications for residents and moderators, their preferences, their devices and push deliveries."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """Stable slugs the mobile app switches on; each can be muted in the preferences."""

    PROPOSAL_PUBLISHED = "proposal_published", _("My proposal was published")
    PROPOSAL_REJECTED = "proposal_rejected", _("My proposal was rejected")
    PROPOSAL_MERGED = "proposal_merged", _("My proposal was merged")
    PROPOSAL_ACCEPTED = "proposal_accepted", _("My proposal was accepted")
    PROPOSAL_IN_PROGRESS = "proposal_in_progress", _("Work on my proposal started")
    PROPOSAL_COMPLETED = "proposal_completed", _("My proposal was completed")
    SUPPORTED_MERGED = "supported_merged", _("A proposal I support was merged")
    SUPPORTED_ACCEPTED = "supported_accepted", _("A proposal I support was accepted")
    SUPPORTED_COMPLETED = "supported_completed", _("A proposal I support was completed")
    REPORT_VERIFIED = "report_verified", _("My report was verified")
    REPORT_REJECTED = "report_rejected", _("My report was rejected")
    REPORT_RESOLVED = "report_resolved", _("My report was resolved")
    REPORT_LINKED = "report_linked", _("My report was linked to a proposal")
    VOTE_MILESTONE = "vote_milestone", _("My proposal reached a support milestone")
    MODERATION_DIGEST = "moderation_digest", _("Daily digest of items waiting for moderation")
    PROGRAM_PROGRESS = "program_progress", _("News from the program my proposal became")
    REPORT_FORWARDED = "report_forwarded", _("My report was forwarded to an OPD")
    OPD_ACCEPTED = "opd_accepted", _("The OPD accepted my report")
    OPD_IN_PROGRESS = "opd_in_progress", _("The OPD started work on my report")
    OPD_DONE = "opd_done", _("The OPD says my report is fixed")
    OPD_RETURNED = "opd_returned", _("The OPD returned my report to the moderators")
    SLA_OVERDUE = "sla_overdue", _("An item in my area or OPD is overdue")
    COMMENT_NEW = "comment_new", _("New comments on a proposal I follow or a report of mine")
    COMMENT_OFFICIAL = "comment_official", _("An official answer on a proposal I follow or a report of mine")
    COMMENT_HIDDEN = "comment_hidden", _("A moderator hid my comment")
    PROPOSAL_FORWARDED = "proposal_forwarded", _("My proposal was forwarded to an OPD")
    PROPOSAL_OPD_ACCEPTED = "proposal_opd_accepted", _("The OPD accepted my proposal")
    PROPOSAL_OPD_IN_PROGRESS = "proposal_opd_in_progress", _("The OPD started work on my proposal")
    PROPOSAL_OPD_DONE = "proposal_opd_done", _("The OPD finished work on my proposal")
    PROPOSAL_OPD_RETURNED = "proposal_opd_returned", _("The OPD returned my proposal to the moderators")
    COMMENT_RESTORED = "comment_restored", _("A moderator restored my comment")


class TargetType(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    REPORT = "report", _("Photo report")
    MODERATION_QUEUE = "moderation_queue", _("Moderation queue")
    PROGRAM = "program", _("Program")


class Notification(models.Model):
    """One message for one recipient, rendered in the recipient's language when it was created."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    target_type = models.CharField(_("target type"), max_length=20, choices=TargetType.choices, blank=True)
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, help_text=_("Extra plain-JSON details"))
    dedupe_key = models.CharField(
        _("dedupe key"),
        max_length=100,
        blank=True,
        help_text=_("Set for notifications that must exist once per recipient, e.g. a milestone or a day's digest"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient", "-id"], condition=Q(read_at__isnull=True), name="notification_inbox_unread"
            ),
        ]
        constraints = [
            # "Once per milestone" and "one digest a day" hold under concurrency: the second insert fails.
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"


class NotificationSettings(models.Model):
    """A user's push switch; a user without a row has push on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_settings"
    )
    push_enabled = models.BooleanField(_("push enabled"), default=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"push {'on' if self.push_enabled else 'off'} for {self.user_id}"


class MutedKind(models.Model):
    """A kind of notification the user opted out of: none is created for them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_notification_kinds"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)

    class Meta:
        verbose_name = _("muted notification kind")
        verbose_name_plural = _("muted notification kinds")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="muted_kind_once")]

    def __str__(self) -> str:
        return f"{self.kind} muted by {self.user_id}"


class DevicePlatform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS"


class Device(models.Model):
    """A phone that receives push: an FCM registration token (android) or an APNs device token (ios)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(_("platform"), max_length=8, choices=DevicePlatform.choices)
    token = models.CharField(_("token"), max_length=512, unique=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Off once the push service rejects the token"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [models.Index(fields=["user"], condition=Q(active=True), name="device_active_user")]

    def __str__(self) -> str:
        return f"{self.platform} device of {self.user_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    INVALID_TOKEN = "invalid_token", _("Invalid token")
    FAILED = "failed", _("Failed after all attempts")


class PushDelivery(models.Model):
    """One push of one notification to one device; the durable record retries work from."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("push delivery")
        verbose_name_plural = _("push deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="push_delivery_due"),
        ]
        constraints = [models.UniqueConstraint(fields=["notification", "device"], name="push_delivery_once")]

    def __str__(self) -> str:
        return f"{self.notification_id} -> device {self.device_id}: {self.status}"
