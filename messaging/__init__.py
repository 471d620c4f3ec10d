"""Text messages out of the project: one-time codes and account notices, through django-sms backends.

No models, and it imports no app of the project: the domain (aspirasi) calls it, never the other way round.
- `messaging.messages`: `CodeMessage` and `send_code`, how a one-time code is handed to whichever backend
  settings.SMS_BACKEND names (the console in development, a real gateway in production);
- `messaging.backends.whatsapp`, `messaging.backends.http`: the real gateways (docs/deploy.md);
- `messaging.checks`: warns when a production configuration would print codes instead of sending them.
"""
