"""Balikpapan's 6 kecamatan and 34 kelurahan (aspirasi/data/balikpapan_wilayah.csv), the strategy's
pillars as categories, and the target groups. Idempotent: existing rows are updated, not duplicated."""

import csv
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

WILAYAH_CSV = Path(__file__).resolve().parent.parent / "data" / "balikpapan_wilayah.csv"

CATEGORIES = [
    # slug, Indonesian, English
    ("pendidikan", "Pendidikan & Pelatihan Keterampilan", "Education & Vocational Skills"),
    ("ekonomi-umkm", "Pemberdayaan Ekonomi & UMKM", "Economic Empowerment & Micro/Small Businesses"),
    ("kesehatan", "Kesehatan", "Health"),
    ("partisipasi", "Partisipasi Masyarakat", "Community Participation"),
    ("perlindungan-sosial", "Perlindungan Sosial", "Social Protection"),
    ("infrastruktur", "Infrastruktur Dasar & Lingkungan", "Basic Infrastructure & Environment"),
    ("lainnya", "Lainnya", "Other"),
]

TARGET_GROUPS = [
    ("women", "Perempuan", "Women"),
    ("youth", "Pemuda", "Youth"),
    ("elderly", "Lansia", "Elderly"),
    ("disabilities", "Penyandang Disabilitas", "People with disabilities"),
    ("low_income", "Rumah Tangga Berpenghasilan Rendah", "Low-income households"),
    ("micro_business", "Usaha Mikro", "Micro businesses"),
    ("children", "Anak-anak", "Children"),
]


def load(apps, schema_editor):
    Kecamatan = apps.get_model("aspirasi", "Kecamatan")
    Kelurahan = apps.get_model("aspirasi", "Kelurahan")
    Category = apps.get_model("aspirasi", "Category")
    TargetGroup = apps.get_model("aspirasi", "TargetGroup")

    with WILAYAH_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kecamatan, _ = Kecamatan.objects.update_or_create(
                code=row["kecamatan_code"],
                defaults={"name": row["kecamatan"], "slug": slugify(row["kecamatan"])},
            )
            Kelurahan.objects.update_or_create(
                slug=slugify(row["kelurahan"]), defaults={"name": row["kelurahan"], "kecamatan": kecamatan}
            )
    for order, (slug, name_id, name_en) in enumerate(CATEGORIES):
        Category.objects.update_or_create(slug=slug, defaults={"name_id": name_id, "name_en": name_en, "order": order})
    for order, (slug, name_id, name_en) in enumerate(TARGET_GROUPS):
        TargetGroup.objects.update_or_create(
            slug=slug, defaults={"name_id": name_id, "name_en": name_en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("aspirasi", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
