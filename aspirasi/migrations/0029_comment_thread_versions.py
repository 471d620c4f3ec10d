"""A comment thread's version moves by triggers, in the writing transaction, whoever writes (aspirasi/public_list.py).

One `ListVersion` row per thread (`comments:proposal:<id>`, `comments:report:<id>`), moved by:
- any insert, update or delete of one of its comments, on the whole row (columns added later included);
- a change of what a comment shows of another table: its author's display name, its OPD's slug or name;
- a change of whether its item is public (status, is_hidden), or the item's deletion.
tests/aspirasi/test_list_versions.py enumerates these and proves each. SQLite drops a table's
triggers when a migration copies the table: such a migration calls `drop`/`create` of this module again.
"""

import importlib

from django.db import migrations

_versions = importlib.import_module("aspirasi.migrations.0014_list_versions_by_triggers")

PREFIX = "comments"
# item table -> (the thread's kind, the columns deciding whether the item is public)
ITEMS = {
    "aspirasi_proposal": ("proposal", ["status", "is_hidden"]),
    "aspirasi_report": ("report", ["status", "is_hidden"]),
}
# table -> (the comment column naming its row, the columns a comment shows of it)
SHOWN = {
    "aspirasi_user": ("author_id", ["display_name"]),
    "aspirasi_opd": ("author_opd_id", ["slug", "name"]),
}
_MOVE = " ON CONFLICT (name) DO UPDATE SET value = aspirasi_listversion.value + 1"


def _thread(row: str) -> str:
    """The version's name of the thread of comment `row` (NEW, OLD or an alias)."""
    return (
        f"CASE WHEN {row}.proposal_id IS NOT NULL THEN '{PREFIX}:proposal:' || {row}.proposal_id "
        f"ELSE '{PREFIX}:report:' || {row}.report_id END"
    )


def _move(name: str) -> str:
    return _versions._UPSERT.format(name=name)


def _move_threads_of(column: str, value: str) -> str:
    """Move every thread holding a comment whose `column` is `value`."""
    return (
        f"INSERT INTO aspirasi_listversion (name, value) SELECT DISTINCT {_thread('c')}, 1 "  # noqa: S608
        f"FROM aspirasi_comment AS c WHERE c.{column} = {value}{_MOVE}"
    )


def _changed(columns: list[str], *, distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)


def _sqlite() -> list[tuple[str, str]]:
    """(create, drop) statements for SQLite (row triggers)."""
    moved_away = (
        f"INSERT INTO aspirasi_listversion (name, value) SELECT {_thread('OLD')}, 1 "
        f"WHERE {_thread('OLD')} IS NOT {_thread('NEW')}{_MOVE}"
    )
    triggers = [
        ("aspirasi_comment_thread_insert", "AFTER INSERT ON aspirasi_comment", _move(_thread("NEW"))),
        (
            "aspirasi_comment_thread_update",
            "AFTER UPDATE ON aspirasi_comment",
            f"{_move(_thread('NEW'))}; {moved_away}",
        ),
        ("aspirasi_comment_thread_delete", "AFTER DELETE ON aspirasi_comment", _move(_thread("OLD"))),
    ]
    for table, (kind, columns) in ITEMS.items():
        name = f"'{PREFIX}:{kind}:' || OLD.id"
        triggers.append((f"{table}_thread_update", f"AFTER UPDATE OF {', '.join(columns)} ON {table}", _move(name)))
        triggers.append((f"{table}_thread_delete", f"AFTER DELETE ON {table}", _move(name)))
    for table, (column, columns) in SHOWN.items():
        event = f"AFTER UPDATE OF {', '.join(columns)} ON {table} WHEN {_changed(columns, distinct='IS NOT')}"
        triggers.append((f"{table}_comment_threads", event, _move_threads_of(column, "NEW.id")))
    return [
        (f"CREATE TRIGGER {name} {event} BEGIN {body}; END", f"DROP TRIGGER IF EXISTS {name}")
        for name, event, body in triggers
    ]


def _postgresql() -> list[tuple[str, str]]:
    """(create, drop) statements for PostgreSQL (row triggers: each names its thread)."""
    item_thread = f"'{PREFIX}:' || TG_ARGV[0] || ':' || OLD.id"
    threads_of = _move_threads_of("%I", "$1").replace("'", "''")  # a literal of format()
    statements = [
        (
            "CREATE FUNCTION aspirasi_comment_thread_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN {_move(_thread('OLD'))}; RETURN NULL; END IF; "
            f"{_move(_thread('NEW'))}; "
            f"IF TG_OP = 'UPDATE' THEN IF ({_thread('OLD')}) <> ({_thread('NEW')}) THEN {_move(_thread('OLD'))}; "
            "END IF; END IF; RETURN NULL; END $$",
            "DROP FUNCTION IF EXISTS aspirasi_comment_thread_moved()",
        ),
        (
            # TG_ARGV[0]: the thread's kind (proposal, report)
            "CREATE FUNCTION aspirasi_item_thread_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{_move(item_thread)}; RETURN NULL; END $$",
            "DROP FUNCTION IF EXISTS aspirasi_item_thread_moved()",
        ),
        (
            # TG_ARGV[0]: the comment column naming the changed row
            "CREATE FUNCTION aspirasi_comment_threads_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"EXECUTE format('{threads_of}', TG_ARGV[0]) USING NEW.id; "
            "RETURN NULL; END $$",
            "DROP FUNCTION IF EXISTS aspirasi_comment_threads_moved()",
        ),
        (
            "CREATE TRIGGER aspirasi_comment_thread AFTER INSERT OR UPDATE OR DELETE ON aspirasi_comment "
            "FOR EACH ROW EXECUTE FUNCTION aspirasi_comment_thread_moved()",
            "DROP TRIGGER IF EXISTS aspirasi_comment_thread ON aspirasi_comment",
        ),
    ]
    for table, (kind, columns) in ITEMS.items():
        statements.append(
            (
                f"CREATE TRIGGER {table}_thread AFTER UPDATE OF {', '.join(columns)} OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION aspirasi_item_thread_moved('{kind}')",
                f"DROP TRIGGER IF EXISTS {table}_thread ON {table}",
            )
        )
    for table, (column, columns) in SHOWN.items():
        statements.append(
            (
                f"CREATE TRIGGER {table}_comment_threads AFTER UPDATE OF {', '.join(columns)} ON {table} "
                f"FOR EACH ROW WHEN ({_changed(columns, distinct='IS DISTINCT FROM')}) "
                f"EXECUTE FUNCTION aspirasi_comment_threads_moved('{column}')",
                f"DROP TRIGGER IF EXISTS {table}_comment_threads ON {table}",
            )
        )
    return statements


def _statements(connection) -> list[tuple[str, str]]:
    return _postgresql() if connection.vendor == "postgresql" else _sqlite()


def create(apps, schema_editor):
    for create_sql, _drop in _statements(schema_editor.connection):
        schema_editor.execute(create_sql, params=None)


def drop(apps, schema_editor):
    for _create, drop_sql in reversed(_statements(schema_editor.connection)):
        schema_editor.execute(drop_sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0028_comment_moderation"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
