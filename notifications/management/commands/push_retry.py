"""Send every due pending push: a safety net for cron (every few minutes) next to the worker's own retries."""

from django.core.management.base import BaseCommand

from notifications.services import push_deliveries_send


class Command(BaseCommand):
    help = "Send push deliveries that are due (retries, and any left behind by a crashed worker)."

    def handle(self, *args, **options):
        totals = push_deliveries_send()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(totals.items())) or "nothing due")
