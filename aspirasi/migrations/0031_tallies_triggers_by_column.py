"""The tallies' triggers read the proposal's id from its column; a vote moved off a proposal moves its shard.

PostgreSQL: migration 0014's one function found the column by name, through `to_jsonb` of the whole row,
twice; on a proposal that is its description and every other column, on every vote (docs/benchmarks.md,
stop 33). One function per table reads `NEW.id` or `NEW.proposal_id` itself; same triggers, same shards.
SQLite: a vote moved to another proposal (a merge, a fix by hand) moved only the new proposal's shard.
"""

import importlib

from django.db import migrations

_versions = importlib.import_module("aspirasi.migrations.0014_list_versions_by_triggers")


def _upsert(proposal_id: str) -> str:
    return _versions._UPSERT.format(name=f"'{_versions.TALLIES}:' || ({proposal_id} % {_versions.SHARDS})")


_FUNCTIONS = [
    (
        "aspirasi_vote_tallies_moved",
        # A vote moved to another proposal (a merge) moves both proposals' shards.
        f"IF TG_OP <> 'DELETE' THEN {_upsert('NEW.proposal_id')}; END IF; "
        f"IF TG_OP = 'DELETE' THEN {_upsert('OLD.proposal_id')}; "
        f"ELSIF TG_OP = 'UPDATE' AND OLD.proposal_id <> NEW.proposal_id THEN {_upsert('OLD.proposal_id')}; END IF;",
    ),
    ("aspirasi_proposal_tallies_moved", f"{_upsert('NEW.id')};"),
]
# (trigger, table, events, the function before, the function now)
_TRIGGERS = [
    (
        "aspirasi_vote_tallies",
        "aspirasi_vote",
        "INSERT OR DELETE OR UPDATE OF proposal_id",
        "aspirasi_list_tallies_moved('proposal_id')",
        "aspirasi_vote_tallies_moved()",
    ),
    (
        "aspirasi_proposal_tallies",
        "aspirasi_proposal",
        "UPDATE OF vote_count",
        "aspirasi_list_tallies_moved('id')",
        "aspirasi_proposal_tallies_moved()",
    ),
    (
        "aspirasi_proposal_comment_tallies",
        "aspirasi_proposal",
        "UPDATE OF comment_count",
        "aspirasi_list_tallies_moved('id')",
        "aspirasi_proposal_tallies_moved()",
    ),
]
_OLD_FUNCTION = next(create for create, _drop in _versions._postgresql() if "aspirasi_list_tallies_moved" in create)


def _point_triggers(schema_editor, *, now: bool) -> None:
    for name, table, events, before, after in _TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}", params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {after if now else before}",
            params=None,
        )


_SQLITE_MOVED_OFF = "aspirasi_vote_tallies_update_old"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {_SQLITE_MOVED_OFF} AFTER UPDATE OF proposal_id ON aspirasi_vote "
            f"WHEN OLD.proposal_id <> NEW.proposal_id BEGIN {_upsert('OLD.proposal_id')}; END",
            params=None,
        )
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, body in _FUNCTIONS:
        schema_editor.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
            params=None,  # no placeholders: "%" is the modulo
        )
    _point_triggers(schema_editor, now=True)
    schema_editor.execute("DROP FUNCTION aspirasi_list_tallies_moved()", params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {_SQLITE_MOVED_OFF}", params=None)
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_OLD_FUNCTION, params=None)
    _point_triggers(schema_editor, now=False)
    for name, _body in _FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION {name}()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0030_cycles_version_by_trigger"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
