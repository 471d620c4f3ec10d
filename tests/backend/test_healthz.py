"""Health probes: liveness asks nothing, readiness needs the database only, /healthz reports everything.

Redis goes down as in tests/hardening/test_faults.py: a redis-server of the test's own, stopped. The
Dockerfile's HEALTHCHECK command is run as written against real gunicorn and uvicorn processes with the
production settings (DEBUG=0)."""

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connections

from aspirasi.api import health
from tests.browser.server import asgi_database_template, copy_database, free_port, server_env  # noqa: F401
from tests.conftest import client_for
from tests.hardening.test_faults import private_redis  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ALL_UP = {"database": {"status": "ok"}, "channel_layer": {"status": "ok"}}


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor of the default connection fails as an unreachable server does."""

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refused)


def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": ALL_UP}


def test_healthz_database_down(client, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"status": "down", "error": "OperationalError"}
    assert body["checks"]["channel_layer"]["status"] == "ok"


def test_healthz_redis_down(client, settings):
    # A port where nothing listens: the real Redis check fails fast.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["status"] == "down"


def test_live_asks_no_dependency(client, database_down, settings, django_assert_num_queries):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_everything_answers(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": ALL_UP}


def test_redis_down_degrades_but_never_unreadies(private_redis, client, resident):  # noqa: F811 - fixture
    assert client.get("/healthz/ready").json() == {"status": "ok", "checks": ALL_UP}

    private_redis.stop()

    ready = client.get("/healthz/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "degraded",
        "checks": {"database": {"status": "ok"}, "channel_layer": {"status": "down", "error": "ConnectionError"}},
    }
    assert client.get("/healthz/live").status_code == 200
    assert client.get("/healthz").status_code == 503  # the detailed report still tells monitoring
    assert client_for(resident).get("/api/v1/me/").status_code == 200  # and the API does serve

    private_redis.start()
    assert client.get("/healthz/ready").json()["status"] == "ok"


def test_database_down_is_not_ready(client, database_down):
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": {"status": "down", "error": "OperationalError"}, "channel_layer": {"status": "ok"}},
    }
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/healthz/live", "/healthz/ready"])
def test_probes_are_never_cached_and_need_no_credentials(client, path):
    response = client.get(path, HTTP_AUTHORIZATION="Bearer not-a-token")  # an API view would answer 401
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "max-age=0"} <= cache_control


def test_worker_check_is_the_readiness(capsys, monkeypatch):
    call_command("healthcheck")
    assert '"status": "ok"' in capsys.readouterr().out
    monkeypatch.setitem(health.CHECKS, "channel_layer", lambda: (_ for _ in ()).throw(ConnectionError()))
    call_command("healthcheck")  # Redis down: the worker still works


def test_worker_check_fails_without_the_database(database_down):
    with pytest.raises(CommandError, match="not ready: unavailable"):
        call_command("healthcheck")


# --- the Dockerfile's HEALTHCHECK, as a container runs it -------------------------------------------


def dockerfile_healthcheck() -> str:
    """The HEALTHCHECK's command, its continuation lines joined as Docker joins them."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", "")
    line = next(line for line in text.splitlines() if line.startswith("HEALTHCHECK "))
    return line.split(" CMD ", 1)[1]


def production_env(tmp_path, template) -> dict:
    env = server_env(copy_database(template, tmp_path / "db"))
    env.update(
        DEBUG="0",
        SECRET_KEY="healthcheck-test-only-not-a-real-secret-0123456789",
        ALLOWED_HOSTS="aspirasi.example,.balikpapan.example",
        GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG="",
    )
    return env


@contextmanager
def serving(command: list[str], env: dict, port: int, log: Path):
    """A server process until the block ends, once it accepts connections on `port`."""
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                        break
                except urllib.error.HTTPError:
                    break  # it answered (400: 127.0.0.1 is not an allowed host)
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{command[2]} did not start:\n{log.read_text()[-3000:]}") from None
                    time.sleep(0.2)
            yield
        finally:
            process.terminate()
            process.wait(timeout=10)


def run_healthcheck(env: dict, port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", "-c", dockerfile_healthcheck()],
        env={**env, "HEALTHCHECK_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("role", ["gunicorn", "uvicorn"])
def test_dockerfile_healthcheck_passes_on_each_http_role(asgi_database_template, tmp_path, role):  # noqa: F811
    assert re.search(r"/healthz/live\b", dockerfile_healthcheck())
    env, port = production_env(tmp_path, asgi_database_template), free_port()
    if role == "gunicorn":
        env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
        command = [sys.executable, "-m", "gunicorn", "backend.wsgi:application", "-c", "gunicorn.conf.py"]
    else:  # the WebSocket service: ASGI serves plain HTTP too (backend/asgi.py)
        command = [sys.executable, "-m", "uvicorn", "backend.asgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--proxy-headers"]
    with serving(command, env, port, tmp_path / f"{role}.log"):
        result = run_healthcheck(env, port)
        stopped = run_healthcheck(env, free_port())  # nothing listens there: the check fails
    assert result.returncode == 0, result.stderr
    assert stopped.returncode != 0
