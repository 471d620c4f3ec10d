"""The public list's tallies version moves inside each vote's transaction (sharded ListVersion rows, see
aspirasi/public_list.py): the PostgreSQL sequence of 0007 is no longer read or moved."""

from django.db import migrations

SEQUENCE = "aspirasi_public_tallies"


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
    else:
        apps.get_model("aspirasi", "ListVersion").objects.filter(name="public_tallies").delete()


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
    else:
        apps.get_model("aspirasi", "ListVersion").objects.get_or_create(name="public_tallies")


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0009_vote_writes_touch_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(drop_sequence, create_sequence),
    ]
