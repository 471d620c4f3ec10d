"""Periodic jobs: what `manage.py scheduler` enqueues, and when.

A job is a django-tasks task without arguments and a period (`every`, aligned on `at` past midnight UTC of
1 January 1970, so "daily at 07:00 WITA" is every=1 day, at=-1 h). Each period the first scheduler to claim
the (job, period start) row enqueues the task, in the same transaction: however many machines run a
scheduler, a job is enqueued once per period, and a claim that fails to enqueue is rolled back with it.
A scheduler that was down for a period does not catch it up; the current period runs as soon as one is up.

Apps register their jobs in their AppConfig.ready() (notifications: digest, push retries; aspirasi: pruning),
so the domain never imports them. A later job (SLA escalation) is one more `register(...)` call.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    name: str
    task: object  # a django_tasks Task taking no arguments
    every: timedelta
    at: timedelta = timedelta(0)

    def period_start(self, now: datetime) -> datetime:
        """The start of the period that `now` falls in."""
        periods = (now - _EPOCH - self.at) // self.every
        return _EPOCH + self.at + periods * self.every


_jobs: dict[str, Job] = {}


def register(name: str, *, task, every: timedelta, at: timedelta = timedelta(0)) -> None:
    """Run `task` once per `every` (registering a name again replaces it: app reloads in tests)."""
    if every <= timedelta(0):
        raise ValueError(f"{name}: every must be positive")
    _jobs[name] = Job(name=name, task=task, every=every, at=at % every)


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def due_jobs_enqueue(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job whose current period no scheduler has claimed yet; returns the names enqueued."""
    from aspirasi.models import ScheduledRun  # the registry is imported by apps' ready(), before models

    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        period = job.period_start(now)
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, period_start=period)
                job.task.enqueue()
        except IntegrityError:
            continue  # another scheduler has it
        except Exception:  # the database or the task backend failing: the next tick tries again
            logger.exception("Could not enqueue %s", job.name)
            continue
        logger.info("Enqueued %s for the period from %s", job.name, period.isoformat())
        enqueued.append(job.name)
    return enqueued
