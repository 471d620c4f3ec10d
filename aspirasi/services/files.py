"""Stored files that follow the database: a failed transaction removes the files it wrote.

Django has no on-rollback hook, so the outermost unit of work (a request's transaction, see
api/idempotency.py, or a service's own) opens `files_cleaned_on_failure()`, and whoever writes a file
registers it with `track_written()`. If the block raises, every tracked file is deleted.

A file is written only after the upload was checked and re-encoded (services/images.py). On object storage
each write is whole or absent (an S3 PUT makes its object visible only once complete); on the local disk a
write cut short (disk full) can leave a partial file, but no row ever names it. A delete that fails (the
object store unreachable) is logged with the name and the remaining files are still deleted; the block's
own error is what propagates.
"""

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("aspirasi_written_files", default=None)


@contextmanager
def files_cleaned_on_failure() -> Iterator[None]:
    """Delete the files written inside this block if it raises. Nested blocks join the outermost one."""
    if _written.get() is not None:
        yield
        return
    token = _written.set([])
    try:
        yield
    except BaseException:
        for name in _written.get() or []:
            try:
                default_storage.delete(name)
            except Exception:
                logger.exception("Could not delete %s after a failed write; it is orphaned", name)
        raise
    finally:
        _written.reset(token)


def track_written(*names: str) -> None:
    """Register stored file names to delete if the surrounding unit of work fails."""
    written = _written.get()
    if written is not None:
        written.extend(n for n in names if n)
