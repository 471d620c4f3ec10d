"""Shortlist benchmark (issue 24), `make bench BENCH_ARGS=--only shortlist`: the funded shortlist of one
kecamatan at N carried proposals, and of all 34 kelurahan of a city of N proposals at once. Targets at
N = 100,000: one kecamatan under 1 s, all 34 kelurahan under 3 s.

Two cycles, so each case reads the data set the target names: "Bench shortlist kecamatan" puts N proposals in
one kecamatan, all carried into the kecamatan level (its forum's list), with a pagu of a twentieth of their
cost; "Bench shortlist city" spreads N over the 34 kelurahan, Rp 1.5 billion each. Seeded with bulk_create
in batches of 10,000 (a batch built, written and dropped at a time: memory stays flat), once per size: a later
run finds that size's cycles and reuses them.

Each case is timed whole (budgets, decisions, the scored query, the knapsack, the reasons: `shortlist_for`),
median of 5 after a warm-up, beside its floor: the same scored rows read alone in the same order, what the
database and the ORM cost before the selector does anything with them. The solver's share is timed inside.
Also runnable alone (prints the figures as JSON on its last line):

    DATABASE_URL=... .venv/bin/python bench/shortlist_bench.py [seed|run]
"""

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from aspirasi import knapsack as knapsack_module  # noqa: E402
from aspirasi.models import (  # noqa: E402
    AreaBudget,
    CarriedProposal,
    Category,
    Cycle,
    Kecamatan,
    Kelurahan,
    Proposal,
    User,
)
from aspirasi.selectors import shortlist as shortlist_module  # noqa: E402
from aspirasi.selectors.planning import RANK_ORDER, level_queryset  # noqa: E402

PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", 100_000))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
BATCH = 10_000
# One pair of cycles per size: each is seeded in one transaction, so it exists whole or not at all, and another
# size never has to delete one (a cycle's proposals are PROTECTed, and 100,000 deletions through the ORM are slow).
KECAMATAN_CYCLE, CITY_CYCLE = f"Bench shortlist kecamatan {PROPOSALS}", f"Bench shortlist city {PROPOSALS}"
TARGETS = {"kecamatan": 1.0, "kelurahan": 3.0}


def _cycle(name: str) -> Cycle:
    today = timezone.localdate()
    return Cycle.objects.create(
        name=name,
        submission_starts_on=today - timedelta(days=40),
        review_starts_on=today - timedelta(days=30),
        voting_starts_on=today - timedelta(days=20),
        deliberation_starts_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=10),
    )


def _proposals(rng, *, author_id, cycle, kelurahan_ids, categories, count) -> None:
    for start in range(0, count, BATCH):
        Proposal.objects.bulk_create(
            [
                Proposal(
                    author_id=author_id,
                    title=f"Usulan {n}",
                    description="Bench",
                    category_id=rng.choice(categories),
                    kelurahan_id=rng.choice(kelurahan_ids),
                    status="published",
                    cycle=cycle,
                    vote_count=rng.randint(0, 200),
                    estimated_beneficiaries=rng.randint(0, 5000),
                    estimated_poor_households=rng.randint(0, 500),
                    estimated_cost=None if rng.random() < 0.05 else rng.randint(5, 800) * 1_000_000,
                    volume=rng.randint(1, 100),
                    unit="paket",
                )
                for n in range(start, min(start + BATCH, count))
            ],
            batch_size=BATCH,
        )


def _complete(name: str) -> bool:
    return Cycle.objects.filter(name=name).exists()


def seed() -> dict:
    """Both cycles, unless they are already complete at this size. Returns the seconds spent per cycle."""
    rng = random.Random(24)
    author, _ = User.objects.get_or_create(phone="+6289900024000", defaults={"display_name": "Bench"})
    categories = list(Category.objects.values_list("id", flat=True))
    kecamatan = Kecamatan.objects.order_by("code").first()
    seconds = {}
    if not _complete(KECAMATAN_CYCLE):
        started = time.perf_counter()
        with transaction.atomic():
            cycle = _cycle(KECAMATAN_CYCLE)
            inside = list(Kelurahan.objects.filter(kecamatan=kecamatan).values_list("id", flat=True))
            _proposals(
                rng, author_id=author.pk, cycle=cycle, kelurahan_ids=inside, categories=categories, count=PROPOSALS
            )
            carried = Proposal.objects.filter(cycle=cycle).values_list("id", flat=True).iterator(chunk_size=BATCH)
            batch = []
            for n, pk in enumerate(carried):
                batch.append(CarriedProposal(proposal_id=pk, level="kecamatan", rank=1 + n % 30000))
                if len(batch) == BATCH:
                    CarriedProposal.objects.bulk_create(batch)
                    batch = []
            CarriedProposal.objects.bulk_create(batch)
            total = Proposal.objects.filter(cycle=cycle).aggregate(s=Sum("estimated_cost"))["s"] or 0
            AreaBudget.objects.create(
                cycle=cycle, level="kecamatan", kecamatan=kecamatan, amount=max(1, total // 20), source="piwk"
            )
        seconds["kecamatan"] = time.perf_counter() - started
    if not _complete(CITY_CYCLE):
        started = time.perf_counter()
        with transaction.atomic():
            cycle = _cycle(CITY_CYCLE)
            everywhere = list(Kelurahan.objects.values_list("id", flat=True))
            _proposals(
                rng, author_id=author.pk, cycle=cycle, kelurahan_ids=everywhere, categories=categories, count=PROPOSALS
            )
            AreaBudget.objects.bulk_create(
                [
                    AreaBudget(cycle=cycle, level="kelurahan", kelurahan_id=pk, amount=1_500_000_000, source="apbd")
                    for pk in everywhere
                ]
            )
        seconds["kelurahan"] = time.perf_counter() - started
    return seconds


def _timed(call) -> tuple[list[float], list[float], list[float]]:
    """Seconds of each of ROUNDS runs of `call` (after one discarded warm-up), the knapsack's seconds in each, and
    this process's CPU seconds in each (the machine is shared: its load stretches the wall clock, much less these;
    PostgreSQL's own work is in the wall clock only)."""
    original = knapsack_module.knapsack
    solver: list[float] = []

    def counted(**kwargs):
        started = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            solver.append(time.perf_counter() - started)

    shortlist_module.knapsack = counted
    totals, solver_totals, cpu_totals = [], [], []
    try:
        for round_ in range(ROUNDS + 1):
            solver.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            call()
            if round_:
                totals.append(time.perf_counter() - started)
                cpu_totals.append(time.process_time() - cpu_started)
                solver_totals.append(sum(solver))
    finally:
        shortlist_module.knapsack = original
    return totals, solver_totals, cpu_totals


def _floor(cycle: Cycle, level: str, area_id: int | None):
    """The selector's rows read alone: the scored query in rank order, as `shortlist_for` reads them."""

    def read():
        rows = level_queryset(cycle=cycle, level=level, area_id=area_id, category_id=None).order_by(*RANK_ORDER)
        list(rows.values_list(*shortlist_module.row_fields(rows_too=False)))

    return read


def run() -> list[dict]:
    figures = []
    cases = []
    kecamatan_cycle = Cycle.objects.get(name=KECAMATAN_CYCLE)
    kecamatan = AreaBudget.objects.get(cycle=kecamatan_cycle, level="kecamatan").kecamatan_id
    carried = CarriedProposal.objects.filter(proposal__cycle=kecamatan_cycle, level="kecamatan").count()
    cases.append(("kecamatan", f"one kecamatan, {carried} carried proposals", kecamatan_cycle, kecamatan))
    city_cycle = Cycle.objects.get(name=CITY_CYCLE)
    count = Proposal.objects.filter(cycle=city_cycle).count()
    areas = AreaBudget.objects.filter(cycle=city_cycle).count()
    cases.append(("kelurahan", f"all {areas} kelurahan at once, {count} proposals", city_cycle, None))
    for level, label, cycle, area_id in cases:
        floor, _, floor_cpu = _timed(_floor(cycle, level, area_id))
        totals, solver, cpu = _timed(lambda cycle=cycle, level=level, area_id=area_id: _run(cycle, level, area_id))
        seconds = statistics.median(totals)
        figures.append(
            {
                "level": level,
                "label": label,
                "floor_seconds": statistics.median(floor),
                "floor_cpu_seconds": statistics.median(floor_cpu),
                "seconds": seconds,
                "max_seconds": max(totals),
                "cpu_seconds": statistics.median(cpu),
                "solver_seconds": statistics.median(solver),
                "ratio": seconds / statistics.median(floor),
                "target_seconds": TARGETS[level],
                "met": "yes" if seconds < TARGETS[level] else "NO",
            }
        )
    return figures


def _run(cycle, level, area_id):
    result = shortlist_module.shortlist_for(cycle=cycle, level=level, area_id=area_id)
    assert result and all(area["proposals"] for area in result), "the shortlist came out empty"


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    out = seed() if command == "seed" else run()
    print(json.dumps(out))
