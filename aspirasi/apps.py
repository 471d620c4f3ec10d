from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AspirasiConfig(AppConfig):
    name = "aspirasi"
    verbose_name = _("Aspirasi")


class AspirasiAdminConfig(admin_apps.AdminConfig):
    """Django's admin app (INSTALLED_APPS) with our site, aspirasi/admin_site.py, as `admin.site`."""

    default = False  # "aspirasi" itself is AspirasiConfig
    default_site = "aspirasi.admin_site.AspirasiAdminSite"
