"""Issue 21: flags ask for a moderator's review instead of hiding; a decision resolves them (who, outcome);
a cycle says whose votes count where.

Items hidden by the old automatic rule were waiting for a moderator: they keep waiting (marked for review,
still hidden until a moderator restores or hides them for good)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _hidden_items_wait_for_review(apps, schema_editor):
    now = django.utils.timezone.now()
    for name in ("Proposal", "Report"):
        model = apps.get_model("aspirasi", name)
        model.objects.filter(is_hidden=True, flag_review_requested_at__isnull=True).update(flag_review_requested_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0016_phone_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="vote_scope",
            field=models.CharField(
                choices=[
                    ("city", "City: every resident"),
                    ("kecamatan", "Kecamatan: residents of the proposal's kecamatan"),
                    ("kelurahan", "Kelurahan: residents of the proposal's kelurahan"),
                ],
                default="city",
                help_text="Who may support a proposal while this cycle is current (services/votes.py).",
                max_length=16,
                verbose_name="vote scope",
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("restored", "Restored: kept public"),
                    ("hidden", "Hidden"),
                    ("rejected", "Rejected"),
                    ("merged", "Merged"),
                ],
                max_length=16,
                verbose_name="outcome",
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="resolved by",
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="flag_review_requested_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="flag review requested"),
        ),
        migrations.AddField(
            model_name="report",
            name="flag_review_requested_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="flag review requested"),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="is_hidden",
            field=models.BooleanField(default=False, verbose_name="hidden by a moderator"),
        ),
        migrations.AlterField(
            model_name="report",
            name="is_hidden",
            field=models.BooleanField(default=False, verbose_name="hidden by a moderator"),
        ),
        migrations.RunPython(_hidden_items_wait_for_review, migrations.RunPython.noop),
    ]
