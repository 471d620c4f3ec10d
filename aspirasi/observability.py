"""The request id: one per HTTP request, on its response (`X-Request-ID`), on every log line written while
it is served, and on its Sentry events, so a client's error report, the logs and the error tracker meet.

An incoming `X-Request-ID` is kept when it looks like an id (what a proxy or load balancer sets, so its own
logs match ours); anything else is replaced by a fresh one. It is a correlation key, never trusted for more.
"""

import contextvars
import logging
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("aspirasi_request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served, or "-" outside one (a task, a command)."""
    return _current.get()


def request_id_from(incoming: str | None) -> str:
    return incoming if incoming and _SANE.fullmatch(incoming) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record, for the formatters (backend/settings.py, LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx/5xx after the middlewares returned, with the request on the record.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _current.get()
        return True


class RequestIdMiddleware:
    """Outermost: every answer carries the id, redirects and Django's own error pages included."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.tags_sentry = bool(settings.SENTRY_DSN)

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            if self.tags_sentry:
                _tag_sentry(request_id)
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _tag_sentry(request_id: str) -> None:
    import sentry_sdk

    # The request's own scope: sentry-sdk's Django integration isolates each request.
    sentry_sdk.set_tag("request_id", request_id)
