"""What the HTTP gateways share: one POST per recipient, timeouts, retries, failures that raise, safe logs.

Retries are urllib3's (`Retry` through requests' `HTTPAdapter`), on what did not deliver: a connection
that failed, and the statuses a gateway answers when it did not take the message (429, 500, 502, 503,
504), with exponential backoff and Retry-After honoured up to SMS_RETRY_MAX_WAIT. A read timeout is not
retried: the gateway may have sent the message, and a second code is worse than a failed task (the
resident asks again). A 4xx is the gateway's final word: it raises at once.

Logs name the gateway, the status, the gateway's own error and the recipient masked; never the text (it
holds a code), nor the token.
"""

import logging

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter
from sms.backends.base import BaseSmsBackend
from sms.message import Message
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DETAIL_MAX_LENGTH = 300


class GatewayError(Exception):
    """A gateway did not take a message: no answer, or an answer other than 2xx (its own error attached)."""

    def __init__(self, gateway: str, recipient: str, status: int | None, detail: str):
        self.gateway, self.recipient, self.status, self.detail = gateway, recipient, status, detail
        answer = f"answered {status}" if status is not None else "did not answer"
        super().__init__(f"{gateway} {answer} for {recipient}: {detail}")


def mask_phone(phone: str) -> str:
    """'+6281234567890' -> '+62*********90': enough to tell numbers apart in a log, not to dial one."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 5) + phone[-2:]


class HttpGatewayBackend(BaseSmsBackend):
    """One JSON POST per recipient. Subclasses say where, with which headers and body, and read errors."""

    gateway = "gateway"  # its name in logs and errors
    required: tuple[str, ...] = ()  # the settings it cannot send without

    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        # backend/settings.py refuses to start without them; this covers settings changed at run time.
        missing = [name for name in self.required if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured(f"SMS backend {self.gateway} needs {', '.join(missing)}")
        self.session: requests.Session | None = None
        self.timeout = (settings.SMS_CONNECT_TIMEOUT, settings.SMS_READ_TIMEOUT)

    def endpoint(self, message: Message, recipient: str) -> tuple[str, dict]:
        """The URL and the JSON body that send `message` to `recipient`."""
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        raise NotImplementedError

    def error_detail(self, response: requests.Response) -> str:
        """The gateway's own explanation of a refusal, short."""
        return response.text

    def message_id(self, response: requests.Response) -> str:
        """The gateway's id for a sent message, for the log ("" when it gives none)."""
        return ""

    def open(self) -> bool:
        if self.session is not None:
            return False
        wait = settings.SMS_RETRY_MAX_WAIT
        retry = Retry(
            total=settings.SMS_RETRIES,
            connect=settings.SMS_RETRIES,
            status=settings.SMS_RETRIES,
            read=False,  # re-raised as it is: requests reports a ReadTimeout
            other=0,
            redirect=0,
            allowed_methods=frozenset({"POST"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=settings.SMS_RETRY_BACKOFF,
            backoff_max=wait,
            retry_after_max=wait,
            raise_on_status=False,  # the last answer comes back, and its error is reported below
        )
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.update(self.headers())
        self.session = session
        return True

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def send_messages(self, messages: list[Message]) -> int:
        created = self.open()
        sent = 0
        try:
            for message in messages:
                for recipient in message.recipients:
                    try:
                        self._deliver(message, recipient)
                    except GatewayError:
                        if not self.fail_silently:
                            raise
                    else:
                        sent += 1
        finally:
            if created:
                self.close()
        return sent

    def _deliver(self, message: Message, recipient: str) -> None:
        url, body = self.endpoint(message, recipient)
        masked = mask_phone(recipient)
        try:
            response = self.session.post(url, json=body, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            # The exception names the host and the timeout, never the body or the headers.
            logger.warning("%s: no answer for %s (%s)", self.gateway, masked, type(exc).__name__)
            raise GatewayError(self.gateway, masked, None, type(exc).__name__) from exc
        if not 200 <= response.status_code < 300:
            detail = self._scrubbed(self.error_detail(response), message)
            logger.warning("%s: %s for %s: %s", self.gateway, response.status_code, masked, detail)
            raise GatewayError(self.gateway, masked, response.status_code, detail)
        logger.info("%s: sent to %s %s", self.gateway, masked, self.message_id(response))

    def _scrubbed(self, detail: str, message: Message) -> str:
        """The gateway's error, short, without the text or the code should the gateway echo them."""
        for secret in (message.body, getattr(message, "code", "")):
            if secret:
                detail = detail.replace(secret, "[redacted]")
        return detail[:DETAIL_MAX_LENGTH]
