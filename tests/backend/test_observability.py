"""Request ids, logs, error tracking and metrics (issue 26)."""

import json
import logging
import os
import subprocess
import sys

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from aspirasi.observability import RequestIdFilter
from aspirasi.services.accounts import tokens_for
from realtime.metrics import OPEN_SOCKETS
from tests.processes import ROOT

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-tests-0123456789"


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- Request id ---------------------------------------------------------------------------------------


def test_every_answer_carries_a_fresh_request_id(api):
    first, second = api.get("/api/v1/categories/"), api.get("/api/v1/categories/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    ("incoming", "kept"), [("lb-7f3a9c21-0001", True), ("short", False), ("has space in it", False), ("x" * 129, False)]
)
def test_an_incoming_request_id_is_kept_only_when_it_looks_like_one(api, incoming, kept):
    answered = api.get("/api/v1/categories/", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert (answered == incoming) is kept


def test_error_answers_and_their_log_lines_carry_the_request_id(api, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        missing = api.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="client-chosen-id-42")
        invalid = api.post("/api/v1/auth/register/", {"phone": "not a phone"}, format="json")

    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert missing["X-Request-ID"] == "client-chosen-id-42"
    assert invalid.status_code == 400 and len(invalid["X-Request-ID"]) == 32
    by_id = {record.request_id: record.getMessage() for record in caplog.records}
    assert "Not Found" in by_id["client-chosen-id-42"]
    assert "Bad Request" in by_id[invalid["X-Request-ID"]]


# One process started as production would: JSON logs and a Sentry DSN (the test process has neither).
PRODUCTION_LIKE = (
    "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); print(c.is_active(), c.dsn); "
    "from django.test import Client; "
    "Client(HTTP_HOST='127.0.0.1').get('/api/v1/no-such-thing/', HTTP_X_REQUEST_ID='json-log-request-1')"
)


def test_production_logs_are_json_lines_with_the_request_id_and_sentry_starts_with_its_dsn():
    result = _run(PRODUCTION_LIKE, LOG_FORMAT="json", SENTRY_DSN="https://public@127.0.0.1:9/1")

    assert result.stdout.split() == ["True", "https://public@127.0.0.1:9/1"], result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [not_found] = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["request_id"] == "json-log-request-1" and not_found["level"] == "WARNING"
    assert not_found["timestamp"].endswith("+00:00")


def test_with_a_dsn_each_request_tags_its_sentry_events_with_its_id(settings, monkeypatch):
    import sentry_sdk

    tags = []
    monkeypatch.setattr(sentry_sdk, "set_tag", lambda key, value: tags.append((key, value)))
    settings.SENTRY_DSN = "https://public@127.0.0.1:9/1"  # read as the middleware is built: a new client
    Client().get("/api/v1/categories/", HTTP_X_REQUEST_ID="tagged-request-0001")
    settings.SENTRY_DSN = ""
    Client().get("/api/v1/categories/", HTTP_X_REQUEST_ID="untagged-request-01")

    assert tags == [("request_id", "tagged-request-0001")]


def test_sentry_stays_off_without_a_dsn():
    import sentry_sdk

    assert not os.environ.get("SENTRY_DSN")
    assert not sentry_sdk.get_client().is_active()


# --- Metrics ------------------------------------------------------------------------------------------


def test_metrics_are_off_without_a_token(api, settings):
    settings.METRICS_TOKEN = ""
    assert api.get("/metrics").status_code == 404


def test_metrics_need_the_token(api, settings):
    settings.METRICS_TOKEN = TOKEN
    refused = api.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token-0123456789")
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
    assert refused["WWW-Authenticate"].startswith("Bearer")


def _scrape(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def _value(text: str, sample: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_requests_per_view_and_read_the_shared_queue(api, settings, resident):
    from notifications.tasks import push_retry

    api.get("/api/v1/categories/")
    push_retry.enqueue()
    text = _scrape(settings)

    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="categories"}' in text
    assert _value(text, 'aspirasi_tasks_ready{queue="default"}') == 1
    assert _value(text, 'aspirasi_push_deliveries_pending{attempt="retry"}') == 0
    assert _value(text, "aspirasi_shared_state_up") == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_open_sockets_are_counted_while_open(moderator_manggar):
    from backend.asgi import application

    gauge = OPEN_SOCKETS.labels("ModerationConsumer")
    before = gauge._value.get()
    token = await database_sync_to_async(tokens_for)(moderator_manggar)
    headers = [(b"origin", b"http://127.0.0.1"), (b"authorization", f"Bearer {token['access']}".encode())]
    communicator = WebsocketCommunicator(application, "ws/moderation/", headers=headers)
    assert (await communicator.connect())[0]
    assert gauge._value.get() == before + 1
    await communicator.disconnect()
    assert gauge._value.get() == before


def test_worker_processes_are_summed_in_multiprocess_mode(tmp_path):
    """Two processes (as gunicorn forks its workers) share PROMETHEUS_MULTIPROC_DIR: a scrape of one
    counts both."""
    serve = (
        "import os, django; django.setup(); from django.test import Client; c = Client(HTTP_HOST='127.0.0.1')\n"
        "pid = os.fork()\n"
        "if pid == 0:\n    [c.get('/healthz/live') for _ in range(2)]; os._exit(0)\n"
        "os.waitpid(pid, 0); [c.get('/healthz/live') for _ in range(3)]\n"
        f"print(c.get('/metrics', HTTP_AUTHORIZATION='Bearer {TOKEN}').content.decode())"
    )
    result = _run(serve, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), METRICS_TOKEN=TOKEN)

    sample = (
        'django_http_requests_total_by_view_transport_method_total{method="GET",transport="http",view="healthz-live"}'
    )
    assert _value(result.stdout, sample) == 5, result.stderr[-2000:]
    # This process has no migrated database: the scrape still serves what was counted, and says so.
    assert _value(result.stdout, "aspirasi_shared_state_up") == 0
