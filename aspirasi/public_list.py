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
"""

from django.db import connection
from django.db.models import Subquery

from aspirasi.models import ListVersion

PUBLIC_PROPOSALS = "public_proposals"
PUBLIC_TALLIES = "public_tallies"
_TABLE = ListVersion._meta.db_table


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


def mark_changed() -> None:
    """Nothing to do: the triggers move the version. Kept only until services/flags.py stops calling it."""
