from django.db import migrations

SEQUENCE = "aspirasi_public_tallies"  # aspirasi/public_list.TALLIES_SEQUENCE


def create_tallies_counter(apps, schema_editor):
    # PostgreSQL: a sequence (no row lock, no commit per vote); elsewhere a ListVersion row.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
    else:
        apps.get_model("aspirasi", "ListVersion").objects.get_or_create(name="public_tallies")


def drop_tallies_counter(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
    else:
        apps.get_model("aspirasi", "ListVersion").objects.filter(name="public_tallies").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0006_list_version"),
    ]

    operations = [
        migrations.RunPython(create_tallies_counter, drop_tallies_counter),
    ]
