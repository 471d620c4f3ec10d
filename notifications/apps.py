from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from aspirasi import schedule
        from notifications import (
            receivers,  # noqa: F401 - connects them to the domain's signals
            tasks,
        )

        # Periodic jobs, run by `manage.py scheduler` (aspirasi/schedule.py). The digest goes out at 07:00 WITA
        # (UTC+8), before the moderators' day; push retries sweep what is due.
        schedule.register(
            "moderation_digest", task=tasks.moderation_digest, every=timedelta(days=1), at=timedelta(hours=23)
        )
        schedule.register(
            "push_retry", task=tasks.push_retry, every=timedelta(seconds=settings.PUSH_RETRY_SWEEP_SECONDS)
        )
