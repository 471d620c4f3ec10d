"""`make bench` (python -m bench): seed a realistic data set, start the servers in their production
configuration on 127.0.0.1, and measure everything against a floor measured in the same run.

HTTP load comes from wrk (Debian package `wrk`), sockets from the `websockets` client, uploads from httpx:
ballot storms from httpx too (bench/ballot_bench.py: the recount needs each resident's last answer, which
wrk cannot tell apart): maintained tools, no home-made load generator. Against PostgreSQL + Redis when DATABASE_URL/REDIS_URL are
set, else the embedded default. Prints a table and writes docs/benchmarks.md.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import io
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS: list[dict] = []


# --- plumbing -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        (ROOT / "var").mkdir(exist_ok=True)
        return f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    parts = urlsplit(url)
    name = parts.path.strip("/") + "_bench"
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def server_env(database_url: str, *, redis: bool) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        BENCH_FLOOR="1",
        DATABASE_URL=database_url,
        THROTTLE_CREATE="100000000/hour",
        THROTTLE_VOTE="100000000/hour",
        THROTTLE_COMMENT="100000000/hour",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
    )
    if not redis:
        env.pop("REDIS_URL", None)
    return env


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture)
    return result.stdout if capture else ""


STEADY_ROUNDS, STEADY_SECONDS, STEADY_WITHIN = 10, 2, 0.15


def until_steady(base: str) -> None:
    """Load a new server with the floor until two rounds in a row agree within STEADY_WITHIN. Its socket
    opens before its workers have booted: a fresh gunicorn served 52 req/s in its first 3 s and 1,200 after
    (on a slower machine, 2026-11-29), so a case measured first, or a warm-up of a few seconds, caught the
    boot and not the server."""
    url, last = f"{base}/bench/floor/?bytes=1000", None
    for _ in range(STEADY_ROUNDS):
        try:
            rps = wrk(url, connections=32, duration=STEADY_SECONDS)["rps"]
        except subprocess.CalledProcessError:  # wrk could not connect: the workers are still booting
            time.sleep(STEADY_SECONDS)
            continue
        if last is not None and abs(rps - last) <= STEADY_WITHIN * max(rps, last):
            return
        last = rps
    print(f"  the server did not settle in {STEADY_ROUNDS} rounds (last {last:.0f} req/s)", flush=True)


@contextlib.contextmanager
def server(cmd: list[str], env: dict, port: int):
    # The server's log goes to a file. A pipe nobody reads fills at 64 KB and then every worker blocks on its
    # next log line: the embedded default's storms logged enough to hang the list after them for a minute.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"server died: {_tail(log)}") from None
                    time.sleep(0.2)
            base = f"http://127.0.0.1:{port}"
            until_steady(base)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            if logged := _tail(log):
                print(f"  the server logged (last lines): {logged}", flush=True)


def _tail(log, size: int = 2000) -> str:
    log.seek(0, os.SEEK_END)
    log.seek(max(0, log.tell() - size))
    return log.read().decode(errors="replace").strip()


def gunicorn(env: dict, port: int, workers: int):
    return server(
        [
            PY,
            "-m",
            "gunicorn",
            "backend.wsgi:application",
            "-c",
            str(ROOT / "gunicorn.conf.py"),  # the production settings (threads, logging)
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        env,
        port,
    )


def uvicorn(env: dict, port: int, workers: int = 1):
    return server(
        [
            PY,
            "-m",
            "uvicorn",
            "backend.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env,
        port,
    )


def wrk(url: str, *, connections: int, duration: int, script: str | None = None) -> dict:
    """Run wrk and parse requests/s, latency percentiles and errors."""
    # A 10 s client timeout: a slow answer is measured as latency, not counted as a socket error.
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        if script:
            handle.write(script)
            cmd[1:1] = ["-s", handle.name]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(handle.name)

    def ms(label):
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = int(non_2xx.group(1)) if non_2xx else 0
    socket_errors = sum(int(g) for g in socket_errors.groups()) if socket_errors else 0
    # Printed by a script's done() (VOTE_LUA): which answers were not 2xx, with the first body of each.
    statuses = re.findall(r"^status (\d+): (\d+) (.*)$", out, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": non_2xx + socket_errors,
        "non_2xx": non_2xx,  # answers the server gave: 4xx/5xx
        "socket_errors": socket_errors,  # connect/read/write errors and client timeouts
        **(
            {"non_2xx_statuses": "; ".join(f"{code} x{count}: {body[:200]}" for code, count, body in statuses)}
            if statuses
            else {}
        ),
    }


def lua_headers(token: str | None) -> str | None:
    return f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else None


def record(section: str, name: str, **values):
    RESULTS.append({"section": section, "name": name, **values})
    shown = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
    print(f"  {section:<10} {name:<42} {shown}", flush=True)


# --- data -----------------------------------------------------------------------------------------


SETUP = r"""
import json, sys
from django.conf import settings
from django.utils import timezone
from aspirasi.models import Proposal, User, Kelurahan
from aspirasi.services.accounts import tokens_for, user_assign_role
from aspirasi.models import ProposalStatus
n_storm = int(sys.argv[1])
from aspirasi.models import Vote
from aspirasi.services.votes import vote_withdraw
storm = []
for i in range(n_storm):
    user, _ = User.objects.get_or_create(phone=f"+628990000{i:04d}", defaults={"display_name": f"Bench {i}"})
    storm.append(tokens_for(user)["access"])
# Only residents with a verified phone vote (a bench database from before verification has them unverified).
User.objects.filter(phone__startswith="+628990000", phone_verified_at=None).update(phone_verified_at=timezone.now())
# Votes a previous run left open would exhaust the storm residents' budget (409s): withdraw them.
for vote in Vote.objects.filter(voter__phone__startswith="+628990000"):
    vote_withdraw(proposal_id=vote.proposal_id, voter_id=vote.voter_id)
admin, _ = User.objects.get_or_create(phone="+6289911112222", defaults={"display_name": "Bench admin"})
user_assign_role(user=admin, role="admin")
resident = User.objects.filter(role="resident", votes__isnull=False).first()
published = list(Proposal.objects.filter(status=ProposalStatus.PUBLISHED).order_by("-vote_count").values_list("id", flat=True)[:500])
print(json.dumps({
    "storm_tokens": storm, "admin_token": tokens_for(admin)["access"],
    "resident_token": tokens_for(resident)["access"], "published": published,
    "kelurahan": Kelurahan.objects.get(slug="manggar").id, "vote_budget": settings.VOTE_BUDGET,
}))
"""

CHECK_COUNTS = r"""
from django.db.models import Count, F
from aspirasi.models import Proposal
wrong = Proposal.objects.annotate(n=Count("votes")).exclude(vote_count=F("n")).count()
print(wrong)
"""


def seed(env: dict, args) -> dict:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    count = int(
        manage(
            env, "shell", "-c", "from aspirasi.models import Proposal; print(Proposal.objects.count())", capture=True
        )
        .strip()
        .splitlines()[-1]
    )
    if count < args.proposals:
        print(f"seeding {args.proposals} proposals, {args.votes} votes, {args.residents} residents ...", flush=True)
        started = time.perf_counter()
        manage(
            env,
            "seed_data",
            "--proposals",
            str(args.proposals - count),
            "--votes",
            str(args.votes),
            "--residents",
            str(args.residents),
        )
        print(f"  seeded in {time.perf_counter() - started:.1f}s", flush=True)
    out = manage(env, "shell", "-c", SETUP.replace("sys.argv[1]", str(2 * args.clients)), capture=True)
    settle(env["DATABASE_URL"])
    return json.loads(out.strip().splitlines()[-1])


def settle(database_url: str) -> None:
    """Let PostgreSQL finish with heavy writes (the seed, a vote storm) before anything else is measured:
    autovacuum, analyze and the checkpoint otherwise run under the next cases (a floor at half its rate)."""
    if not database_url.startswith("postgres"):
        return
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("CHECKPOINT")  # the dirty pages of the seed written now, not mid-run
    print(f"  vacuumed and analyzed in {time.perf_counter() - started:.1f}s", flush=True)


# --- sections -------------------------------------------------------------------------------------


WARM_UP_SECONDS = 2


def measured(url: str, args, script: str | None = None, *, connections: int | None = None) -> dict:
    """One case, measured warm: a first run (discarded) lets each worker start its threads, open its pooled
    connections and fill its caches."""
    c = connections or args.connections
    wrk(url, connections=c, duration=WARM_UP_SECONDS, script=script)
    return wrk(url, connections=c, duration=args.duration, script=script)


def paired(cases: list, baseline: Callable[[], dict], rounds: int) -> dict:
    """Measure each case `rounds` times, every run between two runs of its baseline (which runs first, after
    each case, and last), the cases in turn round after round. A case's ratio is the median of its runs'
    ratios, each to the mean of the baseline runs on both sides of it: on this shared machine one pair of
    runs moved by a fifth between runs of the same code (the logged-in list at 46%, 58% and 64% of its
    floor in three full runs), the median of several pairs much less. Returns {case: [(result, base_rps)]}
    and the baseline runs under None."""
    runs: dict = {None: [baseline()]}
    for _ in range(rounds):
        for key, measure in cases:
            result = measure()
            runs[None].append(baseline())
            runs.setdefault(key, []).append((result, statistics.mean([runs[None][-2]["rps"], runs[None][-1]["rps"]])))
    return runs


def summary(pairs: list[tuple[dict, float]], *, base: str | None = None) -> dict:
    """A case's figures over its pairs: medians, with every pair's ratio; the baseline's median rate under
    the name `base`, when given."""
    ratios = [result["rps"] / base_rps for result, base_rps in pairs]
    results = [result for result, _base_rps in pairs]
    statuses = [r["non_2xx_statuses"] for r in results if "non_2xx_statuses" in r]
    return {
        "rps": statistics.median(r["rps"] for r in results),
        "p50_ms": statistics.median(r["p50_ms"] for r in results),
        "p99_ms": statistics.median(r["p99_ms"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "non_2xx": sum(r["non_2xx"] for r in results),
        "socket_errors": sum(r["socket_errors"] for r in results),
        "ratio": statistics.median(ratios),
        "ratios": "/".join(f"{ratio:.2f}" for ratio in ratios),
        **({"non_2xx_statuses": "; ".join(statuses)} if statuses else {}),
        **({base: statistics.median(base_rps for _result, base_rps in pairs)} if base else {}),
    }


def bench_http(base: str, data: dict, args) -> None:
    page = subprocess.run(["curl", "-s", f"{base}/api/v1/proposals/?page_size=20"], capture_output=True).stdout
    floor_url = f"{base}/bench/floor/?bytes={len(page)}"
    pid = data["published"][0]
    cases = [
        ("list", "proposals list, anonymous (page of 20)", "/api/v1/proposals/", None),
        ("list_auth", "proposals list, logged in (has_voted)", "/api/v1/proposals/", data["resident_token"]),
        (
            "list_search",
            "filtered + searched list",
            f"/api/v1/proposals/?category=1&q=pelatihan&kelurahan={data['kelurahan']}",
            None,
        ),
        ("detail", "proposal detail", f"/api/v1/proposals/{pid}/", None),
        # The peer (bench/peer.py): the same page with stock DRF, by -id and by -created_at.
        ("peer", "peer: stock DRF list, anonymous, by -id", "/bench/peer/proposals/", None),
        ("peer_auth", "peer: stock DRF list, logged in, by -id", "/bench/peer/proposals/", data["resident_token"]),
        (
            "peer_created",
            "peer: stock DRF list, anonymous, by -created_at",
            "/bench/peer/proposals/?ordering=created",
            None,
        ),
    ]
    # The floor is measured before and after every case (paired above): a slow phase of the shared machine
    # (seen: every case, the floor too, at ~800 req/s for half a minute) then moves both sides of a ratio.
    runs = paired(
        [
            (key, functools.partial(measured, base + path, args, lua_headers(token)))
            for key, _label, path, token in cases
        ],
        functools.partial(measured, floor_url, args),
        args.pairs,
    )
    summaries = {key: summary(runs[key], base="floor_rps") for key, *_rest in cases}
    for key, label, _path, _token in cases:
        record("http", label, **summaries[key])
    for ours, peer in (("list", "peer"), ("list_auth", "peer_auth"), ("list", "peer_created")):
        label = f"{ours} / {peer}: our list's rate over the peer's (target >= 8)"
        record("peer", label, ratio=summaries[ours]["ratio"] / summaries[peer]["ratio"])
    rates = [f["rps"] for f in runs[None]]
    record(
        "http",
        f"floor: plain Django JSON view ({len(page)} B), {len(rates)} runs",
        rps=statistics.median(rates),
        min_rps=min(rates),
        max_rps=max(rates),
        errors=sum(f["errors"] for f in runs[None]),
        ratio=1.0,
    )


def wire_bytes(url: str, *headers: str) -> int:
    """The body's bytes as they travel: curl without --compressed keeps a gzipped body as it came."""
    command = ["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}", url]
    for header in headers:
        command[1:1] = ["-H", header]
    return int(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def bench_wire(base: str, data: dict) -> None:
    """What a page of 20 proposals costs a resident's data plan, plain and with gzip (docs/api.md)."""
    url = f"{base}/api/v1/proposals/?page_size=20"
    for label, token in (("anonymous", None), ("logged in", data["resident_token"])):
        auth = [f"Authorization: Bearer {token}"] if token else []
        plain, packed = wire_bytes(url, *auth), wire_bytes(url, *auth, "Accept-Encoding: gzip")
        record(
            "wire", f"page of 20 proposals, {label}", plain_bytes=plain, gzip_bytes=packed, gzip_ratio=packed / plain
        )


# Each wrk thread (-t2) takes its own half of the residents, twice as many as its connections, in turn; a
# resident casts and withdraws, each cast on one of `budget` proposals of their own (overlapping windows
# of the 200, so a proposal has several voters and their votes contend). wrk cannot hold a resident to one
# connection: a slow answer can be overtaken by the same resident's next request (a withdrawal before its
# cast leaves the vote open). With at most `budget` proposals a resident never holds more open votes than
# the budget allows, so every answer should be a 2xx whatever the order; the answers that are not are
# counted by status (with the first body of each) and printed by done(), for the report.
VOTE_LUA = """
local tokens = {%(tokens)s}
local proposals = {%(proposals)s}
local budget = %(budget)d
local threads = {}
setup = function(thread)
  thread:set("part", #threads)
  table.insert(threads, thread)
end
local n = 0
local open = {}
statuses = {}
bodies = {}
request = function()
  n = n + 1
  local half = #tokens / 2
  local i = part * half + (n %% half)
  local t = tokens[i + 1]
  local p = open[t]
  local method = "DELETE"
  if p == nil then
    p = proposals[(i * 7 + math.random(budget)) %% #proposals + 1]
    open[t] = p
    method = "POST"
  else
    open[t] = nil
  end
  return wrk.format(method, "/api/v1/proposals/" .. p .. "/vote/",
    {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}, "")
end
response = function(status, headers, body)
  if status >= 300 then
    statuses[status] = (statuses[status] or 0) + 1
    if bodies[status] == nil then bodies[status] = body end
  end
end
done = function(summary, latency, requests)
  local total, first = {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
      first[status] = first[status] or thread:get("bodies")[status]
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %%d: %%d %%s\\n", status, count, first[status]))
  end
end
"""


def bench_votes(base: str, data: dict, env: dict, args):
    """Storms, each between two runs of the logged-in list it is compared with (paired, as the HTTP cases),
    each on a settled database; the counts are checked after every storm."""
    script = VOTE_LUA % {
        "tokens": ",".join(f'"{t}"' for t in data["storm_tokens"]),
        "proposals": ",".join(str(p) for p in data["published"][:200]),
        "budget": data["vote_budget"],
    }
    list_url, list_script = base + "/api/v1/proposals/", lua_headers(data["resident_token"])
    wrong = []

    def storm():
        result = measured(base + "/", args, script, connections=args.clients)
        wrong.append(int(manage(env, "shell", "-c", CHECK_COUNTS, capture=True).strip().splitlines()[-1]))
        # The storm's writes are flushed and vacuumed before the list is measured again: they are the storm's
        # cost, and measured on its own rate (left in, they slowed the list after it by a third, which would
        # have flattered the ratio).
        settle(env["DATABASE_URL"])
        return result

    runs = paired([("storm", storm)], lambda: measured(list_url, args, list_script), args.pairs)
    lists = runs[None]
    record(
        "votes",
        f"logged-in list around the storms, {len(lists)} runs",
        rps=statistics.median(r["rps"] for r in lists),
        min_rps=min(r["rps"] for r in lists),
        max_rps=max(r["rps"] for r in lists),
        errors=sum(r["errors"] for r in lists),
    )
    figures = summary(runs["storm"])
    record(
        "votes", f"vote cast/withdraw, {args.clients} clients, {len(wrong)} storms", **figures, counts_wrong=sum(wrong)
    )
    return figures, sum(wrong)


def make_photo() -> bytes:
    from PIL import Image

    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 24)
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def bench_photo(base: str, data: dict, env: dict, rounds: int = 5):
    import httpx

    photo = make_photo()
    times = []
    headers = {"Authorization": f"Bearer {data['storm_tokens'][0]}"}
    with httpx.Client(timeout=60) as client:
        for i in range(rounds):
            started = time.perf_counter()
            response = client.post(
                f"{base}/api/v1/reports/",
                headers=headers,
                data={"description": f"Jalan rusak {i}", "category": "1", "kelurahan": str(data["kelurahan"])},
                files={"image": ("photo.jpg", photo, "image/jpeg")},
            )
            times.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise RuntimeError(f"upload failed: {response.status_code} {response.text[:300]}")
    record(
        "photo", f"12 MP JPEG upload ({len(photo) // 1024} KiB) end to end", median_ms=statistics.median(times) * 1000
    )

    out = manage(env, "shell", "-c", PHOTO_INPROCESS, capture=True)
    pipeline_ms, floor_ms = json.loads(out.strip().splitlines()[-1])
    record("photo", "floor: Pillow open+orient+resize 2048+save", median_ms=floor_ms, ratio=1.0)
    record("photo", "processing step alone (aspirasi pipeline)", median_ms=pipeline_ms, ratio=pipeline_ms / floor_ms)
    return pipeline_ms / floor_ms


def _upload_ms(client, base: str, data: dict, photo: bytes, i: int) -> float:
    started = time.perf_counter()
    response = client.post(
        f"{base}/api/v1/reports/",
        headers={"Authorization": f"Bearer {data['storm_tokens'][1]}"},
        data={"description": f"Jalan berlubang {i}", "category": "1", "kelurahan": str(data["kelurahan"])},
        files={"image": ("photo.jpg", photo, "image/jpeg")},
    )
    if response.status_code != 201:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text[:300]}")
    return (time.perf_counter() - started) * 1000


def bench_storage(env: dict, data: dict, rounds: int) -> float:
    """The same 12 MP upload stored on the local disk and in an S3-compatible store (moto's server on
    127.0.0.1, as in tests/backend/test_cross_host.py), the two servers side by side and their uploads
    alternating, so both see the same machine. Target: S3 at most 1.5x the local disk's time."""
    import httpx

    from tests.object_storage import moto_server, new_bucket, storage_env

    photo = make_photo()
    with tempfile.TemporaryDirectory() as scratch, moto_server(Path(scratch) / "moto.log") as endpoint:
        local_env = env | {"MEDIA_STORAGE": "local", "MEDIA_ROOT": f"{scratch}/media"}
        s3_env = env | storage_env(endpoint, new_bucket(endpoint))
        with gunicorn(local_env, free_port(), 2) as local, gunicorn(s3_env, free_port(), 2) as s3:
            times: dict[str, list[float]] = {"local": [], "s3": []}
            with httpx.Client(timeout=60) as client:
                for i in range(rounds + 1):  # the first round warms both (imports, connections)
                    for name, base in (("local", local), ("s3", s3)):
                        elapsed = _upload_ms(client, base, data, photo, i)
                        if i:
                            times[name].append(elapsed)
    local_ms, s3_ms = statistics.median(times["local"]), statistics.median(times["s3"])
    record("storage", f"12 MP upload to the local disk ({rounds} runs)", median_ms=local_ms, ratio=1.0)
    record("storage", "12 MP upload to S3 (moto, 127.0.0.1)", median_ms=s3_ms, ratio=s3_ms / local_ms, target=1.5)
    return s3_ms / local_ms


PHOTO_INPROCESS = r"""
import io, json, statistics, time
from PIL import Image, ImageOps
from bench.__main__ import make_photo
from aspirasi.services import images
photo = make_photo()
def floor():
    im = Image.open(io.BytesIO(photo)); im = ImageOps.exif_transpose(im); im.thumbnail((2048, 2048))
    im.save(io.BytesIO(), "JPEG", quality=85)
def pipeline():
    images.process_image(io.BytesIO(photo))
def median(fn, n=7):
    fn(); out = []
    for _ in range(n):
        t = time.perf_counter(); fn(); out.append(time.perf_counter() - t)
    return statistics.median(out) * 1000
print(json.dumps([median(pipeline), median(floor)]))
"""


FANOUT_WARM_UP_ROUNDS = 2


@dataclasses.dataclass
class FanoutPath:
    """One path of the live fan-out: sockets at `ws_url`, a `trigger(marker)` that publishes through it, and
    `match(message, marker)` that recognises the published event on a socket."""

    ws_url: str
    token: str
    trigger: Callable[[str], Awaitable[None]]
    match: Callable[[dict, str], bool]
    latencies: list[float] = dataclasses.field(default_factory=list)
    tokens: list[str] | None = None  # one per socket (e.g. each moderator's own), else `token` for all


async def _fanout(paths: list[FanoutPath], n_sockets: int, rounds: int) -> None:
    """Rounds of every path, in turn: each round publishes once and times the event's arrival on each of the
    path's `n_sockets` sockets. The paths alternate round by round (and which goes first), as the HTTP cases
    sit between two floor runs: a slow phase of the shared machine then meets the floor and the path compared
    with it alike (measured one after the other, the floor's own p99 moved from 106 to 257 ms between two
    runs, taking the ratio from 2.3x to 1.0x with the same code)."""
    import websockets

    sockets = {}
    for path in paths:
        tokens = path.tokens or [path.token]
        sockets[path.ws_url] = [
            await websockets.connect(
                path.ws_url, additional_headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"}, max_queue=None
            )
            for i in range(n_sockets)
        ]
    try:
        # Measured warm, as the HTTP cases: the first rounds (discarded) meet a cold server process (its first
        # database and channel-layer connections, its caches). One cold round is 200 samples: a whole 1% of
        # the default 100 rounds, so it alone could set the p99 of whichever path ran cold.
        for i in range(-FANOUT_WARM_UP_ROUNDS, rounds):
            for path in paths if i % 2 == 0 else paths[::-1]:
                marker = f"bench-{i}-{time.time_ns()}"
                started = time.perf_counter()
                await path.trigger(marker)

                async def wait(ws, marker=marker, started=started, match=path.match):
                    while True:
                        message = json.loads(await ws.recv())
                        if match(message, marker):
                            return time.perf_counter() - started

                measured = await asyncio.wait_for(asyncio.gather(*(wait(ws) for ws in sockets[path.ws_url])), 30)
                if i >= 0:
                    path.latencies.extend(measured)
                await asyncio.sleep(0.2)
    finally:
        every = [ws for path_sockets in sockets.values() for ws in path_sockets]
        await asyncio.gather(*(ws.close() for ws in every), return_exceptions=True)


def bench_comment_fanout(http_base: str, ws_base: str, data: dict, args, layer: str):
    """A new comment reaching the readers of its thread (bench/comments_bench.py), against the bare floor."""
    import httpx

    from bench import comments_bench

    client = httpx.AsyncClient(timeout=30)
    floor_path, thread_path = comments_bench.comment_fanout_paths(
        http_base, ws_base, data, FanoutPath=FanoutPath, client=client
    )

    async def run():
        await _fanout([floor_path, thread_path], args.sockets, args.fanout_rounds)
        await client.aclose()

    asyncio.run(run())

    def pct(values, q):
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    floor, real = floor_path.latencies, thread_path.latencies
    record(
        "comments",
        f"floor: bare consumer, {args.sockets} sockets ({layer})",
        p50_ms=pct(floor, 50),
        p99_ms=pct(floor, 99),
        ratio=1.0,
    )
    record(
        "comments",
        f"comment POST -> {args.sockets} thread readers ({layer}; target p99 ratio <= 2)",
        p50_ms=pct(real, 50),
        p99_ms=pct(real, 99),
        ratio=pct(real, 99) / pct(floor, 99),
    )


def bench_fanout(http_base: str, ws_base: str, data: dict, args, layer: str):
    import httpx

    client = httpx.AsyncClient(timeout=30)

    async def post_proposal(marker):
        response = await client.post(
            f"{http_base}/api/v1/proposals/",
            headers={"Authorization": f"Bearer {data['storm_tokens'][1]}"},
            json={
                "title": marker,
                "description": "Pengukuran fan-out langsung ke moderator.",
                "category": 1,
                "kelurahan": data["kelurahan"],
            },
        )
        assert response.status_code == 201, response.text

    async def post_floor(marker):
        response = await client.post(f"{http_base}/bench/floor/publish/", json={"title": marker})
        assert response.status_code == 204

    def proposal_match(message, marker):
        return message.get("type") == "proposal.submitted" and message["payload"].get("title") == marker

    def floor_match(message, marker):
        return message.get("title") == marker

    floor_path = FanoutPath(f"{ws_base}/ws/bench/floor/", data["admin_token"], post_floor, floor_match)
    real_path = FanoutPath(f"{ws_base}/ws/moderation/", data["admin_token"], post_proposal, proposal_match)

    async def run():
        await _fanout([floor_path, real_path], args.sockets, args.fanout_rounds)
        await client.aclose()

    asyncio.run(run())
    floor, real = floor_path.latencies, real_path.latencies

    def pct(values, q):
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    record(
        "fanout",
        f"floor: bare consumer, {args.sockets} sockets ({layer})",
        p50_ms=pct(floor, 50),
        p99_ms=pct(floor, 99),
        ratio=1.0,
    )
    record(
        "fanout",
        f"proposal POST -> {args.sockets} moderator sockets ({layer})",
        p50_ms=pct(real, 50),
        p99_ms=pct(real, 99),
        ratio=pct(real, 99) / pct(floor, 99),
    )
    return pct(real, 99) / pct(floor, 99)


EXPORT_SCRIPT = r"""
import json, resource, tempfile, time
from django.db import connection
from aspirasi import exports
from aspirasi.selectors.planning import priorities_for_cycle, priority_rows, priority_totals

fmt, size = "%(fmt)s", 0
filters = {"cycle": None, "level": "kelurahan"}
started = time.perf_counter()
if fmt == "copy":
    # The floor: PostgreSQL's own COPY of the same ranked query, straight to the client.
    import psycopg
    sql, params = priorities_for_cycle(**filters).query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    query = psycopg.ClientCursor(raw).mogrify(sql, params)
    with raw.cursor().copy(f"COPY ({query}) TO STDOUT WITH CSV HEADER") as copy:
        for block in copy:
            size += len(block)
elif fmt == "xlsx":
    with tempfile.TemporaryFile() as target:
        exports.xlsx_write(priority_rows(**filters), totals=priority_totals(**filters), target=target)
        size = target.tell()
else:
    writer = {"csv": exports.csv_chunks, "geojson": exports.geojson_chunks}.get(fmt)
    chunks = writer(priority_rows(**filters)) if writer else exports.json_chunks(priority_rows(**filters), meta={})
    for chunk in chunks:
        size += len(chunk)
elapsed = time.perf_counter() - started
print(json.dumps([elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, size]))
"""


def bench_export(env: dict, args):
    """Export of the consolidated priorities of every seeded proposal, each format in a fresh process so
    the peak RSS is the export's own. The floor is PostgreSQL's COPY of the same query (PostgreSQL only)."""
    formats = (["copy"] if env["DATABASE_URL"].startswith("postgres") else []) + ["csv", "json", "geojson", "xlsx"]
    floor = None
    for fmt in formats:
        out = manage(env, "shell", "-c", EXPORT_SCRIPT % {"fmt": fmt}, capture=True)
        elapsed, rss_mb, size = json.loads(out.strip().splitlines()[-1])
        if fmt == "copy":
            floor = elapsed
            record(
                "export",
                f"floor: PostgreSQL COPY of the same query ({size / 1e6:.1f} MB)",
                seconds=elapsed,
                peak_rss_mb=rss_mb,
                ratio=1.0,
            )
            continue
        extra = {"ratio": elapsed / floor} if floor else {}
        record(
            "export",
            f"{fmt} export, {args.proposals} proposals ({size / 1e6:.1f} MB)",
            seconds=elapsed,
            peak_rss_mb=rss_mb,
            **extra,
        )


def bench_shortlist(env: dict, args) -> None:
    """The funded shortlist at --shortlist-proposals (bench/shortlist_bench.py): one kecamatan's, and all 34
    kelurahan's at once, each beside its floor (the same scored rows read alone). Seeded once per size."""
    script = [PY, str(ROOT / "bench" / "shortlist_bench.py")]
    run_env = env | {"BENCH_PROPOSALS": str(args.shortlist_proposals)}

    def last_json(command: str):
        out = subprocess.run([*script, command], cwd=ROOT, env=run_env, check=True, text=True, capture_output=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    manage(env, "migrate", "--noinput", "-v0")
    seeded = last_json("seed")
    for level, seconds in seeded.items():
        print(f"  seeded the {level} cycle ({args.shortlist_proposals} proposals) in {seconds:.1f}s", flush=True)
    if seeded:
        settle(env["DATABASE_URL"])  # the planner's statistics: without them PostgreSQL nests loops (3x slower)
    for case in last_json("run"):
        record(
            "shortlist",
            f"floor: the scored rows read alone, {case['label']}",
            seconds=case["floor_seconds"],
            cpu_seconds=case["floor_cpu_seconds"],
        )
        record(
            "shortlist",
            case["label"],
            seconds=case["seconds"],
            max_seconds=case["max_seconds"],
            cpu_seconds=case["cpu_seconds"],
            solver_seconds=case["solver_seconds"],
            ratio=case["ratio"],
            target_seconds=case["target_seconds"],
            met=case["met"],
        )


def bench_ballots(base: str, env: dict, args) -> None:
    """Ballot storms (bench/ballot_bench.py), each between two floor runs by the same clients, with a recount
    after each: zero errors and exact tallies are the target."""
    from bench import ballot_bench

    runs, floors, wrong = [], [], {"ballots_wrong": 0, "tallies_wrong": 0}
    floors.append(ballot_bench.floor(base, {"voters": [None] * args.clients}, args.duration, 800))
    for _ in range(args.pairs):
        data = json.loads(
            manage(env, "shell", "-c", ballot_bench.setup_script(args.clients), capture=True).strip().splitlines()[-1]
        )
        figures, acknowledged = ballot_bench.storm(base, data, args.duration)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as expected:
            expected.write(ballot_bench.expected_file(data, acknowledged))
            expected.flush()
            recount = json.loads(
                manage(env | {"BALLOT_EXPECTED": expected.name}, "shell", "-c", ballot_bench.RECOUNT, capture=True)
                .strip()
                .splitlines()[-1]
            )
        for key in wrong:
            wrong[key] += recount[key]
        settle(env["DATABASE_URL"])
        floors.append(ballot_bench.floor(base, data, args.duration, 800))
        runs.append((figures, statistics.mean([floors[-2]["rps"], floors[-1]["rps"]]), recount["choices"]))
    ratios = [figures["rps"] / floor_rps for figures, floor_rps, _choices in runs]
    record(
        "ballots",
        f"floor: plain JSON view, the same {args.clients} httpx clients, {len(floors)} runs",
        rps=statistics.median(f["rps"] for f in floors),
        errors=sum(f["errors"] for f in floors),
        ratio=1.0,
    )
    statuses = [figures["error_statuses"] for figures, *_rest in runs if "error_statuses" in figures]
    record(
        "ballots",
        f"ballot replace, {args.clients} clients, {len(runs)} storms",
        rps=statistics.median(figures["rps"] for figures, *_rest in runs),
        p50_ms=statistics.median(figures["p50_ms"] for figures, *_rest in runs),
        p99_ms=statistics.median(figures["p99_ms"] for figures, *_rest in runs),
        errors=sum(figures["errors"] for figures, *_rest in runs),
        ratio=statistics.median(ratios),
        ratios="/".join(f"{ratio:.2f}" for ratio in ratios),
        choices_after=runs[-1][2],
        **wrong,
        **({"error_statuses": "; ".join(statuses)} if statuses else {}),
    )


# --- report ---------------------------------------------------------------------------------------


def _earlier_rows(existing: str, measured: set[str]) -> dict[tuple[str, ...], list[str]]:
    """The table rows of earlier runs whose sections this run did not measure (an --only run keeps them), by
    the header lines (when, what data) of the run that measured them."""
    kept: dict[tuple[str, ...], list[str]] = {}
    header: list[str] = []
    for line in existing.split("<!-- notes -->", 1)[0].splitlines():
        if line.startswith("Measured by"):
            header = [line]
        elif line.startswith("Data:"):
            header.append(line)
        elif (
            line.startswith("| ")
            and not line.startswith("| section ")
            and set(line) - set("|- ")
            and line.split("|")[1].strip() not in measured
        ):
            kept.setdefault(tuple(header), []).append(line)
    return kept


def write_report(args, backend: str):
    target_file = ROOT / "docs" / "benchmarks.md"
    existing = target_file.read_text() if target_file.exists() else ""
    measured = {row["section"] for row in RESULTS}
    earlier = _earlier_rows(existing, measured)
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()} "
        f"({os.cpu_count()} cores), backend: **{backend}**.",
        f"Data: {args.proposals} proposals, {args.votes} votes, {args.residents} residents. "
        f"HTTP: wrk, {args.connections} connections, {args.duration}s per case, gunicorn with "
        f"{args.workers} workers and gunicorn.conf.py (the production settings, docs/deploy.md).",
        f"Every ratio is to its baseline measured in the same run, next to it: each HTTP case runs {args.pairs} "
        "times, each time between two floor runs, and each storm between two runs of the logged-in list; a "
        "ratio is the median of its runs' ratios to the mean of the baseline runs on both sides (`ratios` "
        "lists them; rates and latencies are medians too). Shared, noisy machine: compare ratios, not "
        "absolute numbers.",
        "`wire`: the body of a page of 20 proposals as it travels (bytes received by curl), plain and with "
        "`Accept-Encoding: gzip`; the target is at most 4 KB gzipped. wrk sends no Accept-Encoding: the HTTP "
        "cases are measured uncompressed.",
        "",
        "| section | case | figures |",
        "| --- | --- | --- |",
    ]
    for row in RESULTS:
        figures = ", ".join(
            f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
            for k, v in row.items()
            if k not in {"section", "name"}
        )
        lines.append(f"| {row['section']} | {row['name']} | {figures} |")
    for header, rows in earlier.items():
        # An --only run: the sections it did not measure keep their rows, under the header of the run that did.
        lines += ["", "Kept from an earlier run (sections this run did not measure):", "", *header, "",
                  "| section | case | figures |", "| --- | --- | --- |", *rows]  # fmt: skip
    notes = existing.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in existing else "\n"
    target_file.write_text("\n".join(lines) + "\n\n<!-- notes -->" + notes)
    print(f"\nwrote {target_file.relative_to(ROOT)}")


# The sections, in the order they run; those in SEEDED read seed()'s data set (the planning ones seed their own).
SEEDED = {"wire", "http", "votes", "photo", "storage", "fanout", "export", "workbench", "comments"}
SECTIONS = [
    "shortlist",
    "ballots",
    "wire",
    "http",
    "votes",
    "photo",
    "storage",
    "fanout",
    "export",
    "workbench",
    "comments",
]


def main():
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--proposals", type=int, default=20_000)
    parser.add_argument("--votes", type=int, default=200_000)
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per HTTP case")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--pairs", type=int, default=3, help="runs of each HTTP case and storm, each between two baselines"
    )
    parser.add_argument("--clients", type=int, default=64, help="vote storm clients")
    parser.add_argument("--sockets", type=int, default=200)
    # The 200 sockets of a round share one trigger, so a round's samples move together: the p99 is a round's
    # figure, and with 20 rounds it was the worst round's alone. 100 rounds: the 99th percentile of rounds.
    parser.add_argument("--fanout-rounds", type=int, default=100)
    # gunicorn.conf.py: 2 x CPU workers serve the HTTP API in production.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 2))
    parser.add_argument(
        "--large",
        action="store_true",
        help="100k proposals / 1M votes (the export target's size) instead of the defaults",
    )
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument(
        "--shortlist-proposals", type=int, default=100_000, help="proposals of each shortlist case (issue 24)"
    )
    parser.add_argument("--workbench-rounds", type=int, default=100, help="items submitted to 20 moderators")
    parser.add_argument("--storage-rounds", type=int, default=7, help="uploads per storage, alternating")
    args = parser.parse_args()
    if args.large:
        args.proposals, args.votes, args.residents = 100_000, 1_000_000, 10_000
    only = set(args.only.split(","))
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed for the HTTP load: apt-get install wrk")

    redis = bool(os.environ.get("REDIS_URL"))
    database_url = bench_database_url()
    backend = ("PostgreSQL" if database_url.startswith("postgres") else "SQLite") + (
        " + Redis" if redis else " + in-memory channel layer"
    )
    print(f"backend: {backend}", flush=True)
    env = server_env(database_url, redis=redis)
    if only & SEEDED:
        data = seed(env, args)
    else:  # the planning sections seed their own data
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
    if "comments" in only:
        from bench import comments_bench

        comments_bench.seed_thread(manage, env, data["published"][0])

    if "shortlist" in only:
        bench_shortlist(env, args)
    served = only & {"ballots", "wire", "http", "votes", "photo", "comments"}
    with gunicorn(env, free_port(), args.workers) if served else contextlib.nullcontext() as base:
        if "ballots" in only:
            bench_ballots(base, env, args)
        if "wire" in only:
            bench_wire(base, data)
        if "http" in only:
            bench_http(base, data, args)
        if "votes" in only:
            bench_votes(base, data, env, args)
        if "photo" in only:
            bench_photo(base, data, env)
        if "comments" in only:
            from bench import comments_bench

            comments_bench.bench_comments_page(
                base, data, args, measured=measured, paired=paired, summary=summary, record=record
            )
    if "storage" in only:
        bench_storage(env, data, args.storage_rounds)
    if "fanout" in only:
        # In-memory layer: one process must hold both the POST and the sockets.
        memory_env = server_env(database_url, redis=False)
        with uvicorn(memory_env, free_port()) as base:
            bench_fanout(base, base.replace("http", "ws"), data, args, "in-memory layer")
        if redis:
            with (
                gunicorn(env, free_port(), args.workers) as http_base,
                uvicorn(env, free_port(), workers=2) as ws_base,
            ):
                bench_fanout(http_base, ws_base.replace("http", "ws"), data, args, "Redis, 2 ASGI processes")
    if "comments" in only:
        memory_env = server_env(database_url, redis=False)
        with uvicorn(memory_env, free_port()) as base:
            bench_comment_fanout(base, base.replace("http", "ws"), data, args, "in-memory layer")
        if redis:
            with (
                gunicorn(env, free_port(), args.workers) as http_base,
                uvicorn(env, free_port(), workers=2) as ws_base,
            ):
                bench_comment_fanout(http_base, ws_base.replace("http", "ws"), data, args, "Redis, 2 ASGI processes")
    if "export" in only:
        bench_export(env, args)
    if "workbench" in only:
        bench_workbench(env, data, args, database_url, redis)
    write_report(args, backend)


def bench_workbench(env: dict, data: dict, args, database_url: str, redis: bool) -> None:
    """bench/workbench_bench.py: 20 moderators' screens (both layers) and the 200-item page."""
    from bench import workbench_bench

    moderators = workbench_bench.setup(manage, env)
    arrival = functools.partial(
        workbench_bench.bench_arrival, fanout=_fanout, path_class=FanoutPath, record=record, args=args
    )
    memory_env = server_env(database_url, redis=False)
    with uvicorn(memory_env, free_port()) as base:
        arrival(base, base.replace("http", "ws"), data, moderators, layer="in-memory layer")
    if redis:
        with (
            gunicorn(env, free_port(), args.workers) as http_base,
            uvicorn(env, free_port(), workers=2) as ws_base,
        ):
            arrival(http_base, ws_base.replace("http", "ws"), data, moderators, layer="Redis, 2 ASGI processes")
    with gunicorn(env, free_port(), args.workers) as base:
        workbench_bench.bench_page(base, moderators, record)


if __name__ == "__main__":
    main()
