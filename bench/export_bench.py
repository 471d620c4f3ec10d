"""Export benchmark: 100,000 proposals with 1,000,000 votes, exported as CSV and XLSX.

Run against your own PostgreSQL database (never the test suite):

    DATABASE_URL=postgres://aspirasi@127.0.0.1:5432/aspirasi_bench .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python bench/export_bench.py seed      # bulk_create, a few minutes
    DATABASE_URL=... .venv/bin/python bench/export_bench.py export    # time and peak memory per format

`export` runs in a fresh process so the peak RSS (resource.getrusage) is the export's, not the seeding's;
tracemalloc's peak is the Python heap the export allocated. docs/planning.md records the figures.
"""

import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from aspirasi import exports  # noqa: E402
from aspirasi.models import Category, Cycle, Kelurahan, Proposal, User, Vote  # noqa: E402
from aspirasi.selectors.planning import priority_rows, priority_totals  # noqa: E402

PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", 100_000))
VOTES = int(os.environ.get("BENCH_VOTES", 1_000_000))
VOTERS = 10_000
BATCH = 10_000
CYCLE_NAME = "Bench Musrenbang"


def seed() -> None:
    rng = random.Random(2027)
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
    kelurahan = list(Kelurahan.objects.values_list("id", flat=True))
    categories = list(Category.objects.values_list("id", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        first_user = User.objects.order_by("-id").values_list("id", flat=True).first() or 0
        User.objects.bulk_create(
            [
                User(phone=f"+6289{first_user + n:09d}", display_name=f"Warga {n}", kelurahan_id=rng.choice(kelurahan))
                for n in range(VOTERS)
            ],
            batch_size=BATCH,
        )
        voters = list(User.objects.filter(display_name__startswith="Warga ").values_list("id", flat=True)[:VOTERS])
        author = voters[0]
        for start in range(0, PROPOSALS, BATCH):
            Proposal.objects.bulk_create(
                [
                    Proposal(
                        author_id=author,
                        title=f"Usulan {n}",
                        description="Bench",
                        category_id=rng.choice(categories),
                        kelurahan_id=rng.choice(kelurahan),
                        status="published",
                        cycle=cycle,
                        estimated_beneficiaries=rng.randint(0, 5000),
                        estimated_poor_households=rng.randint(0, 500),
                        estimated_cost=rng.choice([None, rng.randint(1, 2000) * 1_000_000]),
                        volume=rng.randint(1, 100),
                        unit="paket",
                        rt=f"{rng.randint(1, 60):03d}",
                        rw=f"{rng.randint(1, 20):03d}",
                        latitude=-1.2 - rng.random() / 10 if n % 2 else None,
                        longitude=116.8 + rng.random() / 10 if n % 2 else None,
                    )
                    for n in range(start, min(start + BATCH, PROPOSALS))
                ],
                batch_size=BATCH,
            )
        proposal_ids = list(Proposal.objects.filter(cycle=cycle).values_list("id", flat=True))
        # Each voter supports VOTES / VOTERS distinct proposals.
        per_voter = VOTES // VOTERS
        for offset in range(0, VOTERS, BATCH // per_voter):
            Vote.objects.bulk_create(
                [
                    Vote(voter_id=voter, proposal_id=proposal)
                    for voter in voters[offset : offset + BATCH // per_voter]
                    for proposal in rng.sample(proposal_ids, per_voter)
                ],
                batch_size=BATCH,
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE aspirasi_proposal p SET vote_count = v.n FROM "
                "(SELECT proposal_id, COUNT(*) n FROM aspirasi_vote GROUP BY proposal_id) v "
                "WHERE v.proposal_id = p.id"
            )
    print(f"seeded {PROPOSALS} proposals, {Vote.objects.count()} votes in {time.perf_counter() - started:.1f}s")


def _counted(rows, counter: list[int]):
    for row in rows:
        counter[0] += 1
        yield row


def export() -> None:
    cycle = Cycle.objects.get(name=CYCLE_NAME)
    filters = {"cycle": cycle, "level": "kelurahan"}
    for fmt in ("csv", "xlsx"):
        tracemalloc.start()
        started = time.perf_counter()
        counter = [0]
        with tempfile.TemporaryFile() as target:
            # The flat table rows (CSV and XLSX's fast path), counted on the way.
            rows = _counted(exports.table_rows(priority_rows(**filters)), counter)
            if fmt == "xlsx":
                exports.xlsx_write(rows, totals=priority_totals(**filters), target=target)
            else:
                for chunk in exports.csv_chunks(rows):
                    target.write(chunk.encode())
            size = target.tell()
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{fmt}: {counter[0]} rows, {size / 1e6:.1f} MB in {elapsed:.1f}s; "
            f"tracemalloc peak {peak / 1e6:.1f} MB; process peak RSS so far {rss:.0f} MB"
        )


if __name__ == "__main__":
    {"seed": seed, "export": export}[sys.argv[1] if len(sys.argv) > 1 else "export"]()
