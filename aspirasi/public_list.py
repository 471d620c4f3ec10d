"""The versions of the public proposals list, so its items and pages can be cached and never served stale.

Two counters, read together in one statement (`current_versions()`):
- **content** moves when what an item shows, or which items the list holds, changes: a status (a
  publication, a rejection, a merge), a correction, hiding by flags, a photo, a program's progress, an
  author's name, reference names edited in the admin. Every such service calls `mark_changed()`.
- **tallies** moves with every vote cast or withdrawn (`move_tallies()`, in the vote's own transaction):
  tallies and the order by votes change, what items show does not.

Rendered items are keyed by the content version alone, so a voting week keeps them; whole pages (which
items, in which order, their tallies) by both (api/list_cache.py).

A counter moves once its transaction commits: a rolled-back write invalidates nothing, and the writer's own
response is sent only after the move, so the writer reads their change back. The tallies are the sum of
TALLY_SHARDS rows, a vote moving the row of its proposal's shard as its last statement: one row for every
vote would have every voter queue on its lock (and moving it after commit cost each vote a round trip).
A reader takes the versions before it reads what it caches, so anything cached under a version was built
from data at least as new as the commit that made it. Both counters live in the database: every process
reads the same numbers with or without Redis, and a flushed cache cannot bring an old version back.
"""

import logging

from django.db import connection, transaction
from django.db.models import F, Subquery

from aspirasi.models import ListVersion

logger = logging.getLogger(__name__)

PUBLIC_PROPOSALS = "public_proposals"
PUBLIC_TALLIES = "public_tallies"
TALLY_SHARDS = 32
_TABLE = ListVersion._meta.db_table
# An upsert: a shard's row exists from its first vote on (and after a test database is flushed).
_MOVE_TALLIES = (
    f"INSERT INTO {_TABLE} (name, value) VALUES (%s, 1) "  # noqa: S608 - the table name from _meta
    f"ON CONFLICT (name) DO UPDATE SET value = {_TABLE}.value + 1"
)


def mark_changed() -> None:
    """The public list's content changes with the current transaction: move its version after commit."""
    transaction.on_commit(_bump)


def tally_shard(proposal_id: int) -> str:
    """The counter a vote on `proposal_id` moves. Votes on one proposal already queue on its row."""
    return f"{PUBLIC_TALLIES}:{proposal_id % TALLY_SHARDS}"


def move_tallies(proposal_id: int) -> None:
    """A vote on `proposal_id` is being written: move the tallies' version in the same transaction (its last
    statement, so the shard's row is held only until the commit that follows)."""
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_TALLIES, [tally_shard(proposal_id)])


def _bump() -> None:
    try:
        if not ListVersion.objects.filter(name=PUBLIC_PROPOSALS).update(value=F("value") + 1):
            ListVersion.objects.get_or_create(name=PUBLIC_PROPOSALS, defaults={"value": 1})
    except Exception:
        # The write itself has committed; cached items may lag until the next change or their expiry.
        logger.exception("public list version not moved")


def current_version() -> int:
    """The content version."""
    return ListVersion.objects.filter(name=PUBLIC_PROPOSALS).values_list("value", flat=True).first() or 0


def versions_columns() -> tuple[list[str], list]:
    """The (content, tallies) versions as two scalar subqueries and their parameters, so another statement
    can carry them (the list's caller is read with them: aspirasi/api/authentication.py)."""
    content = f"(SELECT value FROM {_TABLE} WHERE name = %s)"  # noqa: S608 - the table name from _meta
    tallies = f"(SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM {_TABLE} WHERE name LIKE %s)"  # noqa: S608
    return [content, tallies], [PUBLIC_PROPOSALS, f"{PUBLIC_TALLIES}:%"]


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
