"""OPD officers (issue 23): a user's OPD and whether they head it, one OPD per officer.

SQLite adds the constraints by copying the user table, which drops its list-version triggers (migration 0014):
they are created again afterwards, and before the reverse does the same.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_versions = importlib.import_module("aspirasi.migrations.0014_list_versions_by_triggers")


def _recreate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":  # PostgreSQL alters tables in place, triggers kept
        _versions.drop(apps, schema_editor)
        _versions.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0021_forums"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _recreate_triggers),
        migrations.AddField(
            model_name="user",
            name="is_opd_head",
            field=models.BooleanField(default=False, verbose_name="OPD head"),
        ),
        migrations.AddField(
            model_name="user",
            name="opd",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="officers",
                to="aspirasi.opd",
                verbose_name="OPD",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("resident", "Resident"),
                    ("moderator", "Moderator"),
                    ("planner", "Planner"),
                    ("opd", "OPD officer"),
                    ("admin", "Admin"),
                ],
                default="resident",
                max_length=16,
                verbose_name="role",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("opd__isnull", False), ("role", "opd")),
                    models.Q(models.Q(("role", "opd"), _negated=True), ("opd__isnull", True)),
                    _connector="OR",
                ),
                name="user_opd_iff_opd_role",
                violation_error_message="An OPD officer belongs to one OPD; other roles belong to none.",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_opd_head", False), ("role", "opd"), _connector="OR"),
                name="user_opd_head_is_opd_officer",
                violation_error_message="Only an OPD officer can head an OPD.",
            ),
        ),
        migrations.RunPython(_recreate_triggers, migrations.RunPython.noop),
    ]
