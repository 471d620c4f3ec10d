"""Reads for planning: priority scores with their breakdown, ranked priorities per level, totals,
cycles, programs and the planner dashboard.

The score is computed in the database (docs/planning.md): every term is an annotation in [0, 1],
the score is 100 * sum(weight * term) / sum(weight), and the rank within each area and pillar is a
ROW_NUMBER() window. A priorities page costs three queries whatever the number of proposals: the
maximum votes per kelurahan (to normalise support), the totals per area and pillar, and the rows.
"""

import math
from collections.abc import Callable, Iterator
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Least, Ln, RowNumber, TruncDate
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aspirasi.models import (
    BallotChoice,
    CarriedProposal,
    Category,
    Cycle,
    Kecamatan,
    Kelurahan,
    Level,
    Program,
    Proposal,
    ProposalStatus,
    Vote,
)

P = ProposalStatus
# Published and later; merged proposals are left out because their votes were moved to the target.
SCORED_STATUSES = (P.PUBLISHED, P.ACCEPTED, P.IN_PROGRESS, P.COMPLETED)

# Reference points of the normalised terms (docs/planning.md explains the choice).
BENEFICIARIES_REFERENCE = 10_000  # ln(1 + n) / ln(1 + 10,000): 10,000 beneficiaries or more score 1
POOR_HOUSEHOLDS_REFERENCE = 1_000  # ln(1 + n) / ln(1 + 1,000)
COST_PER_BENEFICIARY_REFERENCE = 1_000_000  # Rp 1 million per beneficiary scores 0.5; cheaper scores more

# Term name -> the Cycle field holding its weight. The order is the order of the breakdown and exports.
TERMS: dict[str, str] = {
    "support": "weight_support",
    "beneficiaries": "weight_beneficiaries",
    "poor_households": "weight_poor_households",
    "pillar": "weight_pillar",
    "need": "weight_need",
    "cost": "weight_cost",
    "ballot": "weight_ballot",
}
TERM_LABELS = {
    "support": _("Support (votes / most votes in the kelurahan)"),
    "beneficiaries": _("Beneficiaries (log-scaled)"),
    "poor_households": _("Poor households reached (log-scaled)"),
    "pillar": _("Pillar weight of the city strategy"),
    "need": _("Kelurahan need weight"),
    "cost": _("Cost per beneficiary (cheaper scores higher)"),
    "ballot": _("Budget ballots (ballots / most ballots in the kelurahan)"),
}
# Deterministic ranking: score desc, votes desc, created_at asc, id asc.
RANK_ORDER = [F("score").desc(), F("vote_count").desc(), F("created_at").asc(), F("id").asc()]
CITY_NAME = "Kota Balikpapan"

_FLOAT = FloatField()


def cycle_weights(cycle: Cycle | None) -> dict[str, float]:
    """The weight of every term for `cycle` (the model defaults when there is no cycle)."""
    source = cycle if cycle is not None else Cycle()
    return {term: float(getattr(source, field)) for term, field in TERMS.items()}


def _log_scaled(field: str, reference: int):
    value = Cast(Coalesce(F(field), Value(0)), _FLOAT) + Value(1.0)
    return Least(Ln(value) / Value(math.log(1 + reference)), Value(1.0), output_field=_FLOAT)


def _in_cycle(cycle: Cycle | None) -> Q:
    return Q(cycle=cycle) if cycle is not None else Q(cycle__isnull=True)


def _scored_base(cycle: Cycle | None) -> QuerySet[Proposal]:
    """The proposals of `cycle` that get a score, without it."""
    return Proposal.objects.filter(_in_cycle(cycle), status__in=SCORED_STATUSES, is_hidden=False)


def scored_proposals(*, cycle: Cycle | None) -> QuerySet[Proposal]:
    """Proposals of `cycle` that get a score, annotated with every term (t_<term>) and `score` (0-100).

    One query now (the most votes per kelurahan); the returned queryset is one more."""
    base = _scored_base(cycle)
    most_votes = dict(
        base.order_by().values("kelurahan_id").annotate(most=Max("vote_count")).values_list("kelurahan_id", "most")
    )
    kelurahan_most = Case(
        *[When(kelurahan_id=k, then=Value(float(max(m or 0, 1)))) for k, m in most_votes.items()],
        default=Value(1.0),
        output_field=_FLOAT,
    )
    weights = cycle_weights(cycle)
    total_weight = sum(weights.values())
    cost_term = Case(
        When(
            estimated_cost__isnull=False,
            estimated_beneficiaries__gt=0,
            then=ExpressionWrapper(
                Value(1.0)
                / (
                    Value(1.0)
                    + Cast(F("estimated_cost"), _FLOAT)
                    / (Cast(F("estimated_beneficiaries"), _FLOAT) * Value(float(COST_PER_BENEFICIARY_REFERENCE)))
                ),
                output_field=_FLOAT,
            ),
        ),
        default=Value(0.0),
        output_field=_FLOAT,
    )
    queryset = base.annotate(
        t_ballot=_ballot_term(cycle, weights),
        t_support=ExpressionWrapper(Cast(F("vote_count"), _FLOAT) / kelurahan_most, output_field=_FLOAT),
        t_beneficiaries=_log_scaled("estimated_beneficiaries", BENEFICIARIES_REFERENCE),
        t_poor_households=_log_scaled("estimated_poor_households", POOR_HOUSEHOLDS_REFERENCE),
        t_pillar=Cast(F("category__pillar_weight"), _FLOAT),
        t_need=Cast(F("kelurahan__need_weight"), _FLOAT),
        t_cost=cost_term,
    )
    if total_weight <= 0:
        return queryset.annotate(score=Value(0.0, output_field=_FLOAT))
    weighted = Value(0.0, output_field=_FLOAT)
    for term, weight in weights.items():
        weighted = weighted + F(f"t_{term}") * Value(weight)
    return queryset.annotate(score=_Score(weighted * Value(100.0 / total_weight), output_field=_FLOAT))


class _Score(ExpressionWrapper):
    """The weighted sum, read as the database returns it: a double precision (PostgreSQL) or REAL (SQLite) sum
    of floats, already a Python float, so not passed through a FloatField expression's float() row by row
    (a tenth of the shortlist's Python at 100,000 rows)."""

    def get_db_converters(self, connection):
        return []


def _ballot_term(cycle: Cycle | None, weights: dict[str, float]):
    """Budget ballots choosing the proposal / the most any proposal of its kelurahan got (0 to 1). Read only
    when the cycle offers ballots and weighs them: one query for the maxima, a counted subquery per row."""
    if cycle is None or not cycle.budget_ballot or weights["ballot"] <= 0:
        return Value(0.0, output_field=_FLOAT)
    most: dict[int, int] = {}
    counts = (
        BallotChoice.objects.filter(cycle=cycle)
        .values("proposal__kelurahan_id", "proposal_id")
        .annotate(n=Count("id"))
        .values_list("proposal__kelurahan_id", "n")
    )
    for kelurahan_id, n in counts:
        most[kelurahan_id] = max(most.get(kelurahan_id, 1), n)
    tally = (
        BallotChoice.objects.filter(cycle=cycle, proposal_id=OuterRef("pk"))
        .order_by()
        .values("proposal_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    kelurahan_most = Case(
        *[When(kelurahan_id=k, then=Value(float(m))) for k, m in most.items()],
        default=Value(1.0),
        output_field=_FLOAT,
    )
    return ExpressionWrapper(Cast(Coalesce(Subquery(tally), Value(0)), _FLOAT) / kelurahan_most, output_field=_FLOAT)


# --- priorities per level ----------------------------------------------------------------------------

_AREA = {
    Level.KELURAHAN: ("kelurahan_id", "kelurahan__name", ["kelurahan__kecamatan__code", "kelurahan__name"]),
    Level.KECAMATAN: ("kelurahan__kecamatan_id", "kelurahan__kecamatan__name", ["kelurahan__kecamatan__code"]),
    Level.CITY: (None, None, []),
}


def _carried(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """The forum rank each proposal was carried with into the kecamatan and the city (null: not carried).

    Joined (at most one row per proposal and level: carried_once_per_level), not a subquery per row: the
    ranking reads every proposal of the cycle, and two subqueries each were a third of a city-wide page."""
    return queryset.annotate(
        _carried_kecamatan=FilteredRelation("carried", condition=Q(carried__level=Level.KECAMATAN)),
        _carried_city=FilteredRelation("carried", condition=Q(carried__level=Level.CITY)),
    ).annotate(carried_kecamatan=F("_carried_kecamatan__rank"), carried_city=F("_carried_city__rank"))


def level_queryset(
    *, cycle: Cycle | None, level: str, area_id: int | None, category_id: int | None, scored: bool = True
) -> QuerySet[Proposal]:
    """The proposals ranked at `level` (at a higher level: those carried into it), optionally in one area and
    category; annotated with their scores unless `scored` is False."""
    queryset = scored_proposals(cycle=cycle) if scored else _scored_base(cycle)
    if level != Level.KELURAHAN:
        # A level's list is what the forum below carried into it.
        queryset = queryset.filter(Exists(CarriedProposal.objects.filter(proposal=OuterRef("pk"), level=level)))
    area_field = _AREA[level][0]
    if area_id is not None and area_field:
        queryset = queryset.filter(**{area_field: area_id})
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    return queryset


ROW_FIELDS = [
    "id",
    "title",
    "status",
    "category_id",
    "category__slug",
    "category__name_id",
    "category__name_en",
    "kelurahan_id",
    "kelurahan__name",
    "kelurahan__kecamatan_id",
    "kelurahan__kecamatan__name",
    "rt",
    "rw",
    "volume",
    "unit",
    "estimated_cost",
    "opd__name",
    "vote_count",
    "estimated_beneficiaries",
    "estimated_poor_households",
    "latitude",
    "longitude",
    "created_at",
    "score",
    *(f"t_{term}" for term in TERMS),
    "rank",
    "carried_kecamatan",
    "carried_city",
]


def is_ranked_at(*, proposal_id: int, cycle: Cycle | None, level: str, area_id: int | None = None) -> bool:
    """Whether the proposal is on `level`'s list (in `area_id`'s area when given): what a pin, an exclusion or
    a forum's paper support may apply to."""
    ranked = level_queryset(cycle=cycle, level=level, area_id=area_id, category_id=None, scored=False)
    return ranked.filter(pk=proposal_id).exists()


def _ranked(*, cycle: Cycle | None, level: str, area_id: int | None, category_id: int | None) -> QuerySet[Proposal]:
    area_field, _name, area_order = _AREA[level]
    partition = [F("category_id")] + ([F(area_field)] if area_field else [])
    queryset = _carried(level_queryset(cycle=cycle, level=level, area_id=area_id, category_id=category_id))
    return queryset.annotate(rank=Window(RowNumber(), partition_by=partition, order_by=RANK_ORDER)).order_by(
        *area_order, "category__order", "category__slug", *RANK_ORDER
    )


def priorities_for_cycle(
    *, cycle: Cycle | None, level: str, area_id: int | None = None, category_id: int | None = None
) -> QuerySet:
    """Ranked priority rows of `level` (PriorityRow, ROW_FIELDS by name): ranked within each area and pillar,
    ordered by area, pillar and rank. One query (after scored_proposals' one); slice it for a page or
    .iterator() it for an export. The API explains a row (priority_explain); exports.py tabulates it."""
    return _ranked(cycle=cycle, level=level, area_id=area_id, category_id=category_id).values_list(
        *ROW_FIELDS, named=True
    )


def priority_totals(
    *, cycle: Cycle | None, level: str, area_id: int | None = None, category_id: int | None = None
) -> list[dict]:
    """Count, votes, beneficiaries and estimated cost per area and pillar of `level`, in the rows' order.
    Three queries at most, none of them scoring.

    The sums are grouped by ids alone and named afterwards: grouped by the names and sort keys too,
    PostgreSQL expected a group per proposal and sorted every row on disk first (215 ms against 51 ms for
    a city-wide kelurahan page at 100k proposals)."""
    area_field = _AREA[level][0]
    keys = [area_field, "category_id"] if area_field else ["category_id"]
    sums = (
        level_queryset(cycle=cycle, level=level, area_id=area_id, category_id=category_id, scored=False)
        .order_by()
        .values(*keys)
        .annotate(
            count=Count("id"),
            votes=Coalesce(Sum("vote_count"), 0),
            beneficiaries=Coalesce(Sum("estimated_beneficiaries"), 0),
            estimated_cost=Coalesce(Sum("estimated_cost"), 0),
        )
    )
    # Names and the rows' order, from the reference tables, sorted by the database (the collation of the rows'
    # ORDER BY): a handful of rows each.
    pillars = list(Category.objects.order_by("order", "slug").values("id", "slug", "name_id", "name_en"))
    if level == Level.KELURAHAN:
        areas = list(Kelurahan.objects.order_by("kecamatan__code", "name").values_list("id", "name"))
    elif level == Level.KECAMATAN:
        areas = list(Kecamatan.objects.order_by("code").values_list("id", "name"))
    else:
        areas = [(None, CITY_NAME)]
    area_at = {pk: position for position, (pk, _name) in enumerate(areas)}
    pillar_at = {pillar["id"]: position for position, pillar in enumerate(pillars)}
    totals = []
    for row in sums:
        area = row[area_field] if area_field else None
        totals.append(
            (
                (area_at[area], pillar_at[row["category_id"]]),
                {
                    "area": {"id": area, "name": areas[area_at[area]][1]},
                    "pillar": _pillar_named(**pillars[pillar_at[row["category_id"]]]),
                    "count": row["count"],
                    "votes": row["votes"],
                    "beneficiaries": row["beneficiaries"],
                    "estimated_cost": row["estimated_cost"],
                },
            )
        )
    return [total for _position, total in sorted(totals, key=lambda item: item[0])]


def _pillar_named(*, id: int, slug: str, name_id: str, name_en: str) -> dict:
    english = (get_language() or "id").startswith("en")
    return {"id": id, "slug": slug, "name": name_en if english else name_id, "name_id": name_id}


def _explainer(*, level: str, weights: dict[str, float]) -> Callable[[tuple], dict]:
    """priority_explain for many rows: the labels, language and weight factors are looked up once."""
    total_weight = sum(weights.values()) or 1.0
    # 100.0 * weight first, as the formula reads: the float operations (and so the rounding) stay the same.
    terms = [(term, f"t_{term}", str(TERM_LABELS[term]), weights[term], 100.0 * weights[term]) for term in TERMS]
    area_field, area_name, _order = _AREA[level]
    pillar_name = "category__name_en" if (get_language() or "id").startswith("en") else "category__name_id"

    def explain(row) -> dict:
        breakdown = []
        for term, field, label, weight, factor in terms:
            value = float(getattr(row, field) or 0.0)
            breakdown.append(
                {
                    "term": term,
                    "label": label,
                    "value": round(value, 4),
                    "weight": weight,
                    "contribution": round(factor * value / total_weight, 2),
                }
            )
        area = (
            {"id": getattr(row, area_field), "name": getattr(row, area_name)}
            if area_field
            else {"id": None, "name": CITY_NAME}
        )
        return {
            "id": row.id,
            "rank": row.rank,
            "title": row.title,
            "status": row.status,
            "area": area,
            "pillar": {
                "id": row.category_id,
                "slug": row.category__slug,
                "name": getattr(row, pillar_name),
                "name_id": row.category__name_id,
            },
            "kelurahan": {"id": row.kelurahan_id, "name": row.kelurahan__name},
            "kecamatan": {"id": row.kelurahan__kecamatan_id, "name": row.kelurahan__kecamatan__name},
            "rt": row.rt,
            "rw": row.rw,
            "volume": None if row.volume is None else float(row.volume),
            "unit": row.unit,
            "estimated_cost": row.estimated_cost,
            "opd": row.opd__name,
            "vote_count": row.vote_count,
            "estimated_beneficiaries": row.estimated_beneficiaries,
            "estimated_poor_households": row.estimated_poor_households,
            "latitude": None if row.latitude is None else float(row.latitude),
            "longitude": None if row.longitude is None else float(row.longitude),
            "score": round(float(row.score or 0.0), 2),
            "breakdown": breakdown,
            "carried": {"kecamatan": row.carried_kecamatan, "city": row.carried_city},
            "created_at": row.created_at.isoformat(),
        }

    return explain


def priority_explain(row: dict, *, level: str, weights: dict[str, float]) -> dict:
    """One priority row as the API and exports show it, with each score term, its weight and contribution."""
    return _explainer(level=level, weights=weights)(row)


EXPORT_CHUNK_ROWS = 2000


class PriorityRows:
    """Every priority row of `level`, streamed from the database in chunks (never all held in memory).

    Iterating gives the rows explained as the API shows them (JSON, GeoJSON); `rows()` gives them as read
    (PriorityRow), which exports.py tabulates for CSV and XLSX without building the explained dicts."""

    def __init__(self, *, cycle: Cycle | None, level: str, area_id: int | None = None, category_id: int | None = None):
        self.cycle, self.level = cycle, level
        self.filters = {"cycle": cycle, "level": level, "area_id": area_id, "category_id": category_id}

    @property
    def weights(self) -> dict[str, float]:
        return cycle_weights(self.cycle)

    def rows(self) -> Iterator[tuple]:
        return priorities_for_cycle(**self.filters).iterator(chunk_size=EXPORT_CHUNK_ROWS)

    def __iter__(self) -> Iterator[dict]:
        explain = _explainer(level=self.level, weights=self.weights)
        return map(explain, self.rows())


def priority_rows(
    *, cycle: Cycle | None, level: str, area_id: int | None = None, category_id: int | None = None
) -> PriorityRows:
    """Every priority row of `level`, explained when iterated, streamed from the database in chunks."""
    return PriorityRows(cycle=cycle, level=level, area_id=area_id, category_id=category_id)


# --- cycles and programs -----------------------------------------------------------------------------


def cycles_list() -> QuerySet[Cycle]:
    return Cycle.objects.order_by("-submission_starts_on", "-id")


def programs_list(*, proposal_id: int | None = None, cycle_id: int | None = None) -> QuerySet[Program]:
    """Programs with their OPD, pillar and number of linked public proposals; filtered by a linked proposal."""
    from aspirasi.models.proposals import PUBLIC_STATUSES

    queryset = Program.objects.select_related("opd", "category", "cycle").annotate(
        proposal_count=Count("proposals", filter=Q(proposals__status__in=PUBLIC_STATUSES))
    )
    if proposal_id is not None:
        queryset = queryset.filter(
            Exists(Proposal.objects.filter(pk=proposal_id, program=OuterRef("pk"), status__in=PUBLIC_STATUSES))
        )
    if cycle_id is not None:
        queryset = queryset.filter(cycle_id=cycle_id)
    return queryset.order_by("-period_start", "-id")


def program_detail(*, program_id: int) -> Program:
    """A program with its updates and its linked public proposals (three queries)."""
    from aspirasi.models.proposals import PUBLIC_STATUSES

    return (
        programs_list()
        .prefetch_related(
            "updates",
            Prefetch(
                "proposals",
                queryset=Proposal.objects.filter(status__in=PUBLIC_STATUSES)
                .select_related("kelurahan")
                .order_by("-vote_count", "id"),
            ),
        )
        .get(pk=program_id)
    )


# --- the planner dashboard ---------------------------------------------------------------------------


def planning_dashboard(*, cycle: Cycle | None, top: int = 5) -> dict:
    """Totals per pillar and per kecamatan, votes per day and the top proposals per pillar, as plain JSON.
    Seven queries whatever the size of the cycle."""
    scored = scored_proposals(cycle=cycle)
    per_pillar = list(
        scored.order_by()
        .values("category_id", "category__name_id", "category__order")
        .annotate(count=Count("id"), votes=Coalesce(Sum("vote_count"), 0), cost=Coalesce(Sum("estimated_cost"), 0))
        .order_by("category__order", "category_id")
    )
    per_kecamatan = list(
        scored.order_by()
        .values("kelurahan__kecamatan_id", "kelurahan__kecamatan__name", "kelurahan__kecamatan__code")
        .annotate(count=Count("id"), votes=Coalesce(Sum("vote_count"), 0), cost=Coalesce(Sum("estimated_cost"), 0))
        .order_by("kelurahan__kecamatan__code")
    )
    votes_per_day = list(
        Vote.objects.filter(Q(proposal__cycle=cycle) if cycle is not None else Q(proposal__cycle__isnull=True))
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    top_rows = (
        scored.annotate(pillar_rank=Window(RowNumber(), partition_by=[F("category_id")], order_by=RANK_ORDER))
        .filter(pillar_rank__lte=top)
        .order_by("category__order", "category_id", "pillar_rank")
        .values("id", "title", "category__name_id", "kelurahan__name", "vote_count", "score", "pillar_rank")
    )
    return {
        "cycle": {"id": cycle.pk, "name": cycle.name, "phase": cycle.current_phase} if cycle else None,
        "pillars": [
            {"name": r["category__name_id"], "count": r["count"], "votes": r["votes"], "cost": r["cost"]}
            for r in per_pillar
        ],
        "kecamatan": [
            {"name": r["kelurahan__kecamatan__name"], "count": r["count"], "votes": r["votes"], "cost": r["cost"]}
            for r in per_kecamatan
        ],
        "votes_per_day": [{"day": _iso(r["day"]), "count": r["count"]} for r in votes_per_day],
        "top": [
            {
                "id": r["id"],
                "title": r["title"],
                "pillar": r["category__name_id"],
                "kelurahan": r["kelurahan__name"],
                "votes": r["vote_count"],
                "score": round(float(r["score"]), 2),
                "rank": r["pillar_rank"],
            }
            for r in top_rows
        ],
    }


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)
