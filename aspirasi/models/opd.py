"""The OPD loop (issue #23): the SLA calendar, routing rules, dispositions and their escalations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off (cuti bersama, local day off)")
    WORKING_DAY = "working_day", _("Working day (exception)")


class CalendarDay(models.Model):
    """A day the `holidays` package cannot know: a decreed cuti bersama or local day off, or a working exception."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("SLA calendar")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} ({self.get_kind_display()})"
