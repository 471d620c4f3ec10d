"""System checks: a production configuration that would print one-time codes instead of sending them.

A warning, not a refusal at start: CI, benchmarks and staging run with DEBUG off and no gateway, and must
keep starting. `manage.py check --deploy` (clean in a real deployment, docs/deploy.md) and `migrate`, run
at every release, show it.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# django-sms' own backends that deliver to nobody.
UNDELIVERED = {
    "sms.backends.console.SmsBackend",
    "sms.backends.dummy.SmsBackend",
    "sms.backends.filebased.SmsBackend",
    "sms.backends.locmem.SmsBackend",
}


@register(Tags.security)
def sms_backend_delivers(app_configs, **kwargs):
    if settings.DEBUG or settings.SMS_BACKEND not in UNDELIVERED:
        return []
    return [
        Warning(
            "Text messages are not sent: SMS_BACKEND writes one-time codes to the log, and no resident receives them.",
            hint="Set SMS_BACKEND=whatsapp or SMS_BACKEND=http and its credentials (docs/deploy.md).",
            id="messaging.W001",
        )
    ]
