"""The moderators' workbench (issue 22), `make bench BENCH_ARGS=--only workbench`. Two targets:

- "With 20 moderators connected, an item reaches every screen within 1 s at p99": 20 moderators, each with
  their own account and token, hold `ws/moderation/` open (as the workbench's page does); a resident submits
  proposals through the API; each item's arrival is timed on every screen (from the POST's start). The floor
  is the bare fan-out (bench/floor.py: a plain consumer, one group_send) with as many sockets, its rounds
  alternating with the real ones (bench.__main__._fanout). Run on the in-memory layer (one ASGI process)
  and, with REDIS_URL, on Redis (the API on gunicorn, the sockets on two ASGI processes).
- "The workbench with 200 items is interactive in under 1 s of server time": GET /admin/moderation/live/
  for one of those moderators, whose queue holds at least 200 items (the page renders its first 200), timed
  on 127.0.0.1 (no network: the time is the server's), median and p95 of sequential requests, against the
  floor view returning a JSON body of the page's size from the same server.
"""

import json
import statistics
import time

MODERATORS = 20
PAGE_ITEMS = 200
PAGE_ROUNDS = 21

SETUP = r"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from django.conf import settings
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from aspirasi.models import Category, Kelurahan, Proposal, ProposalStatus, User
from aspirasi.selectors.moderation import moderation_counters
from aspirasi.services.accounts import tokens_for, user_assign_role

area = Kelurahan.objects.get(slug="manggar")
moderators = []
for i in range(MODERATORS):
    user, _ = User.objects.get_or_create(phone=f"+62899333{i:04d}", defaults={"display_name": f"Moderator bench {i}"})
    moderators.append(user_assign_role(user=user, role="moderator", kelurahan=[area]))
# The page's 200 rows: submitted proposals in the moderators' kelurahan, topped up to PAGE_ITEMS.
waiting = moderation_counters(user=moderators[0])
missing = PAGE_ITEMS - waiting["new"] - waiting["in_review"] - waiting["flagged"]
if missing > 0:
    author = User.objects.filter(role="resident").first()
    category = Category.objects.filter(is_active=True).first()
    Proposal.objects.bulk_create([
        Proposal(author=author, title=f"Usulan antrean bench {n}", description="Menunggu keputusan moderator.",
                 category=category, kelurahan=area, status=ProposalStatus.SUBMITTED)
        for n in range(missing)
    ])
session = SessionStore()
session[SESSION_KEY] = str(moderators[0].pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = moderators[0].get_session_auth_hash()
session.create()
print(json.dumps({
    "moderator_tokens": [tokens_for(user)["access"] for user in moderators],
    "session": session.session_key,
    "queue": sum(moderation_counters(user=moderators[0])[state] for state in ("new", "in_review", "flagged")),
}))
"""


def setup(manage, env: dict) -> dict:
    script = SETUP.replace("MODERATORS", str(MODERATORS)).replace("PAGE_ITEMS", str(PAGE_ITEMS))
    return json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])


def _ms(values, q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def bench_arrival(
    http_base: str, ws_base: str, data: dict, moderators: dict, args, layer: str, *, fanout, path_class, record
):
    """20 moderators' screens against the bare fan-out with 20 sockets; per-screen p50/p99 and the worst."""
    import asyncio

    import httpx

    client = httpx.AsyncClient(timeout=30)
    posts: list[float] = []  # how long the API took to answer: the part of an arrival before the fan-out

    async def post_proposal(marker):
        started = time.perf_counter()
        response = await client.post(
            f"{http_base}/api/v1/proposals/",
            headers={"Authorization": f"Bearer {data['storm_tokens'][1]}"},
            json={
                "title": marker,
                "description": "Pengukuran sampainya usulan ke layar 20 moderator.",
                "category": 1,
                "kelurahan": data["kelurahan"],
            },
        )
        assert response.status_code == 201, response.text
        posts.append(time.perf_counter() - started)

    async def post_floor(marker):
        response = await client.post(f"{http_base}/bench/floor/publish/", json={"title": marker})
        assert response.status_code == 204

    floor_path = path_class(
        f"{ws_base}/ws/bench/floor/", data["admin_token"], post_floor, lambda m, marker: m.get("title") == marker
    )
    real_path = path_class(
        f"{ws_base}/ws/moderation/",
        moderators["moderator_tokens"][0],
        post_proposal,
        lambda m, marker: m.get("type") == "proposal.submitted" and m["payload"].get("title") == marker,
        tokens=moderators["moderator_tokens"],
    )

    async def run():
        await fanout([floor_path, real_path], MODERATORS, args.workbench_rounds)
        await client.aclose()

    asyncio.run(run())
    floor, real = floor_path.latencies, real_path.latencies
    # The latencies come round by round, each round's in socket order: screen i is every MODERATORS-th one.
    screens = [real[i::MODERATORS] for i in range(MODERATORS)]
    worst_p99 = max(_ms(screen, 99) for screen in screens)
    record(
        "workbench",
        f"floor: bare consumer, {MODERATORS} sockets ({layer})",
        p50_ms=_ms(floor, 50),
        p99_ms=_ms(floor, 99),
        ratio=1.0,
    )
    record(
        "workbench",
        f"proposal POST -> {MODERATORS} moderators' screens ({layer})",
        p50_ms=_ms(real, 50),
        p99_ms=_ms(real, 99),
        worst_screen_p99_ms=worst_p99,
        max_ms=max(real) * 1000,
        post_answered_p50_ms=_ms(posts, 50),
        post_answered_p99_ms=_ms(posts, 99),
        ratio=_ms(real, 99) / _ms(floor, 99),
        target_1s="met" if _ms(real, 99) < 1000 and worst_p99 < 1000 else "MISSED",
    )


def bench_page(base: str, moderators: dict, record) -> None:
    """The 200-item workbench page, sequential requests on 127.0.0.1, against the floor of the same size."""
    import httpx

    cookies = {"sessionid": moderators["session"]}
    with httpx.Client(base_url=base, timeout=30, cookies=cookies) as client:

        def timed(url: str) -> tuple[float, int, str]:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code)
            return elapsed, len(response.content), response.text

        _elapsed, size, html = timed("/admin/moderation/live/")  # warm: a first request per worker
        rows = html.count('<tr id="item-')
        assert rows == PAGE_ITEMS, f"the page rendered {rows} rows"
        page, floor = [], []
        for _ in range(PAGE_ROUNDS):  # alternating, as the other cases sit between floor runs
            page.append(timed("/admin/moderation/live/")[0])
            floor.append(timed(f"/bench/floor/?bytes={size}")[0])
    median = statistics.median(page) * 1000
    record(
        "workbench",
        f"floor: plain JSON view of the page's size ({size / 1000:.0f} KB)",
        median_ms=statistics.median(floor) * 1000,
        p95_ms=_ms(floor, 95),
        ratio=1.0,
    )
    record(
        "workbench",
        f"GET /admin/moderation/live/, {rows} rows (queue of {moderators['queue']})",
        median_ms=median,
        p95_ms=_ms(page, 95),
        ratio=median / (statistics.median(floor) * 1000),
        target_1s="met" if _ms(page, 95) < 1000 else "MISSED",
    )
