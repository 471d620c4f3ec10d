"""Faults: Redis going away and coming back, database connections dying under the pool."""

import asyncio
import logging
import shutil
import socket
import subprocess
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.db import connection

from realtime import events
from tests.conftest import client_for
from tests.factories import ProposalFactory
from tests.processes import run_server_process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server of our own, so a test can stop and restart it."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _use_redis_layer(settings, url: str) -> None:
    """The channel layer on the Redis at `url`, with the production settings' host options."""
    config = {"hosts": [{"address": url, **settings.CHANNEL_LAYERS_REDIS_HOST_OPTIONS}]}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": config}}
    channel_layers.backends = {}


@pytest.fixture
def private_redis(settings):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for the fault tests (Debian package redis-server)")
    redis = PrivateRedis()
    redis.start()
    settings.REDIS_URL = redis.url
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        },
    }
    _use_redis_layer(settings, redis.url)
    yield redis
    if redis.proc.poll() is None:
        redis.stop()
    channel_layers.backends = {}


class SilentRedis:
    """A server that accepts connections and reads, and never answers: a hung Redis, or a network that
    drops the replies."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.accepted = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self):
        self.listener.close()
        for connection_ in self.accepted:
            connection_.close()


@pytest.fixture
def silent_redis_layer(settings):
    redis = SilentRedis()
    _use_redis_layer(settings, redis.url)
    yield redis
    redis.close()
    channel_layers.backends = {}


def test_a_hung_redis_holds_a_publisher_up_for_the_publish_timeout_only(silent_redis_layer, caplog, monkeypatch):
    """The write that published has committed; its request must not wait out the layer's read timeout
    (10 s, per group) on a Redis that never answers."""
    monkeypatch.setattr(events, "PUBLISH_TIMEOUT", 0.5)
    message = events.build_message(events.PROPOSAL_UPDATED, {"proposal_id": 1})
    for publish in (
        lambda: events.send_now(events.moderation_groups(1), message),
        lambda: events.send_each([(events.moderation_groups(1), message)]),
    ):
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="realtime.events"):
            publish()  # never raises
        assert time.monotonic() - started < events.PUBLISH_TIMEOUT + 1.0
    assert silent_redis_layer.accepted, "the layer never reached the silent server"
    assert caplog.text.count("not delivered") == 2


async def _roundtrip() -> dict:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("faults", channel)
    await layer.group_send("faults", {"type": "event.message", "message": {"ok": True}})
    return await asyncio.wait_for(layer.receive(channel), 3)


@pytest.mark.django_db
def test_redis_outage_degrades_health_but_not_the_api(private_redis, client, resident, committed, caplog):
    assert client.get("/healthz").status_code == 200
    assert async_to_sync(_roundtrip)()["message"] == {"ok": True}

    private_redis.stop()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["channel_layer"]["status"] == "down"
    assert health.json()["checks"]["database"]["status"] == "ok"
    # The API keeps serving: throttles and caches fail open instead of answering 500.
    assert client_for(resident).get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/categories/").status_code == 200
    login = client.post(
        "/api/v1/auth/token/", {"phone": resident.phone, "password": "rahasia-sekali-123"}, "application/json"
    )
    assert login.status_code == 200
    # Publishing a live event while Redis is down must not break the write that caused it.
    events.send_now(["faults"], events.build_message("proposal.updated", {"proposal_id": 1}))
    events.send_each([(["faults"], events.build_message("vote.tally", {"proposal_id": 1}))])
    # Nor a vote: its live tally is given up (logged), not its write.
    proposal = ProposalFactory()
    with committed():
        assert client_for(resident).post(f"/api/v1/proposals/{proposal.pk}/vote/").status_code == 201
    proposal.refresh_from_db()
    assert proposal.vote_count == 1
    assert any("vote-tally:pending" in record.getMessage() for record in caplog.records)

    private_redis.start()
    channel_layers.backends = {}
    assert client.get("/healthz").status_code == 200
    assert async_to_sync(_roundtrip)()["message"] == {"ok": True}  # live events resume


SERVER_PROCESS = """
import time
import django, psycopg
django.setup()
from django.db import connection
from django.test import Client

client = Client(HTTP_HOST="127.0.0.1")
statuses = [client.get("/api/v1/categories/").status_code]
connection.close()  # end of request: the connection goes back to the pool
params = connection.get_connection_params()
with psycopg.connect(host=params.get("host"), port=params.get("port"), user=params.get("user"),
                     dbname="postgres", autocommit=True) as admin:
    killed = admin.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE application_name = %s AND pid <> pg_backend_pid()",
        ["aspirasi-fault-test"],
    ).fetchone()[0]
    # As after a restart: the next requests come once the old backends are gone (their FATAL error sent).
    # The pool notices a dead connection by that error on its socket, not by a round trip on every checkout.
    for _ in range(100):
        if not admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
            ["aspirasi-fault-test"],
        ).fetchone()[0]:
            break
        time.sleep(0.05)
    else:
        raise SystemExit("the terminated backends did not exit")
for _ in range(3):
    statuses.append(client.get("/api/v1/categories/").status_code)
    connection.close()
print(killed, *statuses)
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requests_recover_when_database_connections_die():
    """A server process whose pooled connections all die (what a PostgreSQL restart does) serves the next
    requests: the pool checks each connection as it hands it out and replaces dead ones."""
    if connection.vendor != "postgresql":
        pytest.skip("connection pool and pg_terminate_backend are PostgreSQL features")
    # PGAPPNAME tags this process's connections so only they are killed, not the test runner's.
    result = run_server_process(SERVER_PROCESS, PGAPPNAME="aspirasi-fault-test")
    assert result.returncode == 0, result.stderr[-2000:]
    killed, *statuses = result.stdout.split()
    assert int(killed) >= 1
    assert statuses == ["200", "200", "200", "200"]
