"""Musrenbang planning: cycles with dated phases and score weights, staged carrying, programs.

A cycle's phases follow each other without gaps or overlap: each phase starts on its date and ends the
day before the next one starts; `closes_on` starts the `closed` phase. The date order is a check
constraint, so no phase can overlap another.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    SUBMISSION = "submission", _("Submission")
    REVIEW = "review", _("Review")
    VOTING = "voting", _("Voting")
    DELIBERATION = "deliberation", _("Deliberation")
    CLOSED = "closed", _("Closed")


# The date field that starts each phase, in order.
PHASE_STARTS: tuple[tuple[str, str], ...] = (
    (Phase.SUBMISSION, "submission_starts_on"),
    (Phase.REVIEW, "review_starts_on"),
    (Phase.VOTING, "voting_starts_on"),
    (Phase.DELIBERATION, "deliberation_starts_on"),
    (Phase.CLOSED, "closes_on"),
)


class VoteScope(models.TextChoices):
    """Whose votes count where in a cycle: anyone's, or only those of residents of the proposal's area."""

    CITY = "city", _("City: every resident")
    KECAMATAN = "kecamatan", _("Kecamatan: residents of the proposal's kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan: residents of the proposal's kelurahan")


_weight = {
    "max_digits": 4,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
}


class Cycle(models.Model):
    """One Musrenbang cycle (e.g. "Musrenbang 2027"): its phase dates and the weights of its priority score."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    submission_starts_on = models.DateField(_("submission starts"))
    review_starts_on = models.DateField(_("review starts"))
    voting_starts_on = models.DateField(_("voting starts"))
    deliberation_starts_on = models.DateField(_("deliberation starts"))
    closes_on = models.DateField(_("closes"))
    # Weights of the priority score (docs/planning.md); relative to each other, 0 switches a term off.
    vote_scope = models.CharField(
        _("vote scope"),
        max_length=16,
        choices=VoteScope.choices,
        default=VoteScope.CITY,
        help_text=_("Who may support a proposal while this cycle is current (services/votes.py)."),
    )
    weight_support = models.DecimalField(_("weight: support"), default=Decimal("3"), **_weight)
    weight_beneficiaries = models.DecimalField(_("weight: beneficiaries"), default=Decimal("2"), **_weight)
    weight_poor_households = models.DecimalField(_("weight: poor households"), default=Decimal("2"), **_weight)
    weight_pillar = models.DecimalField(_("weight: pillar"), default=Decimal("1"), **_weight)
    weight_need = models.DecimalField(_("weight: kelurahan need"), default=Decimal("1"), **_weight)
    weight_cost = models.DecimalField(_("weight: cost per beneficiary"), default=Decimal("1"), **_weight)
    # Residents' budget ballots (issue 24): offered beside support votes; 0 keeps them out of the score.
    budget_ballot = models.BooleanField(
        _("budget ballot"),
        default=False,
        help_text=_("In the voting phase, verified residents choose proposals of their kelurahan within its pagu."),
    )
    weight_ballot = models.DecimalField(_("weight: budget ballot"), default=Decimal("0"), **_weight)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-submission_starts_on", "-id"]
        verbose_name = _("Musrenbang cycle")
        verbose_name_plural = _("Musrenbang cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_starts_on__gt=F("submission_starts_on"))
                & Q(voting_starts_on__gt=F("review_starts_on"))
                & Q(deliberation_starts_on__gt=F("voting_starts_on"))
                & Q(closes_on__gt=F("deliberation_starts_on")),
                name="cycle_phases_in_order",
            ),
            models.CheckConstraint(
                condition=Q(weight_support__gte=0)
                & Q(weight_beneficiaries__gte=0)
                & Q(weight_poor_households__gte=0)
                & Q(weight_pillar__gte=0)
                & Q(weight_need__gte=0)
                & Q(weight_cost__gte=0)
                & Q(weight_ballot__gte=0),
                name="cycle_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def phase_on(self, day: date) -> str:
        """The phase this cycle is in on `day`."""
        current = Phase.UPCOMING
        for phase, field in PHASE_STARTS:
            if getattr(self, field) <= day:
                current = phase
        return current

    @property
    def current_phase(self) -> str:
        return self.phase_on(timezone.localdate())

    def phase_dates(self) -> list[dict]:
        """Each phase with its first and last day (the closed phase has no end)."""
        starts = [(phase, getattr(self, field)) for phase, field in PHASE_STARTS]
        result = []
        for index, (phase, starts_on) in enumerate(starts):
            ends_on = None
            if index + 1 < len(starts):
                ends_on = starts[index + 1][1] - timedelta(days=1)
            result.append({"phase": str(phase), "starts_on": starts_on, "ends_on": ends_on})
        return result


class Level(models.TextChoices):
    KELURAHAN = "kelurahan", _("Kelurahan")
    KECAMATAN = "kecamatan", _("Kecamatan")
    CITY = "city", _("City")


class CarriedProposal(models.Model):
    """A proposal a Musrenbang forum carried into the next level (kecamatan or city), with its agreed rank."""

    proposal = models.ForeignKey("aspirasi.Proposal", on_delete=models.CASCADE, related_name="carried")
    level = models.CharField(
        _("carried into"),
        max_length=10,
        choices=[(Level.KECAMATAN, Level.KECAMATAN.label), (Level.CITY, Level.CITY.label)],
    )
    rank = models.PositiveSmallIntegerField(_("forum rank"), validators=[MinValueValidator(1)])
    # The forum of the level below that decided the carry (issue 24); null for carries recorded before forums.
    forum = models.ForeignKey(
        "aspirasi.Forum",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried",
        verbose_name=_("forum"),
    )
    carried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    carried_at = models.DateTimeField(_("carried"), auto_now_add=True)

    class Meta:
        ordering = ["level", "rank", "id"]
        verbose_name = _("carried proposal")
        verbose_name_plural = _("carried proposals")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "level"], name="carried_once_per_level"),
            models.CheckConstraint(condition=Q(level__in=["kecamatan", "city"]), name="carried_level_valid"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="carried_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} -> {self.level} #{self.rank}"


class ProgramStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class Program(models.Model):
    """A funded city program (kegiatan) that carries out accepted proposals; residents follow its progress."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opd = models.ForeignKey("aspirasi.Opd", on_delete=models.PROTECT, related_name="programs", verbose_name=_("OPD"))
    category = models.ForeignKey(
        "aspirasi.Category", on_delete=models.PROTECT, related_name="programs", verbose_name=_("pillar")
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, null=True, blank=True, related_name="programs")
    budget = models.PositiveBigIntegerField(_("budget ceiling (pagu, IDR)"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.PLANNED)
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0) & Q(progress_percent__lte=100), name="program_progress_0_100"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="program_period_in_order"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramUpdate(models.Model):
    """A dated progress note on a program, optionally with a photo."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), max_length=2000)
    photo = models.ImageField(_("photo"), upload_to="programs/%Y/%m/", blank=True)
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("program update")
        verbose_name_plural = _("program updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_percent__isnull=True) | Q(progress_percent__lte=100),
                name="program_update_progress_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.date}"


# --- pagu indikatif and the funded shortlist (issue 24) ---------------------------------------------


class PaguSource(models.TextChoices):
    APBD = "apbd", _("APBD")
    PIWK = "piwk", _("PIWK (Pagu Indikatif Wilayah Kecamatan)")
    OTHER = "other", _("Other")


# The largest pagu we accept, in rupiah (Rp 100 trillion): far above any city budget, and exact in a float
# (the solver's constraint) and in a JavaScript number.
MAX_PAGU = 100_000_000_000_000


class AreaBudget(models.Model):
    """The pagu indikatif of one area at one level of a cycle: the ceiling its funded shortlist must fit.

    The area is a kelurahan (level kelurahan), a kecamatan (level kecamatan) or none (the city)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("cycle"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kelurahan = models.ForeignKey(
        "aspirasi.Kelurahan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kecamatan = models.ForeignKey(
        "aspirasi.Kecamatan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.PositiveBigIntegerField(
        _("pagu (IDR)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PAGU)]
    )
    source = models.CharField(_("source"), max_length=8, choices=PaguSource.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["cycle", "level", "kecamatan__code", "kelurahan__name", "id"]
        verbose_name = _("pagu indikatif")
        verbose_name_plural = _("pagu indikatif")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="kelurahan", kelurahan__isnull=False, kecamatan__isnull=True))
                | (Q(level="kecamatan", kelurahan__isnull=True, kecamatan__isnull=False))
                | (Q(level="city", kelurahan__isnull=True, kecamatan__isnull=True)),
                name="budget_area_matches_level",
            ),
            models.CheckConstraint(condition=Q(amount__gte=1) & Q(amount__lte=MAX_PAGU), name="budget_amount_bounds"),
            models.CheckConstraint(condition=Q(source__in=["apbd", "piwk", "other"]), name="budget_source_valid"),
            models.UniqueConstraint(
                fields=["cycle", "kelurahan"], condition=Q(level="kelurahan"), name="budget_once_per_kelurahan"
            ),
            models.UniqueConstraint(
                fields=["cycle", "kecamatan"], condition=Q(level="kecamatan"), name="budget_once_per_kecamatan"
            ),
            models.UniqueConstraint(fields=["cycle"], condition=Q(level="city"), name="budget_once_for_city"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.level} {self.area_id or ''}: Rp {self.amount:,}"

    @property
    def area_id(self) -> int | None:
        return self.kelurahan_id if self.level == Level.KELURAHAN else self.kecamatan_id


class ShortlistDecisionKind(models.TextChoices):
    PIN = "pin", _("Pinned")
    EXCLUDE = "exclude", _("Excluded")


class ShortlistDecision(models.Model):
    """A planner's pin (always in the shortlist) or exclusion (never in it) of one proposal at one level of a
    cycle, with the reason; the shortlist is computed around it. Audited (AuditEntry) by the service."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="shortlist_decisions")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    proposal = models.ForeignKey("aspirasi.Proposal", on_delete=models.CASCADE, related_name="shortlist_decisions")
    kind = models.CharField(_("decision"), max_length=8, choices=ShortlistDecisionKind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)

    class Meta:
        ordering = ["cycle", "level", "proposal_id"]
        verbose_name = _("shortlist decision")
        verbose_name_plural = _("shortlist decisions")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "level", "proposal"], name="shortlist_decision_once"),
            models.CheckConstraint(condition=Q(kind__in=["pin", "exclude"]), name="shortlist_decision_kind_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="shortlist_decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.proposal_id} ({self.level})"


class BallotChoice(models.Model):
    """One proposal on a resident's budget ballot of a cycle. A ballot is the voter's row set, replaced whole
    under the voter's row lock (services/ballots.py); its total cost fits the pagu of the voter's kelurahan."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="ballot_choices")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ballot_choices")
    proposal = models.ForeignKey("aspirasi.Proposal", on_delete=models.CASCADE, related_name="ballot_choices")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["cycle", "voter", "id"]
        verbose_name = _("budget ballot choice")
        verbose_name_plural = _("budget ballot choices")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "voter", "proposal"], name="ballot_choice_once"),
        ]
        indexes = [models.Index(fields=["cycle", "proposal"], name="ballot_tally")]

    def __str__(self) -> str:
        return f"{self.voter_id} -> {self.proposal_id} ({self.cycle_id})"


class Forum(models.Model):
    """The record of one Musrenbang forum (musyawarah) of an area at a level: when and where, who came,
    the delegates it sent to the next level, and its minutes (berita acara) as a PDF."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="forums", verbose_name=_("cycle"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kelurahan = models.ForeignKey(
        "aspirasi.Kelurahan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kecamatan = models.ForeignKey(
        "aspirasi.Kecamatan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    attendance_men = models.PositiveIntegerField(_("attendance: men"), validators=[MaxValueValidator(100_000)])
    attendance_women = models.PositiveIntegerField(_("attendance: women"), validators=[MaxValueValidator(100_000)])
    attendance_disabled = models.PositiveIntegerField(
        _("attendance: persons with disabilities"), validators=[MaxValueValidator(100_000)]
    )
    delegates = models.JSONField(_("delegates to the next level"), default=list, blank=True)
    minutes = models.FileField(_("minutes (berita acara, PDF)"), upload_to="forums/%Y/%m/")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["cycle", "level", "held_on", "id"]
        verbose_name = _("Musrenbang forum")
        verbose_name_plural = _("Musrenbang forums")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="kelurahan", kelurahan__isnull=False, kecamatan__isnull=True))
                | (Q(level="kecamatan", kelurahan__isnull=True, kecamatan__isnull=False))
                | (Q(level="city", kelurahan__isnull=True, kecamatan__isnull=True)),
                name="forum_area_matches_level",
            ),
            models.UniqueConstraint(
                fields=["cycle", "kelurahan"], condition=Q(level="kelurahan"), name="forum_once_per_kelurahan"
            ),
            models.UniqueConstraint(
                fields=["cycle", "kecamatan"], condition=Q(level="kecamatan"), name="forum_once_per_kecamatan"
            ),
            models.UniqueConstraint(fields=["cycle"], condition=Q(level="city"), name="forum_once_for_city"),
        ]

    def __str__(self) -> str:
        return f"Musrenbang {self.level} {self.area_id or ''} {self.held_on}"

    @property
    def area_id(self) -> int | None:
        return self.kelurahan_id if self.level == Level.KELURAHAN else self.kecamatan_id


class PaperSupport(models.Model):
    """Support gathered on paper at a forum, counted and entered by staff: kept apart from app votes (never
    in vote_count) and shown as paper support. Who entered it is audited (AuditEntry)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="paper_support")
    proposal = models.ForeignKey("aspirasi.Proposal", on_delete=models.CASCADE, related_name="paper_support")
    count = models.PositiveIntegerField(_("paper support"), validators=[MaxValueValidator(1_000_000)])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        ordering = ["forum", "proposal_id"]
        verbose_name = _("paper support")
        verbose_name_plural = _("paper support")
        constraints = [
            models.UniqueConstraint(fields=["forum", "proposal"], name="paper_support_once"),
            models.CheckConstraint(condition=Q(count__lte=1_000_000), name="paper_support_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.count} ({self.forum_id})"
