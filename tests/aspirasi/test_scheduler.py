"""The scheduler (aspirasi/schedule.py, `manage.py scheduler`): each periodic job enqueued once per period,
however many schedulers run; pruning of what only grows."""

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from aspirasi import schedule
from aspirasi.models import ScheduledRun
from tests.processes import ROOT
from tests.races import race

pytestmark = pytest.mark.django_db
JOBS = {
    "moderation_digest": "notifications.tasks.moderation_digest",
    "push_retry": "notifications.tasks.push_retry",
    "stored_records_prune": "aspirasi.tasks.stored_records_prune",
    "sla_tick": "aspirasi.tasks.sla_tick",
}
NOW = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)  # 15:30 WITA


def _enqueued() -> dict[str, int]:
    return {name: DBTaskResult.objects.filter(task_path=path).count() for name, path in JOBS.items()}


def test_every_job_is_registered_on_its_schedule():
    by_name = {job.name: job for job in schedule.jobs()}
    assert set(by_name) == set(JOBS)
    # The digest at 07:00 WITA (23:00 UTC the day before), pruning at 03:00 WITA, push retries every 5 min.
    assert by_name["moderation_digest"].period_start(NOW) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert by_name["stored_records_prune"].period_start(NOW) == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    assert by_name["push_retry"].period_start(NOW + timedelta(minutes=4)) == datetime(2026, 12, 2, 7, 30, tzinfo=UTC)


def test_each_job_is_enqueued_once_per_period():
    assert sorted(schedule.due_jobs_enqueue(now=NOW)) == sorted(JOBS)
    assert schedule.due_jobs_enqueue(now=NOW + timedelta(minutes=1)) == []  # same periods
    # Their next periods: push retries and the SLA tick both every 5 minutes.
    assert schedule.due_jobs_enqueue(now=NOW + timedelta(minutes=5)) == ["push_retry", "sla_tick"]
    assert schedule.due_jobs_enqueue(now=NOW + timedelta(days=1)) == sorted(JOBS)

    assert _enqueued() == {"moderation_digest": 2, "push_retry": 3, "stored_records_prune": 2, "sla_tick": 3}


def test_a_claim_that_failed_to_enqueue_is_rolled_back_and_retried(monkeypatch):
    [push_retry] = [job for job in schedule.jobs() if job.name == "push_retry"]

    def broken_enqueue(*args, **kwargs):
        raise ConnectionError("the task backend is down")

    with monkeypatch.context() as patched:
        patched.setattr(type(push_retry.task), "enqueue", broken_enqueue)
        assert schedule.due_jobs_enqueue(now=NOW) == []
    assert not ScheduledRun.objects.exists()

    assert "push_retry" in schedule.due_jobs_enqueue(now=NOW)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_at_once_enqueue_each_job_once():
    outcomes = race(*[lambda: schedule.due_jobs_enqueue(now=NOW)] * 2)

    assert outcomes == ["ok", "ok"]
    assert _enqueued() == dict.fromkeys(JOBS, 1)
    assert ScheduledRun.objects.count() == len(JOBS)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="processes share the database: needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scheduler_processes_enqueue_each_job_once():
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backend.settings", "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "manage.py", "scheduler", "--once"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=60)[0] for process in processes]

    assert [process.returncode for process in processes] == [0, 0]
    # The two may look on either side of a period's boundary (push retries turn every 5 minutes): then that job
    # is rightly enqueued twice, once per period. What must hold: one enqueue per claimed period, each job once
    # at least.
    lines = [line for output in outputs for line in output.splitlines()]
    claims = {name: ScheduledRun.objects.filter(job=name).count() for name in JOBS}
    assert {name: lines.count(f"enqueued {name}") for name in JOBS} == claims == _enqueued()
    assert all(count >= 1 for count in claims.values())


def test_pruning_removes_only_what_is_old(resident):
    from rest_framework_simplejwt.tokens import RefreshToken

    RefreshToken.for_user(resident)  # valid: kept
    expired = RefreshToken.for_user(resident)
    OutstandingToken.objects.filter(jti=expired["jti"]).update(expires_at=timezone.now() - timedelta(days=1))
    ScheduledRun.objects.create(job="push_retry", period_start=timezone.now() - timedelta(days=31))
    ScheduledRun.objects.create(job="push_retry", period_start=timezone.now())
    finished = timezone.now() - timedelta(days=15)
    old = DBTaskResult.objects.create(
        task_path="aspirasi.tasks.vote_tally_send",
        backend_name="default",
        status="SUCCESSFUL",
        finished_at=finished,
        args_kwargs={},
    )
    fresh = DBTaskResult.objects.create(
        task_path="aspirasi.tasks.vote_tally_send",
        backend_name="default",
        status="SUCCESSFUL",
        finished_at=timezone.now(),
        args_kwargs={},
    )

    from aspirasi.services.maintenance import stored_records_prune

    pruned = stored_records_prune()

    assert pruned == {"refresh_tokens": 1, "scheduled_runs": 1}
    assert OutstandingToken.objects.filter(user=resident).count() == 1
    assert ScheduledRun.objects.count() == 1
    assert list(DBTaskResult.objects.filter(pk__in=[old.pk, fresh.pk])) == [fresh]


def test_the_command_looks_once_and_says_what_it_enqueued():
    output = io.StringIO()
    call_command("scheduler", "--once", stdout=output)
    assert sorted(output.getvalue().split("\n")[:-1]) == [f"enqueued {name}" for name in sorted(JOBS)]
