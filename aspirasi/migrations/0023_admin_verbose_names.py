# Labels only (verbose names for the admin pages, in Indonesian through the .po): no schema change.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0018_erasure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposal",
            name="category",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="aspirasi.category",
                verbose_name="category",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="claimed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="claimed by",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="cycle",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="aspirasi.cycle",
                verbose_name="cycle",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="kelurahan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposals",
                to="aspirasi.kelurahan",
                verbose_name="kelurahan",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_from",
                to="aspirasi.proposal",
                verbose_name="merged into",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="program",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="proposals",
                to="aspirasi.program",
                verbose_name="program",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="source_report",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="promoted_proposals",
                to="aspirasi.report",
                verbose_name="source report",
            ),
        ),
        migrations.AlterField(
            model_name="proposalstatusevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="proposalstatusevent",
            name="actor_role",
            field=models.CharField(
                help_text="author, moderator, planner, admin or system", max_length=16, verbose_name="actor role"
            ),
        ),
        migrations.AlterField(
            model_name="proposalstatusevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created"),
        ),
        migrations.AlterField(
            model_name="proposalstatusevent",
            name="from_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("submitted", "Submitted"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("rejected", "Rejected"),
                    ("merged", "Merged"),
                    ("withdrawn", "Withdrawn"),
                    ("accepted", "Accepted"),
                    ("in_progress", "In progress"),
                    ("completed", "Completed"),
                ],
                max_length=16,
                verbose_name="from status",
            ),
        ),
        migrations.AlterField(
            model_name="proposalstatusevent",
            name="message",
            field=models.TextField(blank=True, verbose_name="message"),
        ),
        migrations.AlterField(
            model_name="proposalstatusevent",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("rejected", "Rejected"),
                    ("merged", "Merged"),
                    ("withdrawn", "Withdrawn"),
                    ("accepted", "Accepted"),
                    ("in_progress", "In progress"),
                    ("completed", "Completed"),
                ],
                max_length=16,
                verbose_name="to status",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="category",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="aspirasi.category",
                verbose_name="category",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="claimed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="claimed by",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="kelurahan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="aspirasi.kelurahan",
                verbose_name="kelurahan",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="linked_proposal",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reports",
                to="aspirasi.proposal",
                verbose_name="linked proposal",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="location_source",
            field=models.CharField(
                choices=[
                    ("given", "Given by the resident"),
                    ("exif", "Read from the photo's GPS"),
                    ("kelurahan", "Kelurahan only"),
                ],
                max_length=10,
                verbose_name="location source",
            ),
        ),
    ]
