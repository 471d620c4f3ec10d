"""Rate limits as a client sees them: replays cost nothing, every throttled answer states the limit
(draft-ietf-httpapi-ratelimit-headers), and a 429 says so in its status line."""

import http.client
import json
import re
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from limits import strategies
from limits.storage import RedisStorage

from aspirasi.api import throttling
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.models import Proposal, ProposalPhoto, ProposalStatus, Report, Vote
from tests.aspirasi.test_images import photo_bytes
from tests.browser.server import copy_database, daphne, free_port, server_env, serving
from tests.factories import ProposalFactory, category, kelurahan

pytestmark = pytest.mark.django_db

PROPOSALS = "/api/v1/proposals/"
POLICY = re.compile(r'^"(?P<scope>[a-z]+)";q=(?P<q>\d+);w=(?P<w>\d+)$')
STATE = re.compile(r'^"(?P<scope>[a-z]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')


def _proposal(n: int) -> dict:
    return {
        "title": f"Pelatihan menjahit angkatan {n}",
        "description": "Pelatihan menjahit selama tiga bulan agar ibu rumah tangga bisa membuka usaha.",
        "category": category("pendidikan").pk,
        "kelurahan": kelurahan("manggar").pk,
    }


def _fields(response) -> tuple[dict, dict]:
    """The RateLimit-Policy and RateLimit fields, parsed (each one item)."""
    policy, state = POLICY.match(response["RateLimit-Policy"]), STATE.match(response["RateLimit"])
    assert policy and state, (response["RateLimit-Policy"], response["RateLimit"])
    assert policy["scope"] == state["scope"]
    return {k: v if k == "scope" else int(v) for k, v in policy.groupdict().items()}, {
        k: v if k == "scope" else int(v) for k, v in state.groupdict().items()
    }


def test_replays_never_count_against_the_create_quota(as_resident):
    """The issue's case: one create and its retries, then the rest of the hour's quota, all served."""
    quota = ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["create"])[0]  # 30/hour by default

    first = as_resident.post(PROPOSALS, _proposal(0), format="json", HTTP_IDEMPOTENCY_KEY="same")
    replays = [
        as_resident.post(PROPOSALS, _proposal(0), format="json", HTTP_IDEMPOTENCY_KEY="same") for _ in range(quota + 1)
    ]
    others = [
        as_resident.post(PROPOSALS, _proposal(n), format="json", HTTP_IDEMPOTENCY_KEY=f"key-{n}")
        for n in range(1, quota)
    ]
    one_too_many = as_resident.post(PROPOSALS, _proposal(quota), format="json", HTTP_IDEMPOTENCY_KEY="last")

    assert first.status_code == 201
    assert [r.status_code for r in replays] == [201] * (quota + 1)
    assert all(r["Idempotent-Replayed"] == "true" and r.json() == first.json() for r in replays)
    assert [r.status_code for r in others] == [201] * (quota - 1)
    assert one_too_many.status_code == 429
    assert Proposal.objects.count() == quota


@pytest.fixture
def two_a_minute(monkeypatch):
    for scope in ("create", "vote"):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, scope, "2/min")


def _report(client, n: int, key: str, photo: bytes):
    form = {"description": f"Lampu jalan mati nomor {n}", "category": category().pk, "kelurahan": kelurahan().pk}
    image = SimpleUploadedFile("photo.jpg", photo, content_type="image/jpeg")
    return client.post("/api/v1/reports/", {**form, "image": image}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def _photo(client, n: int, key: str, photo: bytes, proposal):
    image = SimpleUploadedFile(f"photo-{n}.jpg", photo, content_type="image/jpeg")
    url = f"/api/v1/proposals/{proposal.pk}/photos/"
    return client.post(url, {"image": image}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def _vote(client, n: int, key: str, proposals):
    return client.post(f"/api/v1/proposals/{proposals[n].pk}/vote/", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.parametrize("operation", ["report", "photo", "vote"])
def test_every_idempotent_create_replays_for_free(operation, as_resident, resident, two_a_minute):
    photo = photo_bytes()
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    published = [ProposalFactory() for _ in range(3)]
    create, created = {
        "report": (lambda n, key: _report(as_resident, n, key, photo), Report.objects),
        "photo": (lambda n, key: _photo(as_resident, n, key, photo, proposal), ProposalPhoto.objects),
        "vote": (lambda n, key: _vote(as_resident, n, key, published), Vote.objects),
    }[operation]

    assert create(0, "same").status_code == 201
    replays = [create(0, "same") for _ in range(3)]
    assert [(r.status_code, r["Idempotent-Replayed"]) for r in replays] == [(201, "true")] * 3
    assert create(1, "other").status_code == 201  # the second of two a minute: the replays took none
    assert create(2, "third").status_code == 429
    assert created.count() == 2


def test_a_key_reused_with_another_body_is_still_refused(as_resident, two_a_minute):
    assert as_resident.post(PROPOSALS, _proposal(0), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    reused = as_resident.post(PROPOSALS, _proposal(1), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


def test_a_key_of_one_operation_buys_nothing_on_another(as_resident, two_a_minute):
    """A vote's key sent along with withdrawals: not a replay of anything, so they count."""
    proposal = ProposalFactory()
    url = f"/api/v1/proposals/{proposal.pk}/vote/"
    assert as_resident.post(url, HTTP_IDEMPOTENCY_KEY="vote-key").status_code == 201
    assert as_resident.delete(url, HTTP_IDEMPOTENCY_KEY="vote-key").status_code == 200
    assert as_resident.delete(url, HTTP_IDEMPOTENCY_KEY="vote-key").status_code == 429


def test_every_answer_of_a_throttled_create_states_the_limit(as_resident, two_a_minute):
    first = as_resident.post(PROPOSALS, _proposal(0), format="json", HTTP_IDEMPOTENCY_KEY="a")
    replay = as_resident.post(PROPOSALS, _proposal(0), format="json", HTTP_IDEMPOTENCY_KEY="a")
    invalid = as_resident.post(PROPOSALS, {"title": ""}, format="json")
    refused = as_resident.post(PROPOSALS, _proposal(2), format="json")

    policy = {"scope": "create", "q": 2, "w": 60}
    assert (first.status_code, _fields(first)[0]) == (201, policy)
    assert _fields(first)[1]["r"] == 1 and 0 < _fields(first)[1]["t"] <= 60
    assert _fields(replay)[1]["r"] == 1  # a replay takes nothing
    assert (invalid.status_code, _fields(invalid)[1]["r"]) == (400, 0)  # a refused body still took its unit
    assert refused.status_code == 429
    assert refused.reason_phrase == "Too Many Requests"
    assert refused.json()["code"] == "throttled"
    refused_policy, refused_state = _fields(refused)
    assert refused_policy == policy and refused_state["r"] == 0
    # Retry-After and the reset name the same moment: when the oldest of the two leaves the minute.
    assert int(refused["Retry-After"]) == refused_state["t"] and 0 < refused_state["t"] <= 60


def test_registering_is_limited_per_client_address(api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "register", "1/hour")
    first, second = (api.post("/api/v1/auth/register/", {}, format="json") for _ in range(2))
    assert first.status_code == 400 and _fields(first) == (
        {"scope": "register", "q": 1, "w": 3600},
        {"scope": "register", "r": 0, "t": _fields(first)[1]["t"]},
    )
    assert second.status_code == 429 and _fields(second)[1]["r"] == 0


def test_operations_without_a_limit_state_none(api, as_resident):
    for response in (api.get(PROPOSALS), as_resident.get("/api/v1/me/")):
        assert response.status_code == 200
        assert "RateLimit" not in response and "RateLimit-Policy" not in response


def test_with_redis_down_the_throttle_fails_open_and_states_nothing(as_resident, monkeypatch):
    down = strategies.MovingWindowRateLimiter(RedisStorage(f"redis://127.0.0.1:{free_port()}/0"))
    monkeypatch.setattr(throttling, "limiter", lambda: down)

    response = as_resident.post(PROPOSALS, _proposal(0), format="json")

    assert response.status_code == 201
    assert "RateLimit" not in response and "RateLimit-Policy" not in response


# --- through a real server: the status line is the server's to write ---------------------------------


@contextmanager
def _gunicorn(env: dict, *, log: Path):
    """gunicorn with the production settings file, one worker, until the block ends; yields its port."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1", "GUNICORN_ACCESS_LOG": ""}
    command = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", "-c", "gunicorn.conf.py"]
    with serving(command, env, port=port, log=log, name="gunicorn"):
        yield port


@contextmanager
def _daphne(env: dict, *, log: Path):
    with daphne(env, log=log) as url:
        yield int(url.rsplit(":", 1)[1])


@pytest.mark.parametrize("serve", [_gunicorn, _daphne], ids=["gunicorn", "daphne"])
def test_the_server_sends_429_too_many_requests_with_the_limit(asgi_database_template, tmp_path, serve):
    # gunicorn in production; daphne for `make run` (Twisted had no phrase for 429: backend/asgi.py).
    env = server_env(copy_database(asgi_database_template, tmp_path / "db"))
    # Its own limits (a prefix of its own in a shared Redis) and a quota of one.
    env.update(THROTTLE_REGISTER="1/hour", CACHE_PREFIX=f"test-{uuid.uuid4().hex}")
    with serve(env, log=tmp_path / "server.log") as port:
        answers = []
        for _ in range(2):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            body = json.dumps({})
            connection.request("POST", "/api/v1/auth/register/", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answers.append((response.status, response.reason, response.headers))  # any case of names
            response.read()
            connection.close()

    (first_status, _, first_headers), (status, reason, headers) = answers
    assert first_status == 400 and first_headers["RateLimit-Policy"] == '"register";q=1;w=3600'
    assert (status, reason) == (429, "Too Many Requests")
    assert headers["RateLimit-Policy"] == '"register";q=1;w=3600'
    state = STATE.match(headers["RateLimit"])
    assert state and state["r"] == "0" and headers["Retry-After"] == state["t"]


def _register_statuses(api, forwarded_for: list[str]) -> list[int]:
    return [
        api.post("/api/v1/auth/register/", {}, format="json", HTTP_X_FORWARDED_FOR=value).status_code
        for value in forwarded_for
    ]


def test_a_forged_forwarded_for_does_not_escape_the_limit(api, monkeypatch):
    """Without a proxy in front (NUM_PROXIES 0), the address is the connection's: a new X-Forwarded-For per
    request is still the same client."""
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "register", "2/hour")
    assert _register_statuses(api, [f"10.0.0.{n}" for n in range(4)]) == [400, 400, 429, 429]


def test_behind_one_proxy_the_address_is_the_one_it_wrote(api, monkeypatch, settings):
    """NUM_PROXIES 1: the last X-Forwarded-For entry (our proxy's, docs/deploy.md) is the client; what the
    client put before it does not count."""
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "register", "2/hour")
    settings.NUM_PROXIES = 1
    forged = [f"10.0.0.{n}, 203.0.113.7" for n in range(3)]
    assert _register_statuses(api, forged) == [400, 400, 429]
    assert _register_statuses(api, ["203.0.113.8"]) == [400]  # another client behind the same proxy
