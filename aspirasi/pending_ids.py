"""Sets of ids every process adds to and one reader takes whole: what the live tallies coalesce on
(services/votes.py), a vote adding its proposal and one send per window taking them all, instead of a task
queued per proposal. In Redis (django-redis' own connection) when the cache is Redis; without it, in this
process, as the cache and the channel layer are then (the reader must run here: the tests' task backends)."""

import logging
import threading

from django.core.cache import cache
from django_redis import get_redis_connection
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_local: dict[str, set[int]] = {}
_lock = threading.Lock()


def _redis():
    """django-redis' documented raw client of the default cache; None on the local-memory cache."""
    try:
        return get_redis_connection("default")
    except NotImplementedError:
        return None


def add(name: str, member: int, *, window: str, seconds: float) -> bool:
    """Add `member` to the set `name`, and open `window` (a key of the cache living `seconds`) unless it is
    open: True when this add opened it, and its caller schedules the one reader for the window's end. The
    member is in the set before the window's key is tried, so the reader of a closing window takes it, or
    the next one does. In Redis both in one round trip."""
    redis = _redis()
    if redis is None:
        with _lock:
            _local.setdefault(name, set()).add(member)
        return cache.add(window, 1, seconds)
    pipe = redis.pipeline(transaction=False)  # in order, one round trip
    pipe.sadd(cache.make_key(name), member)
    pipe.set(cache.make_key(window), 1, nx=True, px=max(1, round(seconds * 1000)))
    try:
        _added, opened = pipe.execute()
    except RedisError:  # as the cache does with Redis down (IGNORE_EXCEPTIONS): the caller's write stands
        logger.warning("%s: %s not added, Redis unavailable", name, member)
        return False
    return bool(opened)


def take(name: str) -> list[int]:
    """Empty the set `name` and return what it held, at once: an id added meanwhile is in the next take."""
    redis = _redis()
    if redis is None:
        with _lock:
            return sorted(_local.pop(name, set()))
    key = cache.make_key(name)
    pipe = redis.pipeline(transaction=True)  # MULTI: nothing added between the read and the delete is lost
    pipe.smembers(key)
    pipe.delete(key)
    members, _deleted = pipe.execute()
    return sorted(int(member) for member in members)
