"""The moving windows every limit counts in (the API's throttles, the texts to a number), shared by every
process: the `limits` library on django-redis' own connection pool, or in the process without Redis."""

import functools

from django.core.cache import cache
from limits import strategies
from limits.storage import MemoryStorage, RedisStorage


@functools.cache
def limiter() -> strategies.MovingWindowRateLimiter:
    client = getattr(getattr(cache, "client", None), "get_client", None)
    if client is None:
        return strategies.MovingWindowRateLimiter(MemoryStorage())
    pool = client(write=True).connection_pool
    storage = RedisStorage("redis://", connection_pool=pool, key_prefix=f"{cache.key_prefix}:limits")
    return strategies.MovingWindowRateLimiter(storage)
