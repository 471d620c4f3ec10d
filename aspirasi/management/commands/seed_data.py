"""Seed a realistic data set fast: residents, proposals across the 34 kelurahan, votes, a few reports.

Rows are built in memory and written with bulk_create in batches (no per-row queries), so 20,000
proposals with 200,000 votes take seconds. Residents are reused when run again (fixed phone numbers);
proposals and votes are added on top. `vote_count` always equals the Vote rows written.

Seeded votes are history, not API calls: they do not respect VOTE_BUDGET (the benchmark's 100 votes per
resident would not fit), so a seeded resident may have more open votes than the app would let them cast.
"""

import io
import random
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from aspirasi.models import (
    Category,
    Kelurahan,
    Proposal,
    ProposalStatus,
    ProposalStatusEvent,
    Role,
    TargetGroup,
    User,
    Vote,
)
from aspirasi.models.proposals import PUBLIC_STATUSES

BATCH = 2000
RESIDENT_PHONE = "+62813{:08d}"  # +62813 00000000 .. : the seeded residents
RESIDENT_PASSWORD = "warga-demo-123"  # noqa: S105 - demo data only, printed by the command
HISTORY_DAYS = 180

# Rough centre and half-extent (degrees) of each kecamatan, by BPS code; points fall inside Balikpapan.
KECAMATAN_AREAS = {
    "64.71.01": (-1.225, 116.990, 0.040, 0.050),  # Balikpapan Timur
    "64.71.02": (-1.235, 116.815, 0.025, 0.025),  # Balikpapan Barat
    "64.71.03": (-1.195, 116.860, 0.030, 0.030),  # Balikpapan Utara
    "64.71.04": (-1.265, 116.830, 0.015, 0.020),  # Balikpapan Tengah
    "64.71.05": (-1.260, 116.890, 0.020, 0.030),  # Balikpapan Selatan
    "64.71.06": (-1.250, 116.860, 0.015, 0.015),  # Balikpapan Kota
}
DEFAULT_AREA = (-1.240, 116.870, 0.030, 0.030)

# (title template, description, unit, volume range, cost per unit in rupiah) per pillar.
PILLAR_TEMPLATES = {
    "pendidikan": [
        (
            "Pelatihan menjahit untuk ibu rumah tangga",
            "Kursus menjahit tiga bulan agar ibu-ibu bisa menerima pesanan.",
            "peserta",
            (10, 40),
            1_500_000,
        ),
        (
            "Kursus komputer untuk pemuda putus sekolah",
            "Pelatihan komputer dasar dan desain grafis bagi pemuda.",
            "peserta",
            (15, 30),
            2_000_000,
        ),
        (
            "Beasiswa anak keluarga kurang mampu",
            "Bantuan biaya sekolah untuk anak dari keluarga prasejahtera.",
            "orang",
            (10, 50),
            3_000_000,
        ),
        (
            "Pelatihan tata boga dan kue",
            "Pelatihan membuat kue untuk dijual di warung dan pasar.",
            "peserta",
            (10, 30),
            1_200_000,
        ),
    ],
    "ekonomi-umkm": [
        (
            "Bantuan gerobak untuk pedagang kecil",
            "Gerobak jualan bagi pedagang kaki lima yang baru memulai usaha.",
            "paket",
            (5, 20),
            4_000_000,
        ),
        (
            "Pelatihan pemasaran online UMKM",
            "Cara berjualan lewat media sosial dan marketplace untuk usaha mikro.",
            "peserta",
            (20, 40),
            800_000,
        ),
        (
            "Modal usaha kelompok nelayan",
            "Bantuan alat tangkap dan modal kerja bagi kelompok nelayan.",
            "paket",
            (1, 5),
            25_000_000,
        ),
        (
            "Rumah produksi bersama kerupuk ikan",
            "Dapur produksi bersama untuk olahan hasil laut warga.",
            "paket",
            (1, 2),
            60_000_000,
        ),
    ],
    "kesehatan": [
        (
            "Posyandu lansia setiap bulan",
            "Pemeriksaan kesehatan rutin dan makanan tambahan untuk lansia.",
            "kegiatan",
            (6, 12),
            2_500_000,
        ),
        (
            "Pencegahan stunting balita",
            "Pemberian makanan tambahan bergizi dan penyuluhan gizi untuk ibu balita.",
            "paket",
            (20, 60),
            600_000,
        ),
        (
            "Alat kesehatan posyandu",
            "Timbangan, pengukur tinggi badan dan tensimeter untuk posyandu.",
            "paket",
            (1, 3),
            7_500_000,
        ),
        (
            "Fogging dan pemberantasan sarang nyamuk",
            "Pencegahan demam berdarah di lingkungan padat penduduk.",
            "kegiatan",
            (2, 6),
            3_000_000,
        ),
    ],
    "partisipasi": [
        (
            "Renovasi balai pertemuan warga",
            "Perbaikan atap dan lantai balai warga untuk musyawarah RT.",
            "paket",
            (1, 1),
            85_000_000,
        ),
        (
            "Kegiatan gotong royong kebersihan",
            "Peralatan kebersihan untuk kerja bakti rutin warga.",
            "paket",
            (1, 4),
            5_000_000,
        ),
        (
            "Pelatihan kader karang taruna",
            "Pelatihan kepemimpinan dan organisasi untuk pemuda.",
            "peserta",
            (20, 40),
            500_000,
        ),
    ],
    "perlindungan-sosial": [
        (
            "Bedah rumah tidak layak huni",
            "Perbaikan rumah warga miskin yang atapnya bocor dan dindingnya lapuk.",
            "unit",
            (2, 10),
            20_000_000,
        ),
        (
            "Bantuan alat bantu penyandang disabilitas",
            "Kursi roda dan alat bantu dengar untuk warga disabilitas.",
            "paket",
            (3, 15),
            3_500_000,
        ),
        (
            "Makanan bergizi untuk lansia sebatang kara",
            "Bantuan makanan rutin bagi lansia yang hidup sendiri.",
            "orang",
            (10, 30),
            1_800_000,
        ),
    ],
    "infrastruktur": [
        (
            "Perbaikan jalan lingkungan berlubang",
            "Jalan lingkungan rusak dan berlubang, berbahaya saat hujan.",
            "meter",
            (100, 600),
            450_000,
        ),
        (
            "Normalisasi drainase yang tersumbat",
            "Saluran air tersumbat sehingga rumah warga banjir saat hujan deras.",
            "meter",
            (100, 400),
            600_000,
        ),
        (
            "Pemasangan lampu penerangan jalan",
            "Gang gelap di malam hari, rawan kecelakaan dan kejahatan.",
            "titik",
            (5, 20),
            3_000_000,
        ),
        (
            "Penyediaan air bersih untuk warga",
            "Pipa air bersih belum menjangkau rumah-rumah di ujung gang.",
            "meter",
            (200, 800),
            350_000,
        ),
        (
            "Pembangunan tempat pembuangan sampah",
            "Tempat sampah sementara agar warga tidak membuang sampah ke sungai.",
            "unit",
            (1, 3),
            15_000_000,
        ),
    ],
    "lainnya": [
        (
            "Taman bermain anak",
            "Lahan kosong milik kelurahan dijadikan taman bermain yang aman.",
            "paket",
            (1, 1),
            50_000_000,
        ),
        ("Perpustakaan keliling RT", "Buku bacaan anak dan rak untuk pos baca warga.", "paket", (1, 3), 6_000_000),
    ],
}
TARGET_GROUPS_BY_PILLAR = {
    "pendidikan": ["youth", "women", "children"],
    "ekonomi-umkm": ["micro_business", "women", "low_income"],
    "kesehatan": ["elderly", "children", "women"],
    "partisipasi": ["youth"],
    "perlindungan-sosial": ["low_income", "disabilities", "elderly"],
    "infrastruktur": ["low_income"],
    "lainnya": ["children"],
}
STATUS_WEIGHTS = [
    (ProposalStatus.PUBLISHED, 80),
    (ProposalStatus.SUBMITTED, 6),
    (ProposalStatus.IN_REVIEW, 4),
    (ProposalStatus.REJECTED, 3),
    (ProposalStatus.ACCEPTED, 4),
    (ProposalStatus.IN_PROGRESS, 2),
    (ProposalStatus.COMPLETED, 1),
]
FIRST_NAMES = ["Siti", "Budi", "Ahmad", "Dewi", "Rahmat", "Nur", "Agus", "Sri", "Andi", "Wahyu", "Fitri", "Hendra"]
LAST_NAMES = [
    "Rahayu",
    "Saputra",
    "Hidayat",
    "Lestari",
    "Pratama",
    "Wijaya",
    "Nugroho",
    "Sari",
    "Syahrani",
    "Kurniawan",
]


@contextmanager
def _timestamps_as_given(*fields):
    """Let bulk_create keep the historical created_at/updated_at we set instead of `now` (auto_now_add)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _insert_rows(model, columns: list[str], rows) -> None:
    """INSERT plain tuples with executemany in batches: far cheaper than building model instances."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - from _meta
    adapt = connection.ops.adapt_datetimefield_value
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(adapt(v) if isinstance(v, datetime) else v for v in row))
            if len(batch) >= BATCH * 5:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


class Command(BaseCommand):
    help = "Seed residents, proposals, votes (and a few photo reports) quickly; reuses existing residents."

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=200)
        parser.add_argument("--votes", type=int, default=1000)
        parser.add_argument("--residents", type=int, default=50)
        parser.add_argument("--reports", type=int, default=0, help="Photo reports through the reports service")
        parser.add_argument("--seed", type=int, default=None, help="Random seed for a repeatable data set")

    def handle(self, *args, proposals, votes, residents, reports, seed, **options):
        if min(proposals, votes, residents, reports) < 0:
            raise CommandError("counts must not be negative")
        if residents < 1 and (proposals or votes):
            raise CommandError("--residents must be at least 1 to author proposals and votes")
        rng = random.Random(seed)
        kelurahan = list(Kelurahan.objects.select_related("kecamatan"))
        categories = {c.slug: c for c in Category.objects.filter(is_active=True)}
        if not kelurahan or not categories:
            raise CommandError("reference data missing: run `manage.py migrate` first")
        now = timezone.now()
        with transaction.atomic():
            people = self._residents(residents, kelurahan, rng, now)
            created, vote_rows = self._proposals(proposals, votes, people, kelurahan, categories, rng, now)
        report_rows = self._reports(reports, people, categories, rng)
        # Fresh planner statistics: without them the first queries on thousands of new rows plan badly.
        with connection.cursor() as cursor:
            for model in (User, Proposal, Vote, ProposalStatusEvent):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(created)} proposals, {vote_rows} votes, {len(people)} residents "
                f"(password {RESIDENT_PASSWORD!r}), {report_rows} reports."
            )
        )

    # --- residents -------------------------------------------------------------------------------------

    def _residents(self, count: int, kelurahan, rng, now) -> list[User]:
        phones = [RESIDENT_PHONE.format(i) for i in range(count)]
        existing = {u.phone: u for u in User.objects.filter(phone__in=phones)}
        password = make_password(RESIDENT_PASSWORD)  # hashed once, shared by every seeded resident
        new = [
            User(
                phone=phone,
                password=password,
                display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                kelurahan=rng.choice(kelurahan),
                role=Role.RESIDENT,
                date_joined=now - timedelta(days=rng.randint(HISTORY_DAYS, HISTORY_DAYS + 200)),
                phone_verified_at=now,  # seeded residents stand for verified ones
            )
            for phone in phones
            if phone not in existing
        ]
        User.objects.bulk_create(new, batch_size=BATCH)
        people = {**existing, **{u.phone: u for u in User.objects.filter(phone__in=[u.phone for u in new])}}
        return [people[phone] for phone in phones]

    # --- proposals -------------------------------------------------------------------------------------

    def _proposals(self, count: int, votes: int, people, kelurahan, categories, rng, now) -> tuple[list, int]:
        """Build `count` proposals, plan `votes` votes on them (so vote_count is right at insert), write both."""
        if count == 0:
            return [], 0
        pillars = [slug for slug in PILLAR_TEMPLATES if slug in categories]
        statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        groups = {g.slug: g for g in TargetGroup.objects.all()}
        rows, tags = [], []
        for _ in range(count):
            pillar = rng.choice(pillars)
            title, description, unit, (low, high), unit_cost = rng.choice(PILLAR_TEMPLATES[pillar])
            area = rng.choice(kelurahan)
            lat, lng, dlat, dlng = KECAMATAN_AREAS.get(area.kecamatan.code, DEFAULT_AREA)
            status = rng.choices(statuses, weights)[0]
            created_at = now - timedelta(seconds=rng.randint(3600, HISTORY_DAYS * 86400))
            volume = rng.randint(low, high)
            has_point = rng.random() < 0.85
            rows.append(
                Proposal(
                    author=rng.choice(people),
                    title=f"{title} di {area.name} RT {rng.randint(1, 40):02d}",
                    description=f"{description} Warga RT setempat sudah bermusyawarah dan mendukung usulan ini.",
                    category=categories[pillar],
                    kelurahan=area,
                    rt=f"{rng.randint(1, 40):03d}",
                    rw=f"{rng.randint(1, 12):02d}",
                    latitude=Decimal(f"{lat + rng.uniform(-dlat, dlat):.6f}") if has_point else None,
                    longitude=Decimal(f"{lng + rng.uniform(-dlng, dlng):.6f}") if has_point else None,
                    estimated_beneficiaries=volume * rng.randint(1, 4) if unit in {"meter", "titik"} else volume,
                    estimated_poor_households=rng.randint(0, volume),
                    volume=Decimal(volume),
                    unit=unit,
                    estimated_cost=volume * unit_cost,
                    anonymous=rng.random() < 0.15,
                    status=status,
                    rejection_reason="out_of_scope" if status == ProposalStatus.REJECTED else "",
                    rejection_message="Bukan kewenangan kelurahan." if status == ProposalStatus.REJECTED else "",
                    created_at=created_at,
                    updated_at=created_at,
                    published_at=created_at + timedelta(days=1) if status in PUBLIC_STATUSES else None,
                )
            )
            wanted = TARGET_GROUPS_BY_PILLAR.get(pillar, [])
            tags.append(rng.sample(wanted, k=rng.randint(1, len(wanted))) if wanted else [])
        # Insert oldest first so ids follow created_at, as they do for proposals submitted through the API.
        order = sorted(range(len(rows)), key=lambda index: rows[index].created_at)
        rows, tags = [rows[index] for index in order], [tags[index] for index in order]
        planned = self._plan_votes(votes, rows, people, rng, now)
        fields = Proposal._meta
        with _timestamps_as_given(fields.get_field("created_at"), fields.get_field("updated_at")):
            Proposal.objects.bulk_create(rows, batch_size=BATCH)
        _insert_rows(
            Proposal.target_groups.through,
            ["proposal_id", "targetgroup_id"],
            (
                (row.pk, groups[slug].pk)
                for row, slugs in zip(rows, tags, strict=True)
                for slug in slugs
                if slug in groups
            ),
        )
        self._timeline(rows, now)
        _insert_rows(
            Vote,
            ["proposal_id", "voter_id", "created_at"],
            ((rows[index].pk, voter_id, created_at) for index, voter_id, created_at in planned),
        )
        return rows, len(planned)

    def _timeline(self, rows: list[Proposal], now) -> None:
        entries = []
        for row in rows:
            entries.append((row.pk, "", ProposalStatus.SUBMITTED.value, "author", "", row.created_at))
            if row.status != ProposalStatus.SUBMITTED:
                decided = ProposalStatus.PUBLISHED if row.status in PUBLIC_STATUSES else row.status
                decided_at = min(row.created_at + timedelta(days=1), now)
                entries.append((row.pk, "submitted", str(decided), "moderator", row.rejection_message, decided_at))
        columns = ["proposal_id", "from_status", "to_status", "actor_role", "message", "created_at"]
        _insert_rows(ProposalStatusEvent, columns, entries)

    # --- votes -----------------------------------------------------------------------------------------

    def _plan_votes(self, count: int, rows: list[Proposal], people: list[User], rng, now) -> list[tuple]:
        """(row index, voter id, created_at) for `count` distinct (proposal, voter) pairs on public rows;
        sets each row's vote_count to match."""
        votable = [index for index, row in enumerate(rows) if row.status in PUBLIC_STATUSES]
        if not votable or not people or count == 0:
            return []
        count = min(count, len(votable) * len(people))
        # A few proposals draw most of the support (a long tail), as in real participation data.
        weights = [rng.paretovariate(1.2) for _ in votable]
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < count:
            picks = rng.choices(votable, weights, k=count - len(pairs))
            pairs.update((index, rng.randrange(len(people))) for index in picks)
            if len(pairs) < count and len(pairs) > 0.9 * len(votable) * len(people):
                break  # nearly saturated: stop rather than loop on the last few free pairs
        planned = []
        for index, person in sorted(pairs):
            row = rows[index]
            row.vote_count += 1
            start = row.published_at or row.created_at
            seconds = max(int((now - start).total_seconds()), 1)
            # Skewed towards recent days so "trending" has something to show.
            planned.append((index, people[person].pk, now - timedelta(seconds=int(seconds * rng.random() ** 2))))
        return planned

    # --- reports ---------------------------------------------------------------------------------------

    def _reports(self, count: int, people, categories, rng) -> int:
        if count == 0:
            return 0
        try:
            from aspirasi.services.reports import report_create
        except ImportError:
            self.stdout.write("aspirasi.services.reports is not available; no reports seeded.")
            return 0
        from PIL import Image

        made = 0
        for index in range(count):
            author = rng.choice(people)
            buffer = io.BytesIO()
            Image.new("RGB", (320, 240), (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(
                buffer, "JPEG"
            )
            buffer.seek(0)
            buffer.name = f"laporan-{index}.jpg"
            report_create(
                author=author,
                image=buffer,
                description="Jalan berlubang dan saluran air tersumbat di depan rumah warga.",
                category=categories.get("infrastruktur") or next(iter(categories.values())),
                kelurahan=author.kelurahan,
            )
            made += 1
        return made
