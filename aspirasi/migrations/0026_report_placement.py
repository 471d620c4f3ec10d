"""Report placement (issue 23): `kelurahan_confirmed` (false while the kelurahan is a guess), `origin`, and
a photo that only an Open311 request may lack. (The report table carries no list-version trigger: SQLite's
table copy drops nothing of migration 0014.)"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0025_dispositions_sla"),
    ]

    operations = [
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
    ]
