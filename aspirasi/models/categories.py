from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class _Bilingual(models.Model):
    """Reference data named in Indonesian and English; `name` follows the active language."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name_id

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class Category(_Bilingual):
    """A pillar of the city's poverty-reduction strategy (bidang); admin-editable."""

    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    pillar_weight = models.DecimalField(
        _("pillar weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0 to 1: the pillar's weight in the city strategy; the pillar term of the priority score"),
    )

    class Meta(_Bilingual.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class TargetGroup(_Bilingual):
    """A group a proposal is meant to benefit (women, youth, ...)."""

    class Meta(_Bilingual.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
