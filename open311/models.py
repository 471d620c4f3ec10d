from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """The key one integration files requests with (`POST requests`), issued and revoked by an admin. Only
    its SHA-256 is stored (the key is random, 256 bits: a slow hash would add nothing); the key itself is
    shown once, when it is issued."""

    name = models.CharField(_("integration"), max_length=120, help_text=_("Who uses this key, e.g. the app of an OPD"))
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, help_text=_("The key's first characters"))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ServiceRequest(models.Model):
    """A photo report filed through Open311: the key that filed it, the token it was answered with, and what
    the filer said about themselves and the place. Kept for the moderators; never in any GET answer."""

    report = models.OneToOneField("aspirasi.Report", on_delete=models.CASCADE, related_name="open311_request")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=64, unique=True)
    address_string = models.CharField(_("address"), max_length=255, blank=True)
    # The filer's own link; never fetched by the server (it could point anywhere) nor repeated in answers.
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)
    email = models.EmailField(_("email"), blank=True)
    first_name = models.CharField(_("first name"), max_length=120, blank=True)
    last_name = models.CharField(_("last name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    device_id = models.CharField(_("device id"), max_length=120, blank=True)
    account_id = models.CharField(_("account id"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return f"#{self.report_id}"
