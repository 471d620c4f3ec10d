"""The versions of the public proposals list, so its items and pages can be cached and never served stale.

Two counters, read together in one statement (`current_versions()`):
- **content** moves when what an item shows, or which items the list holds, changes: a status (a
  publication, a rejection, a merge), a correction, hiding by flags, a photo, a program's progress, an
  author's name, reference names edited in the admin. Every such service calls `mark_changed()`.
- **tallies** moves with every vote cast or withdrawn (`mark_tallies_changed()`): tallies and the order by
  votes change, what items show does not.

Rendered items are keyed by the content version alone, so a voting week keeps them; whole pages (which
items, in which order, their tallies) by both (api/list_cache.py).

A counter moves once its transaction commits: a rolled-back write invalidates nothing, and the writer's own
response is sent only after the move, so the writer reads their change back. A reader takes the versions
before it reads what it caches, so anything cached under a version was built from data at least as new as
the commit that made it. Both counters live in the database: every process reads the same numbers with or
without Redis, and a flushed cache cannot bring an old version back.
"""

import logging

from django.db import connection, transaction
from django.db.models import F, Subquery

from aspirasi.models import ListVersion

logger = logging.getLogger(__name__)

PUBLIC_PROPOSALS = "public_proposals"
PUBLIC_TALLIES = "public_tallies"
# On PostgreSQL the tallies counter is a sequence: a vote storm moves it without a row lock that every
# voter would queue on and without a commit of its own to flush (nextval is not transactional, and need
# not be: it only ever moves forward). Created by migration 0007; SQLite uses a ListVersion row.
TALLIES_SEQUENCE = "aspirasi_public_tallies"


def mark_changed() -> None:
    """The public list's content changes with the current transaction: move its version after commit."""
    transaction.on_commit(_bump)


def mark_tallies_changed() -> None:
    """A vote changes with the current transaction: move the tallies' version after commit."""
    transaction.on_commit(_bump_tallies)


def _bump(name: str = PUBLIC_PROPOSALS) -> None:
    try:
        if not ListVersion.objects.filter(name=name).update(value=F("value") + 1):
            ListVersion.objects.get_or_create(name=name, defaults={"value": 1})
    except Exception:
        # The write itself has committed; cached items may lag until the next change or their expiry.
        logger.exception("public list version %s not moved", name)


def _bump_tallies() -> None:
    if connection.vendor != "postgresql":
        _bump(PUBLIC_TALLIES)
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [TALLIES_SEQUENCE])
    except Exception:
        logger.exception("public list tallies version not moved")


def current_version() -> int:
    """The content version."""
    return ListVersion.objects.filter(name=PUBLIC_PROPOSALS).values_list("value", flat=True).first() or 0


def versions_columns() -> tuple[list[str], list]:
    """The (content, tallies) versions as two scalar subqueries and their parameters, so another statement
    can carry them (the list's caller is read with them: aspirasi/api/authentication.py)."""
    # Table and sequence names come from this module, never from input.
    content = f"(SELECT value FROM {ListVersion._meta.db_table} WHERE name = %s)"  # noqa: S608
    if connection.vendor == "postgresql":
        # Before its first nextval a sequence shows its start value, not yet given out: read as 0.
        tallies = f"(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {TALLIES_SEQUENCE})"  # noqa: S608
        return [content, tallies], [PUBLIC_PROPOSALS]
    return [content, content], [PUBLIC_PROPOSALS, PUBLIC_TALLIES]


def versions_from(values) -> tuple[int, int]:
    content, tallies = values
    return content or 0, tallies or 0


def current_versions() -> tuple[int, int]:
    """(content, tallies), read in one statement."""
    columns, params = versions_columns()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        return versions_from(cursor.fetchone())


def version_expression() -> Subquery:
    """The content version as a column: a page query carries it, read in the same snapshot as its rows
    and without a round trip of its own."""
    return Subquery(ListVersion.objects.filter(name=PUBLIC_PROPOSALS).values("value")[:1])
