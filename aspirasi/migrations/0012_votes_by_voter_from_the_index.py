"""Votes by voter from an index on (voter, proposal), in place of the foreign key's index on voter alone.

The vote counts its voter's open votes (aspirasi_vote, 0011) and a list marks `has_voted` for the caller:
both read only (voter, proposal), now from the index without visiting a row per vote. The new index is built
before the old one goes, so lookups by voter never lack one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0011_vote_checks_the_voter"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="vote",
            index=models.Index(fields=["voter", "proposal"], name="vote_voter_proposal"),
        ),
        migrations.AlterField(
            model_name="vote",
            name="voter",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="votes",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
