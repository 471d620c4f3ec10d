"""Builds a large answer without the cyclic garbage collector's full passes: half the shortlist's time at 100,000.

Every item of a 100,000-proposal shortlist survives (it is the answer), so while it was being built CPython's
collector ran two or three full collections over the whole heap (0.2-0.3 s each on the bench, docs/benchmarks.md)
and found nothing to free. Reference counting still frees whatever is not a cycle while the collector is paused,
and it runs again as soon as the pause ends. gc is per process, so the pauses of concurrent threads are counted:
the collector comes back when the last one ends, and only if it was on when the first began.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (reference counting goes on)."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
