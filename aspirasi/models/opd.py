"""The OPD loop (issue #23): the SLA calendar, routing rules, dispositions and their escalations."""

from django.conf import settings
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


class RoutingRule(models.Model):
    """Which OPD a category's items go to by default, optionally per kecamatan (the kecamatan's rule wins)."""

    category = models.ForeignKey(
        "aspirasi.Category", on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("category")
    )
    kecamatan = models.ForeignKey(
        "aspirasi.Kecamatan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("kecamatan"),
        help_text=_("Empty: the city-wide default for the category"),
    )
    opd = models.ForeignKey("aspirasi.Opd", on_delete=models.PROTECT, related_name="routing_rules")

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(kecamatan__isnull=True), name="routing_default_once"
            ),
            models.UniqueConstraint(
                fields=["category", "kecamatan"],
                condition=models.Q(kecamatan__isnull=False),
                name="routing_override_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}/{self.kecamatan_id or '*'} -> {self.opd_id}"


class DispositionState(models.TextChoices):
    FORWARDED = "forwarded", _("Forwarded")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_OURS = "not_ours", _("Not ours")


OPEN_DISPOSITION_STATES = (DispositionState.FORWARDED, DispositionState.ACCEPTED, DispositionState.IN_PROGRESS)


class FollowUpState(models.TextChoices):
    """Where a report stands in the OPD loop (Report.follow_up_state); empty before any disposition."""

    FORWARDED = "forwarded", _("Forwarded to the OPD")
    ACCEPTED = "accepted", _("Accepted by the OPD")
    IN_PROGRESS = "in_progress", _("In progress at the OPD")
    DONE = "done", _("Done, awaiting the reporter's confirmation")
    NOT_OURS = "not_ours", _("Returned by the OPD, awaiting another OPD")
    CONFIRMED = "confirmed", _("Fix confirmed by the reporter")
    CLOSED = "closed", _("Closed without the reporter's answer")


class Disposition(models.Model):
    """A moderator's forwarding (disposisi) of a report or a proposal to an OPD, and the OPD's follow-up."""

    report = models.ForeignKey(
        "aspirasi.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="dispositions"
    )
    proposal = models.ForeignKey(
        "aspirasi.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="dispositions"
    )
    opd = models.ForeignKey("aspirasi.Opd", on_delete=models.PROTECT, related_name="dispositions")
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    state = models.CharField(
        _("state"), max_length=12, choices=DispositionState.choices, default=DispositionState.FORWARDED
    )
    # A reopen by the reporter: the same OPD again, counted against it in the SLA report.
    is_reopen = models.BooleanField(_("reopened by the reporter"), default=False)
    due_at = models.DateTimeField(_("follow-up due"))
    reason = models.TextField(_("reason (not ours)"), blank=True, max_length=2000)
    done_note = models.TextField(_("follow-up note"), blank=True, max_length=2000)
    proof_photo = models.ImageField(_("proof photo"), upload_to="followups/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("forwarded"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        indexes = [models.Index(fields=["opd", "state", "due_at"], name="disposition_inbox")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, proposal__isnull=True)
                | models.Q(report__isnull=True, proposal__isnull=False),
                name="disposition_one_item",
            ),
            # One open disposition per item at a time: a second forward while one is open is refused.
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(report__isnull=False, state__in=["forwarded", "accepted", "in_progress"]),
                name="disposition_open_once_report",
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=models.Q(proposal__isnull=False, state__in=["forwarded", "accepted", "in_progress"]),
                name="disposition_open_once_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_type} {self.item_id} -> {self.opd_id} ({self.state})"

    @property
    def item_type(self) -> str:
        return "report" if self.report_id else "proposal"

    @property
    def item_id(self) -> int:
        return self.report_id or self.proposal_id


class FollowUpStep(models.TextChoices):
    FORWARDED = "forwarded", _("Forwarded to the OPD")
    ACCEPTED = "accepted", _("Accepted by the OPD")
    IN_PROGRESS = "in_progress", _("Work started")
    DONE = "done", _("Done")
    NOT_OURS = "not_ours", _("Returned: not this OPD's")
    REOPENED = "reopened", _("Reopened by the reporter")
    CONFIRMED = "confirmed", _("Fix confirmed by the reporter")
    CLOSED = "closed", _("Closed without an answer")


class FollowUpEvent(models.Model):
    """One public step of an item's OPD loop: which OPD (never which officer), when, what, why."""

    disposition = models.ForeignKey(Disposition, on_delete=models.CASCADE, related_name="events")
    report = models.ForeignKey(
        "aspirasi.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up_timeline"
    )
    proposal = models.ForeignKey(
        "aspirasi.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up_timeline"
    )
    opd = models.ForeignKey("aspirasi.Opd", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(_("step"), max_length=12, choices=FollowUpStep.choices)
    message = models.TextField(_("message"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="followups/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up timeline")

    def __str__(self) -> str:
        return f"{self.step} by {self.opd_id}"


class Escalation(models.Model):
    """An overdue stage escalated once: `key` (item, stage, disposition) is unique, so the tick never repeats it."""

    key = models.CharField(max_length=80, unique=True)
    stage = models.CharField(_("stage"), max_length=16)
    report = models.ForeignKey("aspirasi.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    proposal = models.ForeignKey("aspirasi.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    disposition = models.ForeignKey(
        Disposition, on_delete=models.CASCADE, null=True, blank=True, related_name="escalations"
    )
    opd = models.ForeignKey("aspirasi.Opd", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_at = models.DateTimeField(_("was due"))
    created_at = models.DateTimeField(_("escalated"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return self.key
