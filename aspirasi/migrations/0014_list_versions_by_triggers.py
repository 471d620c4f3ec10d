"""The public list's versions move by triggers, in the writing transaction, whoever writes (aspirasi/public_list.py).

A service, the admin, `queryset.update()`, a data migration and a raw fix all move them: no writer has to
remember to. *content* moves with any change to what a list item or a public detail shows, or to which items
a page holds; *tallies* (the sum of 32 shard rows, so voters do not queue on one row) with every vote and
every change of a count. tests/aspirasi/test_list_versions.py enumerates these columns and proves each one.
"""

from django.db import migrations

CONTENT, TALLIES, SHARDS = "public_proposals", "public_tallies", 32

# table -> the columns whose change moves the content version (None: every insert, update and delete)
CONTENT_COLUMNS = {
    "aspirasi_proposal": [
        "author_id",
        "title",
        "description",
        "category_id",
        "kelurahan_id",
        "rt",
        "rw",
        "latitude",
        "longitude",
        "estimated_beneficiaries",
        "estimated_poor_households",
        "volume",
        "unit",
        "estimated_cost",
        "anonymous",
        "status",
        "rejection_reason",
        "rejection_message",
        "merged_into_id",
        "is_hidden",
        "cycle_id",
        "program_id",
        "created_at",
        "updated_at",
        "published_at",
    ],
    "aspirasi_proposalphoto": None,
    "aspirasi_proposalstatusevent": None,
    "aspirasi_proposal_target_groups": None,
    "aspirasi_category": ["slug", "name_id", "name_en"],
    "aspirasi_targetgroup": ["slug"],
    "aspirasi_kelurahan": ["kecamatan_id", "name", "slug"],
    "aspirasi_kecamatan": ["name", "slug"],
    "aspirasi_program": ["name", "status", "progress_percent"],
    "aspirasi_user": ["display_name", "phone"],
}
# table -> the column naming the proposal whose tally shard moves, on insert/delete/update of that column
TALLY_ROWS = {"aspirasi_vote": "proposal_id"}
# ... and on an update of the proposal's count
TALLY_COLUMN = ("aspirasi_proposal", "id", "vote_count")

_UPSERT = "INSERT INTO aspirasi_listversion (name, value) VALUES ({name}, 1) ON CONFLICT (name) DO UPDATE SET value = aspirasi_listversion.value + 1"


def _content_events(table: str, columns) -> list[tuple[str, list]]:
    """(event, columns of an update) that move the content: a new or deleted proposal changes which items
    there are, as any write to the tables shown whole does."""
    if columns is None:
        return [("INSERT", []), ("UPDATE", []), ("DELETE", [])]
    inserted = [("INSERT", []), ("DELETE", [])] if table == "aspirasi_proposal" else []
    return [*inserted, ("UPDATE", columns)]


def _sqlite() -> list[tuple[str, str]]:
    """(create, drop) statements for SQLite, which has row triggers only."""
    statements = []
    content = _UPSERT.format(name=f"'{CONTENT}'")
    for table, columns in CONTENT_COLUMNS.items():
        for event, cols in _content_events(table, columns):
            name = f"{table}_content_{event.lower()}"
            of = f" OF {', '.join(cols)}" if cols else ""
            statements.append(
                (
                    f"CREATE TRIGGER {name} AFTER {event}{of} ON {table} BEGIN {content}; END",
                    f"DROP TRIGGER IF EXISTS {name}",
                )
            )
    tally_targets = [
        (table, column, ["INSERT", "DELETE", f"UPDATE OF {column}"]) for table, column in TALLY_ROWS.items()
    ]
    table, id_column, count_column = TALLY_COLUMN
    tally_targets.append((table, id_column, [f"UPDATE OF {count_column}"]))
    for table, column, events in tally_targets:
        for event in events:
            row = "OLD" if event == "DELETE" else "NEW"
            name = f"{table}_tallies_{event.split()[0].lower()}"
            shard = f"'{TALLIES}:' || ({row}.{column} % {SHARDS})"
            statements.append(
                (
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {_UPSERT.format(name=shard)}; END",
                    f"DROP TRIGGER IF EXISTS {name}",
                )
            )
    return statements


def _postgresql() -> list[tuple[str, str]]:
    """(create, drop) statements for PostgreSQL: content once per statement, tallies per row (for the shard)."""
    content = _UPSERT.format(name=f"'{CONTENT}'")
    tally = _UPSERT.format(name=f"'{TALLIES}:' || (proposal_id % {SHARDS})")
    statements = [
        (
            "CREATE FUNCTION aspirasi_list_content_moved() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {content}; RETURN NULL; END $$",
            "DROP FUNCTION IF EXISTS aspirasi_list_content_moved()",
        ),
        (
            # TG_ARGV[0]: the column naming the proposal; an update moves the old proposal's shard as well.
            "CREATE FUNCTION aspirasi_list_tallies_moved() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
            "DECLARE proposal_id bigint; BEGIN FOR proposal_id IN SELECT DISTINCT x FROM unnest(ARRAY["
            "(to_jsonb(NEW) ->> TG_ARGV[0])::bigint, (to_jsonb(OLD) ->> TG_ARGV[0])::bigint]) AS x "
            f"WHERE x IS NOT NULL LOOP {tally}; END LOOP; RETURN NULL; END $$",
            "DROP FUNCTION IF EXISTS aspirasi_list_tallies_moved()",
        ),
    ]
    for table, columns in CONTENT_COLUMNS.items():
        events = " OR ".join(
            f"{event} OF {', '.join(cols)}" if cols else event for event, cols in _content_events(table, columns)
        )
        name = f"{table}_content"
        statements.append(
            (
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION aspirasi_list_content_moved()",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
            )
        )
    proposals, id_column, count_column = TALLY_COLUMN
    for table, column, events in [
        *[(t, c, f"INSERT OR DELETE OR UPDATE OF {c}") for t, c in TALLY_ROWS.items()],
        (proposals, id_column, f"UPDATE OF {count_column}"),
    ]:
        name = f"{table}_tallies"
        statements.append(
            (
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION aspirasi_list_tallies_moved('{column}')",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
            )
        )
    return statements


def _statements(connection) -> list[tuple[str, str]]:
    return _postgresql() if connection.vendor == "postgresql" else _sqlite()


def create(apps, schema_editor):
    for create_sql, _drop in _statements(schema_editor.connection):
        schema_editor.execute(create_sql, params=None)  # no placeholders: "%" is the modulo


def drop(apps, schema_editor):
    for _create, drop_sql in reversed(_statements(schema_editor.connection)):
        schema_editor.execute(drop_sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0013_vote_in_python"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
