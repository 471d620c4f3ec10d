"""Ballot storm (issue 24), `make bench BENCH_ARGS=--only ballots`: 64 clients, each a verified resident of one
kelurahan, replace their budget ballots (`PUT /api/v1/planning/ballots/{cycle}/`) as fast as they can answer,
each ballot a random set of the kelurahan's proposals within its pagu. Target: zero errors, tallies exact.

Every storm runs between two runs of its floor: the same clients sending the same number of requests at once
to the plain JSON view (bench/floor.py), so the ratio is the ballot's rate over what this client, server and
machine do at the least. wrk cannot tell one resident's answer from another's, and the check needs each
resident's last acknowledged ballot: the clients are httpx's (as the uploads are), one connection each.

After each storm a recount: each resident's ballot in the database must be the last one the server
acknowledged to them, whole; and the tally per proposal (BallotChoice rows counted, as the score's ballot term
counts them) must equal the count over those acknowledged ballots.
"""

import asyncio
import json
import random
import statistics
import time

CYCLE_NAME = "Bench ballots"
PROPOSALS = 40  # of the kelurahan, Rp 5-200 million each
PAGU = 1_000_000_000

SETUP = r"""
import json
from datetime import timedelta
from django.utils import timezone
from aspirasi.models import AreaBudget, BallotChoice, Category, Cycle, Kelurahan, Proposal, User
from aspirasi.services.accounts import tokens_for
clients, proposals, pagu, name = %(clients)d, %(proposals)d, %(pagu)d, %(name)r
today = timezone.localdate()
manggar = Kelurahan.objects.get(slug="manggar")
cycle, created = Cycle.objects.get_or_create(name=name, defaults=dict(
    submission_starts_on=today - timedelta(days=30), review_starts_on=today - timedelta(days=20),
    voting_starts_on=today - timedelta(days=10), deliberation_starts_on=today + timedelta(days=30),
    closes_on=today + timedelta(days=40), budget_ballot=True))
# A later run keeps the cycle in its voting phase, whatever day it is.
Cycle.objects.filter(pk=cycle.pk).update(
    submission_starts_on=today - timedelta(days=30), review_starts_on=today - timedelta(days=20),
    voting_starts_on=today - timedelta(days=10), deliberation_starts_on=today + timedelta(days=30),
    closes_on=today + timedelta(days=40), budget_ballot=True)
AreaBudget.objects.get_or_create(cycle=cycle, level="kelurahan", kelurahan=manggar,
                                 defaults={"amount": pagu, "source": "apbd"})
author, _ = User.objects.get_or_create(phone="+6289900024999", defaults={"display_name": "Bench ballots"})
have = Proposal.objects.filter(cycle=cycle).count()
category = Category.objects.order_by("id").first()
Proposal.objects.bulk_create([
    Proposal(author=author, title=f"Usulan anggaran {n}", description="Bench", category=category, kelurahan=manggar,
             status="published", cycle=cycle, estimated_cost=(5 + (n * 37) %% 196) * 1_000_000)
    for n in range(have, proposals)])
voters = []
for i in range(clients):
    user, _ = User.objects.get_or_create(phone=f"+628991000{i:04d}", defaults={"display_name": f"Pemilih {i}"})
    voters.append(user)
User.objects.filter(pk__in=[u.pk for u in voters]).update(
    kelurahan=manggar, phone_verified_at=timezone.now(), is_active=True, role="resident")
BallotChoice.objects.filter(cycle=cycle).delete()  # every storm starts from no ballots
print(json.dumps({
    "cycle": cycle.pk, "pagu": pagu,
    "proposals": list(Proposal.objects.filter(cycle=cycle).values_list("id", "estimated_cost")),
    "voters": [{"id": u.pk, "token": tokens_for(u)["access"]} for u in voters],
}))
"""

RECOUNT = r"""
import json, os
from collections import Counter
from django.db.models import Count
from aspirasi.models import BallotChoice
expected = json.load(open(os.environ["BALLOT_EXPECTED"]))
cycle = expected["cycle"]
stored = {}
for voter_id, proposal_id in BallotChoice.objects.filter(cycle_id=cycle).order_by("id").values_list("voter_id", "proposal_id"):
    stored.setdefault(str(voter_id), []).append(proposal_id)
ballots_wrong = sum(
    sorted(stored.get(voter, [])) != sorted(ids) for voter, ids in expected["ballots"].items()
) + len(set(stored) - set(expected["ballots"]))
tally = dict(BallotChoice.objects.filter(cycle_id=cycle).values("proposal_id").annotate(n=Count("id")).values_list("proposal_id", "n"))
recount = Counter(pk for ids in expected["ballots"].values() for pk in ids)
tallies_wrong = sum(tally.get(pk, 0) != recount.get(pk, 0) for pk in set(tally) | set(recount))
print(json.dumps({"ballots_wrong": ballots_wrong, "tallies_wrong": tallies_wrong, "choices": sum(tally.values())}))
"""


def random_ballot(rng: random.Random, proposals: list[list[int]], pagu: int) -> list[int]:
    """A random set of proposals whose costs fit the pagu (some ballots empty: a withdrawal is a replacement too)."""
    chosen, left = [], pagu
    for pk, cost in rng.sample(proposals, rng.randint(0, min(12, len(proposals)))):
        if cost <= left:
            chosen.append(pk)
            left -= cost
    return chosen


async def _clients(base: str, requests_for, seconds: float, n: int):
    """`n` clients, each its own connection, each sending `requests_for(i, rng)` (method, path, token, json) one
    after the other for `seconds`. Returns the latencies, the answers by status (with a body each), and per
    client the last answer that succeeded."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    bodies: dict[int, str] = {}
    last: dict[int, dict] = {}
    deadline = time.perf_counter() + seconds

    async def client(i: int):
        rng = random.Random(i)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
            while time.perf_counter() < deadline:
                method, path, token, body = requests_for(i, rng)
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                started = time.perf_counter()
                try:
                    response = await http.request(method, path, headers=headers, json=body)
                except httpx.HTTPError as error:
                    statuses[-1] = statuses.get(-1, 0) + 1
                    bodies.setdefault(-1, repr(error))
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 300:
                    bodies.setdefault(response.status_code, response.text[:200])
                elif method == "PUT":
                    last[i] = response.json()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(n)))
    return latencies, statuses, bodies, last, time.perf_counter() - started


def _figures(latencies, statuses, bodies, elapsed) -> dict:
    ok = sum(count for status, count in statuses.items() if 200 <= status < 300)
    errors = sum(statuses.values()) - ok
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    figures = {
        "rps": ok / elapsed,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "errors": errors,
    }
    if errors:
        figures["error_statuses"] = "; ".join(f"{s} x{statuses[s]}: {bodies.get(s, '')}" for s in sorted(bodies))
    return figures


def storm(base: str, data: dict, seconds: float) -> tuple[dict, dict]:
    """One storm: the figures, and the ballots acknowledged last per voter (for the recount)."""
    voters, proposals, pagu, cycle = data["voters"], data["proposals"], data["pagu"], data["cycle"]
    path = f"/api/v1/planning/ballots/{cycle}/"

    def put(i, rng):
        return "PUT", path, voters[i]["token"], {"proposals": random_ballot(rng, proposals, pagu)}

    latencies, statuses, bodies, last, elapsed = asyncio.run(_clients(base, put, seconds, len(voters)))
    acknowledged = {str(voters[i]["id"]): [p["id"] for p in body["proposals"]] for i, body in last.items()}
    return _figures(latencies, statuses, bodies, elapsed), acknowledged


def floor(base: str, data: dict, seconds: float, size: int) -> dict:
    """The floor with the storm's clients: the plain JSON view of the ballot answer's size."""

    def get(_i, _rng):
        return "GET", f"/bench/floor/?bytes={size}", None, None

    latencies, statuses, bodies, _last, elapsed = asyncio.run(_clients(base, get, seconds, len(data["voters"])))
    return _figures(latencies, statuses, bodies, elapsed)


def setup_script(clients: int) -> str:
    return SETUP % {"clients": clients, "proposals": PROPOSALS, "pagu": PAGU, "name": CYCLE_NAME}


def expected_file(data: dict, acknowledged: dict) -> str:
    return json.dumps({"cycle": data["cycle"], "ballots": acknowledged})
