"""The cycles' version moves by a trigger, in the writing transaction, whoever writes (services/cycles.py).

The vote keeps the current cycle in each process's cache under this version: a cycle created, changed (its
dates, its vote scope) or deleted by a service, the admin, `queryset.update()` or a raw fix reaches the next
vote without anyone invalidating anything. Same counter table as the public list's (migration 0014).
"""

from django.db import migrations

TABLE = "aspirasi_cycle"
_UPSERT = (
    "INSERT INTO aspirasi_listversion (name, value) VALUES ('cycles', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = aspirasi_listversion.value + 1"
)


def _statements(connection) -> list[tuple[str, str]]:
    if connection.vendor == "postgresql":
        return [
            (
                f"CREATE FUNCTION aspirasi_cycles_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_UPSERT}; "
                "RETURN NULL; END $$",
                "DROP FUNCTION IF EXISTS aspirasi_cycles_moved()",
            ),
            (
                f"CREATE TRIGGER {TABLE}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE} "
                "FOR EACH STATEMENT EXECUTE FUNCTION aspirasi_cycles_moved()",
                f"DROP TRIGGER IF EXISTS {TABLE}_version ON {TABLE}",
            ),
        ]
    # SQLite has row triggers only.
    return [
        (
            f"CREATE TRIGGER {TABLE}_version_{event.lower()} AFTER {event} ON {TABLE} BEGIN {_UPSERT}; END",
            f"DROP TRIGGER IF EXISTS {TABLE}_version_{event.lower()}",
        )
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def create(apps, schema_editor):
    for create_sql, _drop in _statements(schema_editor.connection):
        schema_editor.execute(create_sql, params=None)


def drop(apps, schema_editor):
    for _create, drop_sql in reversed(_statements(schema_editor.connection)):
        schema_editor.execute(drop_sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0029_comment_thread_versions"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
