from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kecamatan(models.Model):
    """One of Balikpapan's 6 districts. Loaded by a data migration; `code` is the BPS code."""

    code = models.CharField(_("code"), max_length=16, unique=True, help_text=_("BPS code, e.g. 64.71.01"))
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.name


class Kelurahan(models.Model):
    """One of Balikpapan's 34 urban villages, the smallest area a submission is placed in."""

    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set")
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Stable identifier"))
    need_weight = models.DecimalField(
        _("need weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0 to 1, e.g. from poverty data; the need term of the priority score"),
    )

    class Meta:
        ordering = ["kecamatan__code", "name"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        constraints = [models.UniqueConstraint(fields=["kecamatan", "name"], name="kelurahan_unique_name")]

    def __str__(self) -> str:
        return self.name
