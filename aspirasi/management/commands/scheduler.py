"""`manage.py scheduler`: enqueue the periodic jobs (aspirasi/schedule.py) on their schedules, for ever.

Run one per machine or one in all: the claims in the database make each job run once per period whatever
the number. `--once` looks once and exits (a cron line or a test)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from aspirasi import schedule


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (digest, push retries, pruning) when they are due; safe on many machines."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Look for due jobs once, then exit")

    def handle(self, *args, once: bool = False, **options):
        stopping = threading.Event()
        if not once:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stopping.set())
            names = ", ".join(f"{job.name} every {job.every}" for job in schedule.jobs())
            self.stdout.write(f"Scheduler: {names}; looking every {settings.SCHEDULER_TICK_SECONDS} s")
        while True:
            for name in schedule.due_jobs_enqueue():
                self.stdout.write(f"enqueued {name}")
            close_old_connections()  # between ticks: a database restart costs one tick, not the process
            if once or stopping.wait(settings.SCHEDULER_TICK_SECONDS):
                return
