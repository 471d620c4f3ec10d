"""How a one-time code is sent: `send_code(recipient=..., code=..., body=...)`, whatever the backend.

A code travels as a `CodeMessage`, a django-sms Message that also carries the code on its own. Text
backends (the console, sms.outbox in tests, an SMS gateway) send `body`, which must contain the code;
the WhatsApp backend sends only `code`, into the approved authentication template (WhatsApp allows no
free text for codes outside a conversation the resident opened). A plain `sms.send_sms(...)` or
`sms.Message` is a notice: WhatsApp sends it as text.
"""

import sms

# Meta's limit for the code of an authentication template, and so for every gateway.
CODE_MAX_LENGTH = 15


class CodeMessage(sms.Message):
    """A one-time code for one or more recipients: `body` for text gateways, `code` for templates."""

    def __init__(self, body: str, *, code: str, recipients: list[str], originator: str | None = None, connection=None):
        if not code or len(code) > CODE_MAX_LENGTH:
            raise ValueError(f"a one-time code has 1 to {CODE_MAX_LENGTH} characters")
        if code not in body:
            raise ValueError("the body of a code message must contain the code (text gateways send only it)")
        super().__init__(body, originator, recipients, connection=connection)
        self.code = code


def send_code(*, recipient: str, code: str, body: str, fail_silently: bool = False) -> int:
    """Send `code` to `recipient` (E.164, "+62...") through settings.SMS_BACKEND; the number sent (0 or 1).

    Raises the backend's error when delivery fails, unless fail_silently.
    """
    return CodeMessage(body, code=code, recipients=[recipient]).send(fail_silently=fail_silently)
