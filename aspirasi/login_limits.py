"""Login lockouts for the API and the admin, on django-axes: failed logins count per (phone, client address)
and per client address, and a lockout grows with every failure made during it.

- Per (phone, address), AXES_FAILURE_LIMIT failures (LOGIN_FAILURE_LIMIT): someone guessing one resident's
  password from one address. The owner logging in from anywhere else is not affected.
- Per address, LOGIN_ADDRESS_FAILURE_LIMIT failures across phones: one password sprayed over many numbers.
- A failure is remembered for LOGIN_FAILURE_WINDOW_SECONDS after the latest one of its row (axes' expiration,
  AXES_COOLOFF_TIME). A lockout lasts that long too, and doubles with each failure past the limit, up to
  LOGIN_LOCKOUT_MAX_SECONDS: a client that keeps trying while locked out waits longer each time.
- A successful login clears its own (phone, address) failures, never the address's others: a sprayer cannot
  reset the per-address count by logging into their own account.

Axes' cool-off callable sees only the request, not whose failures it counts, so the lockout's length is
decided here, in the handler (AXES_HANDLER), which sees both. The database handler: every process and
machine shares the counts, a row is locked while it is updated (select_for_update), counts outlive a Redis
restart, and the admin shows them (AccessAttempt, AccessFailureLog) for `manage.py axes_reset*`.
"""

import math
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from aspirasi.client_address import client_address


def lockout_seconds(failures: int) -> int:
    """How long a client is refused after its latest failure, `failures` counted as per (phone, address)."""
    base = settings.LOGIN_FAILURE_WINDOW_SECONDS
    excess = max(0, failures - settings.AXES_FAILURE_LIMIT)
    if excess >= 32:  # past any sensible cap; keeps 2 ** excess small
        return settings.LOGIN_LOCKOUT_MAX_SECONDS
    return min(base * 2**excess, settings.LOGIN_LOCKOUT_MAX_SECONDS)


def address_failures_as_phone_failures(failures: int) -> int:
    """An address's failures on the per-(phone, address) scale: LOGIN_ADDRESS_FAILURE_LIMIT of them reach
    AXES_FAILURE_LIMIT, so one limit (axes has one) and one growth apply to both counts."""
    return failures - (settings.LOGIN_ADDRESS_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT)


class LoginFailuresHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits and growing lockouts (the module's docstring)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = self._counts(request, credentials)
        return max(pair, address_failures_as_phone_failures(address))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_failures_since_start is None:
            return  # axes recorded nothing (no request, or a whitelisted client)
        # A lockout lasts as long as it says: every failure it counts lives until its end.
        pair_rows, address_rows = self._rows(request, credentials)
        pair, address = self._counts(request, credentials)
        now = timezone.now()
        for rows, failures in ((pair_rows, pair), (address_rows, address_failures_as_phone_failures(address))):
            if failures >= settings.AXES_FAILURE_LIMIT:
                until = now + timedelta(seconds=lockout_seconds(failures))
                AccessAttemptExpiration.objects.filter(access_attempt__in=rows, expires_at__lt=until).update(
                    expires_at=until
                )

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        login_succeeded(request, username=user.get_username())

    def _rows(self, request, credentials):
        username = get_client_username(request, credentials)
        ip_address = request.axes_ip_address
        pair = AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        return pair, AccessAttempt.objects.filter(ip_address=ip_address)

    def _counts(self, request, credentials) -> tuple[int, int]:
        now = timezone.now()
        return tuple(
            rows.filter(expiration__expires_at__gt=now).aggregate(n=Sum("failures_since_start"))["n"] or 0
            for rows in self._rows(request, credentials)
        )


def locked_out(request) -> bool:
    """Whether the login attempt just made with `request` was refused as locked out (axes' flag)."""
    return bool(getattr(request, "axes_locked_out", False))


def retry_after(request) -> int:
    """Seconds the client of a locked-out `request` must wait."""
    return lockout_seconds(getattr(request, "axes_failures_since_start", None) or settings.AXES_FAILURE_LIMIT)


def login_succeeded(request, *, username: str) -> None:
    """Clear the failures of (username, this client address), and only those."""
    address = client_address(request)
    if settings.AXES_ENABLED and address:  # without an address, axes would reset the phone's everywhere
        AxesProxyHandler.reset_attempts(ip_address=address, username=username)


def forget(*, username: str) -> None:
    """Delete what the lockouts keep of `username` (its attempts and their logs): an erased account's phone
    number must not stay behind in them."""
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=username).delete()


def lockout_response(request, original_response=None, credentials=None):
    """The admin's page for a locked-out login (AXES_LOCKOUT_CALLABLE): 429, how long to wait, Retry-After."""
    seconds = retry_after(request)
    context = {**admin.site.each_context(request), "minutes": math.ceil(seconds / 60)}
    response = render(request, "aspirasi/login_locked.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
