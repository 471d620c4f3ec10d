"""Report placement (issue 23): `kelurahan_confirmed` (false while the kelurahan is a guess), `origin`, and
a photo that only an Open311 request may lack.

SQLite alters a column by copying its table, which drops the list versions' triggers (migration 0014):
they are created again afterwards, as in 0018.
"""

import importlib

from django.db import migrations, models

_versions = importlib.import_module("aspirasi.migrations.0014_list_versions_by_triggers")


def _recreate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":  # PostgreSQL alters columns in place, triggers kept
        _versions.drop(apps, schema_editor)
        _versions.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0022_opd_officers"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _recreate_triggers),
        migrations.AddField(
            model_name="report",
            name="kelurahan_confirmed",
            field=models.BooleanField(default=True, verbose_name="kelurahan confirmed"),
        ),
        migrations.AddField(
            model_name="report",
            name="origin",
            field=models.CharField(
                choices=[("app", "The app"), ("open311", "Open311 integration")],
                default="app",
                max_length=10,
                verbose_name="origin",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="image",
            field=models.ImageField(blank=True, height_field="height", upload_to="reports/%Y/%m/", width_field="width"),
        ),
        migrations.AlterField(
            model_name="report",
            name="thumbnail_large",
            field=models.ImageField(blank=True, upload_to="reports/%Y/%m/"),
        ),
        migrations.AlterField(
            model_name="report",
            name="thumbnail_small",
            field=models.ImageField(blank=True, upload_to="reports/%Y/%m/"),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(("origin", "open311"), models.Q(("image", ""), _negated=True), _connector="OR"),
                name="report_photo_unless_open311",
            ),
        ),
        migrations.RunPython(_recreate_triggers, migrations.RunPython.noop),
    ]
