from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AspirasiConfig(AppConfig):
    name = "aspirasi"
    verbose_name = _("Aspirasi")

    def ready(self):
        from aspirasi import kept_users, schedule, tasks  # noqa: F401 - kept_users' receivers, in every process

        # 03:00 WITA (UTC+8), the city's quietest hour.
        schedule.register(
            "stored_records_prune", task=tasks.stored_records_prune, every=timedelta(days=1), at=timedelta(hours=19)
        )
        # The SLA clock's deadlines fall at WITA midnight; escalations and auto-closes follow within minutes.
        schedule.register("sla_tick", task=tasks.sla_tick, every=timedelta(minutes=settings.SLA_TICK_MINUTES))


class AspirasiAdminConfig(admin_apps.AdminConfig):
    """Django's admin app (INSTALLED_APPS) with our site, aspirasi/admin_site.py, as `admin.site`."""

    default = False  # "aspirasi" itself is AspirasiConfig
    default_site = "aspirasi.admin_site.AspirasiAdminSite"
