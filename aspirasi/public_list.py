"""The versions of the public proposals list, so its items and pages can be cached and never served stale.

Two counters (`aspirasi.ListVersion` rows), read together in one statement (`current_versions()`):
- **content** moves with any change to what a list item or a public detail shows, or to which items a page
  holds (a status, a correction, a photo, a program's progress, an author's name, a reference name...);
- **tallies** moves with every vote and every change of a count: tallies and the order by votes change,
  what items show does not. It is the sum of 32 shard rows, so voters do not queue on one row.

Database triggers move them (migration 0014, which lists the tables and columns), inside the writing
transaction, whoever writes: a service, the admin, `queryset.update()`, a data migration or a raw fix. No
writer calls anything. A rolled-back write moves nothing, and a writer's response is sent after its commit,
so they read their change back at once. A reader takes the versions before it reads what it caches, so
anything cached under a version was built from data at least as new as that version. Both counters live in
the database: every process reads the same numbers with or without Redis, and a flushed cache cannot bring
an old version back.

**Comment threads** have one version each (`thread_version`), moved the same way (migration 0029): by any
write to one of the thread's comments, to what a comment shows of its author or OPD, or to whether its item
is public.
"""

from django.db import connection
from django.db.models import Subquery

from aspirasi.models import ListVersion

PUBLIC_PROPOSALS = "public_proposals"
PUBLIC_TALLIES = "public_tallies"
_TABLE = ListVersion._meta.db_table
# Every list read runs it first, so it is one constant statement: the ORM's aggregate cost more to build
# than to run (docs/benchmarks.md).
_VERSIONS = (
    f"SELECT (SELECT value FROM {_TABLE} WHERE name = %s), "  # noqa: S608 - the table name from _meta
    f"(SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM {_TABLE} WHERE name LIKE %s)"
)


def current_versions() -> tuple[int, int]:
    """(content, tallies), read in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS, [PUBLIC_PROPOSALS, f"{PUBLIC_TALLIES}:%"])
        content, tallies = cursor.fetchone()
    return content or 0, tallies or 0


def version_expression() -> Subquery:
    """The content version as a column: a page query carries it, read in the same snapshot as its rows
    and without a round trip of its own."""
    return Subquery(ListVersion.objects.filter(name=PUBLIC_PROPOSALS).values("value")[:1])


_THREAD_VERSION = f"SELECT value FROM {_TABLE} WHERE name = %s"  # noqa: S608 - the table name from _meta


def thread_version(*, kind: str, pk: int) -> int:
    """The version of the comment thread of proposal or report (`kind`) `pk`: 0 before its first write."""
    with connection.cursor() as cursor:
        cursor.execute(_THREAD_VERSION, [f"comments:{kind}:{pk}"])
        row = cursor.fetchone()
    return row[0] if row else 0
