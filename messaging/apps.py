from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Text messages")

    def ready(self):
        from messaging import checks  # noqa: F401 - registers the system checks
