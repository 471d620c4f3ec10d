"""PostgreSQL: the vote function goes; the vote's rules live once, in aspirasi/services/votes.py."""

import importlib

from django.db import migrations

_0011 = importlib.import_module("aspirasi.migrations.0011_vote_checks_the_voter")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_0011.DROP)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_0011.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0012_votes_by_voter_from_the_index"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
