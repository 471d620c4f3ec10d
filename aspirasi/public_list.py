"""The version of the public proposals list, so pages of it can be cached and never served stale.

Every service that changes what the public list shows (a status, a vote count, a photo, a program's
progress, hiding, moving, reference names edited in the admin) calls `mark_changed()` inside its
transaction. The version moves once the transaction commits: a rolled-back write invalidates nothing,
and the writer's own response is sent only after the move, so a resident reads their own vote back.

A reader takes the version first and the page second, so a page cached under version N was built from
data at least as new as the commit that made N. The counter lives in the database: every process reads
the same number with or without Redis (api/list_cache.py keeps the pages themselves per process).
"""

import logging

from django.db import connection, transaction
from django.db.models import F

from aspirasi.models import ListVersion

logger = logging.getLogger(__name__)

PUBLIC_PROPOSALS = "public_proposals"


def mark_changed() -> None:
    """The public list changes with the current transaction: move its version after commit."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        if not ListVersion.objects.filter(name=PUBLIC_PROPOSALS).update(value=F("value") + 1):
            ListVersion.objects.get_or_create(name=PUBLIC_PROPOSALS, defaults={"value": 1})
    except Exception:
        # The write itself has committed; a cached page may lag until the next change or its expiry.
        logger.exception("public list version not moved")


def current_version() -> int:
    # Read on every list request: plain SQL, as the ORM's query building would cost more than the query.
    with connection.cursor() as cursor:
        cursor.execute(_CURRENT_SQL, [PUBLIC_PROPOSALS])
        row = cursor.fetchone()
    return row[0] if row else 0


_CURRENT_SQL = f"SELECT value FROM {ListVersion._meta.db_table} WHERE name = %s"  # noqa: S608 - table name from _meta
