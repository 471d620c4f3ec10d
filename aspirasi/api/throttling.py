"""Request rate limits shared by every process: DRF's scoped throttles, counted by the `limits` library.

DRF's cache throttle reads a request's history and writes it back: two round trips to Redis per request,
and two requests at the same moment can both pass. `limits` keeps a moving window in Redis and checks and
records a request in one atomic script, on django-redis's own connection pool. Without Redis (the embedded
default) the window lives in the process, as DRF's local-memory cache did. Rates stay DRF's settings
(`DEFAULT_THROTTLE_RATES`, parsed by DRF), answers DRF's 429 with Retry-After.

Every response of a throttled operation, 429 or not, states its limit in the IETF RateLimit fields
(draft-ietf-httpapi-ratelimit-headers-11, structured fields): `RateLimit-Policy: "create";q=30;w=3600` and
`RateLimit: "create";r=<remaining>;t=<seconds until a unit frees>`; Retry-After on a 429 equals `t`. With
Redis down the throttle fails open and sends neither field: it knows nothing to state.

An anonymous client is counted by its address as aspirasi/client_address.py reads it, as the login lockouts are.
"""

import functools
import logging
import math
import time

from limits import RateLimitItemPerSecond
from redis.exceptions import RedisError
from rest_framework import throttling

from aspirasi.api import idempotency
from aspirasi.client_address import client_address
from aspirasi.rate_limits import limiter

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=64)
def _limit(num_requests: int, duration: int) -> RateLimitItemPerSecond:
    """`num_requests` per `duration` seconds, as DRF parsed the rate."""
    return RateLimitItemPerSecond(num_requests, duration)


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's ScopedRateThrottle (the view's `throttle_scope`, per user or per client address)."""

    reset_in: int | None = None

    def get_ident(self, request) -> str:
        """The client address every limit counts (aspirasi/client_address.py), not DRF's own reading."""
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.limit = _limit(self.num_requests, self.duration)
        try:
            # A replay creates nothing: it costs no quota and is never refused, so a resident retrying over a
            # bad network keeps all of theirs.
            allowed = idempotency.is_replay(request) or limiter().hit(self.limit, self.key)
            reset_at, remaining = limiter().get_window_stats(self.limit, self.key)
        except RedisError:
            # As the cache does with Redis down (IGNORE_EXCEPTIONS): the API keeps serving, unthrottled.
            logger.warning("throttle %s not checked: Redis unavailable", self.scope)
            return True
        self.reset_in = max(0, math.ceil(reset_at - time.time()))
        # The view's own response headers: DRF's finalize_response sets them on whatever it answers, 429 too.
        view.headers.update(
            {
                "RateLimit-Policy": f'"{self.scope}";q={self.num_requests};w={self.duration}',
                "RateLimit": f'"{self.scope}";r={max(0, remaining)};t={self.reset_in}',
            }
        )
        return allowed

    def wait(self) -> float | None:
        return self.reset_in
