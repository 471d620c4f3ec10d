"""Pruning of what only grows: finished task results, expired refresh tokens, old scheduler claims."""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from aspirasi.models import ScheduledRun


def stored_records_prune() -> dict[str, int]:
    """Delete task results finished TASK_RESULTS_KEEP_DAYS ago, refresh tokens past their expiry (and their
    blacklist rows) and scheduler claims older than SCHEDULED_RUNS_KEEP_DAYS. Returns what went, per kind."""
    pruned = {}
    if isinstance(task_backends["default"], DatabaseBackend):
        days = str(settings.TASK_RESULTS_KEEP_DAYS)
        call_command("prune_db_task_results", "--queue-name", "*", "--min-age-days", days, verbosity=0)
    expired = OutstandingToken.objects.filter(expires_at__lt=timezone.now())
    pruned["refresh_tokens"] = expired.count()
    call_command("flushexpiredtokens", verbosity=0)
    cutoff = timezone.now() - timedelta(days=settings.SCHEDULED_RUNS_KEEP_DAYS)
    pruned["scheduled_runs"], _ = ScheduledRun.objects.filter(period_start__lt=cutoff).delete()
    return pruned
