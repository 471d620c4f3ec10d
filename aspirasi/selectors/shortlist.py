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

_BUDGET_AREA = {Level.KELURAHAN: "kelurahan_id", Level.KECAMATAN: "kecamatan_id", Level.CITY: None}
# The columns read per proposal, as plain tuples (no named tuple per row): the positions below name them.
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
ID, TITLE, KELURAHAN, KELURAHAN_NAME, KECAMATAN, COST, VOTES, SCORE = range(len(_FIELDS))
_COLUMNS = len(_FIELDS)
# Read only for the T-D.4 export (selectors/td4.py): three joins the shortlist itself has no use for.
_TD4_FIELDS = ["category__name_id", "opd__name", "program__name", "volume", "unit"]
PILLAR_NAME, OPD_NAME, PROGRAM_NAME, VOLUME, UNIT = range(len(_FIELDS), len(_FIELDS) + len(_TD4_FIELDS))
# The area a proposal belongs to at each level: the field filtered on, and its position in the rows read.
AREA_FIELD = {Level.KELURAHAN: "kelurahan_id", Level.KECAMATAN: "kelurahan__kecamatan_id", Level.CITY: None}
_AREA_AT = {Level.KELURAHAN: KELURAHAN, Level.KECAMATAN: KECAMATAN, Level.CITY: None}


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
        self.over_by: dict[int, dict] = {}  # built by over()
        self.kelurahans: dict[int, dict] = {}  # built by kelurahan()

    def kelurahan(self, pk: int, name: str) -> dict:
        area = self.kelurahans.get(pk)
        if area is None:
            area = self.kelurahans[pk] = {"id": pk, "name": name}
        return area

    def over(self, amount: int) -> dict:
        reason = self.over_by.get(amount)
        if reason is None:
            text = self._over % {"amount": rupiah(amount, english=self.english)}
            reason = self.over_by[amount] = {"code": REASON_OVER, "text": text, "over_by": amount}
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
    rows = rows.order_by(*RANK_ORDER).values_list(*row_fields(rows_too=rows_too))
    result, texts = [], _Texts()
    # Every row read and every item built survives to the answer: the collector's full passes found nothing.
    with collector_paused():
        # Read in one fetch, not through a server-side cursor in chunks: every row is kept anyway, and the cursor
        # made PostgreSQL store the whole result once more before sending it.
        rows = list(rows)
        if len(areas) == 1:  # the query kept only the rows of the areas with a pagu
            next(iter(areas.values())).rows = rows
        else:
            at = _AREA_AT[level]
            for row in rows:
                areas[row[at]].rows.append(row)
        del rows
        for area in areas.values():
            shortlist = _area_shortlist(area, decisions, texts)
            if rows_too:
                shortlist["_rows"] = area.rows
            else:  # freed now, by reference counting, rather than walked by the collector's pass after the pause
                area.rows = []
            result.append(shortlist)
    return result


def _area_shortlist(area: _Area, decisions: dict, texts: _Texts) -> dict:
    pagu = area.budget.amount
    # The knapsack's items: the costed rows no planner decided on, in rank order (their ids, costs and profits).
    costed = [row for row in area.rows if row[COST] is not None]
    decided = [row for row in costed if row[ID] in decisions] if decisions else []
    free = [row for row in costed if row[ID] not in decisions] if decided else costed
    pinned = [row for row in decided if decisions[row[ID]][0] == "pin"]
    ids, costs = [row[ID] for row in free], [row[COST] for row in free]
    profits = [_profit(row[SCORE]) for row in free]
    pinned_ids = {row[ID] for row in pinned}
    pinned_cost = sum(row[COST] for row in pinned)
    pinned_profit = sum(_profit(row[SCORE]) for row in pinned)
    room = pagu - pinned_cost
    chosen = knapsack(profits=profits, weights=costs, capacity=room)
    optimal = [index for index, taken in enumerate(chosen) if taken]
    # a score of 0 the solver may leave out although it fits
    optimal += _filled(costs, chosen, room - sum(costs[index] for index in optimal))
    greedy = _filled(costs, [False] * len(costs), room)
    optimal_ids = pinned_ids | {ids[index] for index in optimal}
    greedy_ids = pinned_ids | {ids[index] for index in greedy}
    pins = (len(pinned), pinned_cost, pinned_profit)
    shortlist = _totals(optimal, costs, profits, pins=pins, pagu=pagu)
    greedy_totals = _totals(greedy, costs, profits, pins=pins, pagu=pagu)
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
        **_items(area.rows, decisions, optimal_ids, greedy_ids, max(remaining, 0), texts),
    }


def _profit(score: float | None) -> int:
    profit = round((score or 0.0) * SCORE_SCALE)
    return profit if profit > 0 else 0


def _filled(costs: list[int], taken: list[bool], left: int) -> list[int]:
    """Going down the ranking, each item not yet taken that still fits what is left of the room (the greedy by
    rank): their positions."""
    added = []
    for index, (cost, was_taken) in enumerate(zip(costs, taken, strict=True)):
        if not was_taken and cost <= left:
            left -= cost
            added.append(index)
    return added


def _totals(chosen: list[int], costs: list[int], profits: list[int], *, pins: tuple, pagu: int) -> dict:
    """Count, cost and score of the pinned rows (`pins`: their count, cost and profit) and of the items at the
    positions `chosen`."""
    count, cost, profit = pins
    cost += sum(costs[index] for index in chosen)
    profit += sum(profits[index] for index in chosen)
    return {
        "count": count + len(chosen),
        "total_cost": cost,
        "total_score": round(profit / SCORE_SCALE, 2),
        "remaining": pagu - cost,
    }


def _items(rows: list, decisions: dict, optimal: set[int], greedy: set[int], room: int, texts: _Texts) -> dict:
    """The answer's proposals, and apart those without a cost estimate, in rank order; `room` is what the shortlist
    leaves of the pagu (0 when pins overspend it). One loop, its lookups bound once: it runs per proposal."""
    proposals, without_cost = [], []
    kelurahan, over, fits, no_cost = texts.kelurahan, texts.over, texts.fits, texts.no_cost
    kelurahan_built, over_built = texts.kelurahans.get, texts.over_by.get  # most rows find theirs built
    for rank, row in enumerate(rows, start=1):
        pk, title, kelurahan_id, kelurahan_name, _kecamatan_id, cost, votes, score = row[:_COLUMNS]
        decision = decisions.get(pk) if decisions else None
        in_shortlist = pk in optimal  # both sets hold costed proposals only
        if cost is None:
            reason = no_cost
        elif decision is not None:
            kind, text = decision[0], texts.pinned if decision[0] == "pin" else texts.excluded
            code = REASON_PINNED if kind == "pin" else REASON_EXCLUDED
            reason = {"code": code, "text": text % {"reason": decision[1]}, "over_by": None}
        elif in_shortlist:
            reason = fits
        else:
            reason = over_built(cost - room) or over(cost - room)
        (proposals if cost is not None else without_cost).append(
            {
                "id": pk,
                "title": title,
                "rank": rank,
                "kelurahan": kelurahan_built(kelurahan_id) or kelurahan(kelurahan_id, kelurahan_name),
                "score": round(score or 0.0, 2),
                "vote_count": votes,
                "estimated_cost": cost,
                "in_shortlist": in_shortlist,
                "in_greedy": pk in greedy,
                "decision": {"kind": decision[0], "reason": decision[1]} if decision else None,
                "reason": reason,
            }
        )
    return {"proposals": proposals, "without_cost_estimate": without_cost}
