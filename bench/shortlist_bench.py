"""Shortlist benchmark (issue 24): the funded shortlist of one kecamatan at N proposals, and of all 34 kelurahan
at once. Targets: one kecamatan at 100,000 proposals under 1 s; all 34 kelurahan under 3 s.

Run against a database of its own (never the test suite's):

    DATABASE_URL=postgres://aspirasi@127.0.0.1:5432/aspirasi_bench .venv/bin/python manage.py migrate
    DATABASE_URL=... BENCH_PROPOSALS=100000 .venv/bin/python bench/shortlist_bench.py seed
    DATABASE_URL=... .venv/bin/python bench/shortlist_bench.py run

`seed` puts every proposal of the "kecamatan" part in one kecamatan and carries them all into the kecamatan
level (the kecamatan forum's list), and spreads the same number over the 34 kelurahan for the kelurahan level;
pagu: Rp 1.5 billion per kelurahan, a tenth of the kecamatan's total cost for the kecamatan. `run` times the
whole selector (the scored query, the knapsack, the reasons), median of 5, and the solver's share.
"""

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

PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", 100_000))
BATCH = 10_000
CYCLE_NAME = "Bench shortlist"


def _proposals(rng, *, author_id, cycle, kelurahan_ids, categories, count):
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


@transaction.atomic
def seed() -> None:
    rng = random.Random(24)
    today = timezone.localdate()
    Cycle.objects.filter(name=CYCLE_NAME).delete()
    cycle = Cycle.objects.create(
        name=CYCLE_NAME,
        submission_starts_on=today - timedelta(days=40),
        review_starts_on=today - timedelta(days=30),
        voting_starts_on=today - timedelta(days=20),
        deliberation_starts_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=10),
    )
    author, _ = User.objects.get_or_create(phone="+6289900024000", defaults={"display_name": "Bench"})
    categories = list(Category.objects.values_list("id", flat=True))
    kecamatan = Kecamatan.objects.order_by("code").first()
    started = time.perf_counter()
    inside = list(Kelurahan.objects.filter(kecamatan=kecamatan).values_list("id", flat=True))
    everywhere = list(Kelurahan.objects.values_list("id", flat=True))
    _proposals(rng, author_id=author.pk, cycle=cycle, kelurahan_ids=inside, categories=categories, count=PROPOSALS)
    carried = Proposal.objects.filter(cycle=cycle).values_list("id", flat=True)
    CarriedProposal.objects.bulk_create(
        [CarriedProposal(proposal_id=pk, level="kecamatan", rank=1 + n % 30000) for n, pk in enumerate(carried)],
        batch_size=BATCH,
    )
    _proposals(rng, author_id=author.pk, cycle=cycle, kelurahan_ids=everywhere, categories=categories, count=PROPOSALS)
    total = Proposal.objects.filter(cycle=cycle, kelurahan__kecamatan=kecamatan).aggregate(s=Sum("estimated_cost"))
    AreaBudget.objects.create(
        cycle=cycle, level="kecamatan", kecamatan=kecamatan, amount=max(1, (total["s"] or 0) // 20), source="piwk"
    )
    AreaBudget.objects.bulk_create(
        [
            AreaBudget(cycle=cycle, level="kelurahan", kelurahan_id=pk, amount=1_500_000_000, source="apbd")
            for pk in everywhere
        ]
    )
    print(f"seeded {2 * PROPOSALS} proposals in {time.perf_counter() - started:.1f}s")


def _timed(call, rounds: int = 5) -> tuple[float, float]:
    """Median seconds of `call`, and the median seconds spent in the knapsack inside it."""
    original = knapsack_module.knapsack
    solver: list[float] = []

    def counted(**kwargs):
        started = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            solver.append(time.perf_counter() - started)

    shortlist_module.knapsack = counted
    totals, solver_totals = [], []
    try:
        for _round in range(rounds):
            solver.clear()
            started = time.perf_counter()
            call()
            totals.append(time.perf_counter() - started)
            solver_totals.append(sum(solver))
    finally:
        shortlist_module.knapsack = original
    return statistics.median(totals), statistics.median(solver_totals)


def run() -> None:
    cycle = Cycle.objects.get(name=CYCLE_NAME)
    kecamatan = AreaBudget.objects.get(cycle=cycle, level="kecamatan").kecamatan_id
    carried = CarriedProposal.objects.filter(proposal__cycle=cycle, level="kecamatan").count()
    seconds, solver = _timed(lambda: shortlist_module.shortlist_for(cycle=cycle, level="kecamatan", area_id=kecamatan))
    print(f"one kecamatan, {carried} carried proposals: {seconds:.3f} s (solver {solver:.3f} s); target < 1 s")
    seconds, solver = _timed(lambda: shortlist_module.shortlist_for(cycle=cycle, level="kelurahan"))
    print(f"all 34 kelurahan, {Proposal.objects.filter(cycle=cycle).count()} proposals: {seconds:.3f} s "
          f"(solver {solver:.3f} s); target < 3 s")  # fmt: skip


if __name__ == "__main__":
    {"seed": seed, "run": run}[sys.argv[1] if len(sys.argv) > 1 else "run"]()
