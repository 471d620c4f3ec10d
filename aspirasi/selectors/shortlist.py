"""Reads of the funded shortlist: per area, the proposals that fit its pagu with the most total priority
(an exact 0/1 knapsack, aspirasi/knapsack.py) beside the greedy by-rank list, each proposal with why it is in
or out. Planners' pins and exclusions (ShortlistDecision) are applied first; the rest is optimised around them.

Three queries whatever the number of areas (budgets, decisions, the scored rows) plus scoring's one."""

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aspirasi.gc_pause import collector_paused
from aspirasi.knapsack import knapsack
from aspirasi.models import AreaBudget, Cycle, Kecamatan, Kelurahan, Level, ShortlistDecision
from aspirasi.selectors.planning import CITY_NAME, RANK_ORDER, level_queryset
from aspirasi.templatetags.aspirasi_admin import rupiah as format_rupiah

SOLVER = "highs"  # HiGHS MIP on the core left by exact reduced-cost fixing (aspirasi/knapsack.py)
# The knapsack's profits: the score in hundredths of a point, as the API shows it (two decimals).
SCORE_SCALE = 100

REASON_FITS = "fits"
REASON_OVER = "over_remaining_pagu"
REASON_NO_COST = "no_cost_estimate"
REASON_PINNED = "pinned"
REASON_EXCLUDED = "excluded"
REASON_CODES = (REASON_FITS, REASON_OVER, REASON_NO_COST, REASON_PINNED, REASON_EXCLUDED)

# The area a proposal belongs to at each level, as a field of the rows read.
AREA_FIELD = {Level.KELURAHAN: "kelurahan_id", Level.KECAMATAN: "kelurahan__kecamatan_id", Level.CITY: None}
_BUDGET_AREA = {Level.KELURAHAN: "kelurahan_id", Level.KECAMATAN: "kecamatan_id", Level.CITY: None}
_FIELDS = [
    "id",
    "title",
    "kelurahan_id",
    "kelurahan__name",
    "kelurahan__kecamatan_id",
    "estimated_cost",
    "vote_count",
    "score",
]
# Read only for the T-D.4 export (selectors/td4.py): three joins the shortlist itself has no use for.
_TD4_FIELDS = ["category__name_id", "opd__name", "program__name", "volume", "unit"]


def row_fields(*, rows_too: bool) -> list[str]:
    """The columns shortlist_for reads per proposal (with the T-D.4 export's when `rows_too`)."""
    return _FIELDS + _TD4_FIELDS if rows_too else _FIELDS


def rupiah(amount: int, *, english: bool | None = None) -> str:
    """Rp with the separators of the language (the request's when `english` is None): the project's one rule,
    templatetags.aspirasi_admin.rupiah."""
    if english is None:
        english = (get_language() or "id").startswith("en")
    return format_rupiah(amount, english=english)


class _Texts:
    """The reasons in the request's language, built once per answer and shared by the proposals that have the
    same (read only: the answer is rendered, never changed): 100,000 proposals had 800 costs, so 800 texts
    over the pagu, and one `fits`."""

    def __init__(self):
        self.english = (get_language() or "id").startswith("en")
        self.pinned = _("Pinned: %(reason)s")
        self.excluded = _("Excluded: %(reason)s")
        self.no_cost = {"code": REASON_NO_COST, "text": _("No cost estimate: it cannot be checked against the pagu."),
                        "over_by": None}  # fmt: skip
        self.fits = {"code": REASON_FITS, "text": _("Fits the pagu."), "over_by": None}
        self._over = _("Over the remaining pagu by %(amount)s.")
        self._over_by: dict[int, dict] = {}
        self._kelurahan: dict[int, dict] = {}

    def kelurahan(self, pk: int, name: str) -> dict:
        area = self._kelurahan.get(pk)
        if area is None:
            area = self._kelurahan[pk] = {"id": pk, "name": name}
        return area

    def over(self, amount: int) -> dict:
        reason = self._over_by.get(amount)
        if reason is None:
            text = self._over % {"amount": rupiah(amount, english=self.english)}
            reason = self._over_by[amount] = {"code": REASON_OVER, "text": text, "over_by": amount}
        return reason


@dataclass
class _Area:
    id: int | None
    name: str
    budget: AreaBudget
    rows: list = field(default_factory=list)


def area_name(level: str, area_id: int | None) -> str | None:
    """The area's name at `level`, or None when there is no such area (the city has none: its name)."""
    if level == Level.CITY:
        return CITY_NAME if area_id is None else None
    model = Kelurahan if level == Level.KELURAHAN else Kecamatan
    return model.objects.filter(pk=area_id).values_list("name", flat=True).first()


def budgets_of(*, cycle: Cycle, level: str, area_id: int | None = None):
    """The pagu rows of `level` in `cycle` (one area's when `area_id` is given), with their area's name."""
    budgets = AreaBudget.objects.filter(cycle=cycle, level=level).select_related("kelurahan", "kecamatan")
    if area_id is not None and _BUDGET_AREA[level]:
        budgets = budgets.filter(**{_BUDGET_AREA[level]: area_id})
    return budgets.order_by("kecamatan__code", "kelurahan__kecamatan__code", "kelurahan__name", "id")


def shortlist_for(*, cycle: Cycle, level: str, area_id: int | None = None, rows_too: bool = False) -> list[dict]:
    """The shortlist of every area of `level` that has a pagu (only `area_id`'s when given), as plain JSON;
    with `rows_too` each area also holds `_rows`, the rows read (for the T-D.4 export)."""
    areas: dict[int | None, _Area] = {}
    for budget in budgets_of(cycle=cycle, level=level, area_id=area_id):
        area = budget.kelurahan if level == Level.KELURAHAN else budget.kecamatan
        areas[budget.area_id] = _Area(
            id=budget.area_id, name=area.name if area is not None else CITY_NAME, budget=budget
        )
    if not areas:
        return []
    decisions = {
        proposal_id: (kind, reason)
        for proposal_id, kind, reason in ShortlistDecision.objects.filter(cycle=cycle, level=level).values_list(
            "proposal_id", "kind", "reason"
        )
    }
    area_field = AREA_FIELD[level]
    rows = level_queryset(cycle=cycle, level=level, area_id=area_id, category_id=None)
    if area_field and area_id is None:
        rows = rows.filter(**{f"{area_field}__in": [pk for pk in areas if pk is not None]})
    fields = row_fields(rows_too=rows_too)
    result, texts = [], _Texts()
    # Every row read and every item built survives to the answer: the collector's full passes found nothing.
    with collector_paused():
        for row in rows.order_by(*RANK_ORDER).values_list(*fields, named=True).iterator(chunk_size=5000):
            key = getattr(row, area_field) if area_field else None
            if key in areas:
                areas[key].rows.append(row)
        for area in areas.values():
            shortlist = _area_shortlist(area, decisions, texts)
            if rows_too:
                shortlist["_rows"] = area.rows
            result.append(shortlist)
    return result


def _area_shortlist(area: _Area, decisions: dict, texts: _Texts) -> dict:
    pagu = area.budget.amount
    costed, pinned, free = [], [], []
    for row in area.rows:
        if row.estimated_cost is not None:
            costed.append(row)
            decision = decisions.get(row.id)
            if decision is None:
                free.append(row)
            elif decision[0] == "pin":
                pinned.append(row)
    room = pagu - sum(row.estimated_cost for row in pinned)
    profits = [_profit(row) for row in free]
    chosen = knapsack(profits=profits, weights=[row.estimated_cost for row in free], capacity=room)
    optimal = {row.id for row, taken in zip(free, chosen, strict=True) if taken}
    optimal |= _filled(free, optimal, room)  # a score of 0 the solver may leave out although it fits
    greedy = {row.id for row in pinned} | _filled(free, set(), room)
    optimal_ids = optimal | {row.id for row in pinned}
    shortlist, greedy_totals = _totals(costed, optimal_ids, pagu), _totals(costed, greedy, pagu)
    remaining = shortlist["remaining"]
    return {
        "area": {"id": area.id, "name": area.name},
        "pagu": {"id": area.budget.pk, "amount": pagu, "source": area.budget.source},
        "solver": SOLVER,
        "shortlist": shortlist,
        "greedy": greedy_totals,
        "pins_over_pagu": room < 0,
        "remaining": remaining,
        "greedy_remaining": greedy_totals["remaining"],
        **_items(area.rows, decisions, optimal_ids, greedy, max(remaining, 0), texts),
    }


def _profit(row) -> int:
    profit = round((row.score or 0.0) * SCORE_SCALE)
    return profit if profit > 0 else 0


def _filled(rows: list, taken: set[int], room: int) -> set[int]:
    """Going down the ranking, each row not yet taken that still fits the room left (the greedy by rank)."""
    left = room - sum(row.estimated_cost for row in rows if row.id in taken)
    added = set()
    for row in rows:
        if row.id not in taken and row.estimated_cost <= left:
            left -= row.estimated_cost
            added.add(row.id)
    return added


def _totals(rows: list, ids: set[int], pagu: int) -> dict:
    count = cost = profit = 0
    for row in rows:
        if row.id in ids:
            count, cost, profit = count + 1, cost + row.estimated_cost, profit + _profit(row)
    return {"count": count, "total_cost": cost, "total_score": round(profit / SCORE_SCALE, 2), "remaining": pagu - cost}


def _items(rows: list, decisions: dict, optimal: set[int], greedy: set[int], room: int, texts: _Texts) -> dict:
    """The answer's proposals, and apart those without a cost estimate, in rank order; `room` is what the shortlist
    leaves of the pagu (0 when pins overspend it). One loop, its lookups bound once: it runs per proposal."""
    proposals, without_cost = [], []
    kelurahan, over, fits, no_cost = texts.kelurahan, texts.over, texts.fits, texts.no_cost
    for rank, row in enumerate(rows, start=1):
        pk, title, kelurahan_id, kelurahan_name, _kecamatan_id, cost, votes, score = row[:8]  # _FIELDS' order
        decision = decisions.get(pk) if decisions else None
        if cost is None:
            reason = no_cost
        elif decision is not None:
            kind, text = decision[0], texts.pinned if decision[0] == "pin" else texts.excluded
            code = REASON_PINNED if kind == "pin" else REASON_EXCLUDED
            reason = {"code": code, "text": text % {"reason": decision[1]}, "over_by": None}
        elif pk in optimal:
            reason = fits
        else:
            reason = over(cost - room)
        (proposals if cost is not None else without_cost).append(
            {
                "id": pk,
                "title": title,
                "rank": rank,
                "kelurahan": kelurahan(kelurahan_id, kelurahan_name),
                "score": round(score or 0.0, 2),
                "vote_count": votes,
                "estimated_cost": cost,
                "in_shortlist": pk in optimal,  # both sets hold costed proposals only
                "in_greedy": pk in greedy,
                "decision": {"kind": decision[0], "reason": decision[1]} if decision else None,
                "reason": reason,
            }
        )
    return {"proposals": proposals, "without_cost_estimate": without_cost}
