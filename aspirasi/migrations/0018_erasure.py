"""Erasure (issue 21): authored content and closed ballots outlive their author's account, the audit trail
keeps a pseudonym.

SQLite alters a column by copying its table, which drops the table's triggers: the list versions'
triggers (migration 0014) are created again afterwards, and before the reverse does the same.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_versions = importlib.import_module("aspirasi.migrations.0014_list_versions_by_triggers")


def _recreate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":  # PostgreSQL alters columns in place, triggers kept
        _versions.drop(apps, schema_editor)
        _versions.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0017_flag_review_and_vote_scope"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _recreate_triggers),
        migrations.AddField(
            model_name="auditentry",
            name="actor_pseudonym",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=32, verbose_name="actor pseudonym"
            ),
        ),
        migrations.AddField(
            model_name="proposalstatusevent",
            name="actor_pseudonym",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=32, verbose_name="actor pseudonym"
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="proposals",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reports",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="vote",
            name="voter",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="votes",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(_recreate_triggers, migrations.RunPython.noop),
    ]
