import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from aspirasi import exports
from aspirasi.exports import HEADERS, RUPIAH_FORMAT
from aspirasi.models import CarriedProposal, Category, Kelurahan, Level, Opd, ProposalStatus
from aspirasi.selectors.planning import priority_rows, priority_totals
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

URL = "/api/v1/planning/priorities/"


@pytest.fixture
def cycle():
    cycle = make_cycle(phase="deliberation")
    author = UserFactory()
    teritip = Kelurahan.objects.get(slug="teritip")
    ProposalFactory(
        cycle=cycle,
        author=author,
        vote_count=4,
        estimated_cost=25_000_000,
        rt="003",
        rw="005",
        latitude=Decimal("-1.234567"),
        longitude=Decimal("116.912345"),
    )
    ProposalFactory(cycle=cycle, author=author, vote_count=1)
    ProposalFactory(cycle=cycle, author=author, kelurahan=teritip, vote_count=2)
    return cycle


def download(client, **params) -> bytes:
    response = client.get(URL, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def api_rows(client, cycle) -> list[dict]:
    return client.get(URL, {"cycle": cycle.pk}).json()["results"]


def test_csv_has_the_musrenbang_columns_and_matches_the_api(as_planner, cycle):
    text = download(as_planner, cycle=cycle.pk, format="csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == HEADERS
    assert HEADERS[:14] == [
        "No. Prioritas",
        "Usulan/Kegiatan",
        "Bidang (pilar)",
        "Kelurahan",
        "Kecamatan",
        "RT/RW",
        "Volume",
        "Satuan",
        "Perkiraan Biaya",
        "OPD Tujuan",
        "Jumlah Dukungan",
        "Penerima Manfaat",
        "Rumah Tangga Miskin",
        "Skor",
    ]
    expected = api_rows(as_planner, cycle)
    assert [int(r["ID Usulan"]) for r in rows] == [r["id"] for r in expected]
    assert [float(r["Skor"]) for r in rows] == [r["score"] for r in expected]
    assert rows[0]["RT/RW"] == "003/005" and rows[0]["Perkiraan Biaya"] == "25000000"
    assert float(rows[0]["Skor Dukungan"]) == expected[0]["breakdown"][0]["contribution"]


def test_json_export_streams_the_api_rows(as_planner, cycle):
    body = json.loads(download(as_planner, cycle=cycle.pk, format="json"))
    assert body["meta"]["cycle"] == cycle.name
    assert body["results"] == api_rows(as_planner, cycle)


def test_geojson_has_only_proposals_with_a_point(as_planner, cycle):
    body = json.loads(download(as_planner, cycle=cycle.pk, format="geojson"))
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 1
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [116.912345, -1.234567]}
    assert feature["properties"]["score"] == api_rows(as_planner, cycle)[0]["score"]


def test_xlsx_has_a_sheet_per_area_frozen_header_rupiah_and_a_chart(as_planner, cycle):
    response = as_planner.get(URL, {"cycle": cycle.pk, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Manggar", "Teritip", "Ringkasan"]
    manggar = workbook["Manggar"]
    assert manggar.freeze_panes == "A2"
    assert [c.value for c in manggar[1]] == HEADERS
    cost = manggar.cell(row=2, column=HEADERS.index("Perkiraan Biaya") + 1)
    assert cost.value == 25_000_000 and cost.number_format == RUPIAH_FORMAT
    ids = [
        row[HEADERS.index("ID Usulan")]
        for name in ("Manggar", "Teritip")
        for row in workbook[name].iter_rows(min_row=2, values_only=True)
    ]
    assert ids == [r["id"] for r in api_rows(as_planner, cycle)]
    summary = workbook["Ringkasan"]
    assert summary["B2"].value == 3 and summary["C2"].value == 7
    assert len(summary._charts) == 1


def test_xlsx_one_sheet_per_level(as_planner, cycle):
    response = as_planner.get(URL, {"cycle": cycle.pk, "format": "xlsx", "sheets": "level"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["kelurahan", "Ringkasan"]
    assert workbook["kelurahan"].max_row == 4


def test_csv_export_query_count_does_not_grow_with_rows(as_planner, cycle):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            download(as_planner, cycle=cycle.pk, format="csv")
        return len(captured)

    queries()  # the caller is kept from here on (api/authentication.py)
    before = queries()
    author = UserFactory()
    for _ in range(5):
        ProposalFactory(cycle=cycle, author=author)
    assert queries() == before


def test_management_command_writes_the_same_rows(cycle, tmp_path):
    target = tmp_path / "prioritas.csv"
    call_command("export_priorities", cycle=cycle.pk, level="kelurahan", format="csv", output=str(target), quiet=True)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3
    xlsx = tmp_path / "prioritas.xlsx"
    call_command("export_priorities", cycle=cycle.pk, format="xlsx", output=str(xlsx), quiet=True)
    assert load_workbook(xlsx).sheetnames == ["Manggar", "Teritip", "Ringkasan"]


# --- the CSV/XLSX table (exports.table_row) against the explained rows ----------------------------------


@pytest.fixture
def tie_cycle():
    """Weights adding up to 8, so contributions and scores land on .xx5 ties: 100 x 0.01 / 8 = 0.125 exactly
    (round() gives 0.12, half-even), 100 x 0.29 / 8 = 3.6249999999999996 (0.29 is a little under in binary:
    3.62), scores 1.125 and 4.874999999999999. SQL's ROUND() would give 0.13, 3.63, 1.13 and 4.88, and
    numeric text such as "1.00" where the CSV says "1.0"."""
    Category.objects.filter(slug="pendidikan").update(pillar_weight=Decimal("0.29"))
    Category.objects.filter(slug="kesehatan").update(pillar_weight=Decimal("0.01"))
    Kelurahan.objects.filter(slug="manggar").update(need_weight=Decimal("0.05"))
    Kelurahan.objects.filter(slug="teritip").update(need_weight=Decimal("0.08"))
    return make_cycle(
        phase="deliberation",
        name="Musrenbang Seri",
        support=4,
        beneficiaries=0,
        poor_households=0,
        pillar=1,
        need=1,
        cost=2,
    )


@pytest.fixture
def tie_rows(tie_cycle):
    author = UserFactory()
    manggar, teritip = Kelurahan.objects.get(slug="manggar"), Kelurahan.objects.get(slug="teritip")
    pendidikan, kesehatan = Category.objects.get(slug="pendidikan"), Category.objects.get(slug="kesehatan")
    opd = Opd.objects.create(slug="dpu-bm", name="Dinas Pekerjaan Umum, Bina Marga")
    common = {"cycle": tie_cycle, "author": author}
    # Empty fields: no cost, beneficiaries, poor households, volume, unit, RT/RW or OPD; 1 of 80 votes.
    empty = ProposalFactory(
        **common,
        kelurahan=manggar,
        category=pendidikan,
        title="Usulan kosong",
        vote_count=1,
        estimated_beneficiaries=None,
        estimated_poor_households=None,
        volume=None,
        unit="",
    )
    full = ProposalFactory(
        **common,
        kelurahan=manggar,
        category=kesehatan,
        title='Posyandu "Melati", RT 3',
        vote_count=80,
        estimated_beneficiaries=100,
        estimated_poor_households=10,
        estimated_cost=50_000_000,
        volume=Decimal("2.50"),
        unit="paket",
        rt="003",
        opd=opd,
        status=ProposalStatus.IN_PROGRESS,
    )
    teritip_row = ProposalFactory(
        **common,
        kelurahan=teritip,
        category=kesehatan,
        title="Drainase",
        vote_count=0,
        estimated_beneficiaries=0,
        estimated_cost=10_000_000,
        volume=Decimal("12.35"),
        unit="meter",
        rw="007",
        status=ProposalStatus.ACCEPTED,
    )
    CarriedProposal.objects.create(proposal=teritip_row, level=Level.KECAMATAN, rank=2)
    CarriedProposal.objects.create(proposal=teritip_row, level=Level.CITY, rank=1)
    return empty, full, teritip_row


def csv_text(rows) -> str:
    return "".join(exports.csv_chunks(rows))


def test_csv_pins_tie_rounding_and_empty_fields(tie_cycle, tie_rows):
    """The exact text: rounding is Python's round() on the float the database computed, floats are written
    as repr() (1.0, not 1.00), empty fields are empty. A change in how the query or table() computes
    scores, contributions or blanks shows up here."""
    empty, full, teritip_row = tie_rows
    header = ",".join(HEADERS)
    # Skor, then the contributions: support, beneficiaries, poor households, pillar, need, cost, ballot.
    assert csv_text(priority_rows(cycle=tie_cycle, level="kelurahan")) == (
        f"\ufeff{header}\r\n"
        "1,Usulan kosong,Pendidikan & Pelatihan Keterampilan,Manggar,Balikpapan Timur,,,,,,1,,,"
        f"4.87,0.62,0.0,0.0,3.62,0.62,0.0,0.0,Dipublikasikan,,,Manggar,{empty.pk}\r\n"
        '1,"Posyandu ""Melati"", RT 3",Kesehatan,Manggar,Balikpapan Timur,003,2.5,paket,50000000,'
        '"Dinas Pekerjaan Umum, Bina Marga",80,100,10,'
        f"67.42,50.0,0.0,0.0,0.12,0.62,16.67,0.0,Dalam pelaksanaan,,,Manggar,{full.pk}\r\n"
        "1,Drainase,Kesehatan,Teritip,Balikpapan Timur,007,12.35,meter,10000000,,0,0,,"
        f"1.12,0.0,0.0,0.0,0.12,1.0,0.0,0.0,Diterima,2,1,Teritip,{teritip_row.pk}\r\n"
    )


def _explained_values(row: dict) -> tuple:
    """An explained row (the API's) in the export table's column order, written out independently."""
    rt_rw = "/".join(part for part in (row["rt"], row["rw"]) if part)
    return (
        row["rank"],
        row["title"],
        row["pillar"]["name_id"],
        row["kelurahan"]["name"],
        row["kecamatan"]["name"],
        rt_rw,
        None if row["volume"] is None else float(row["volume"]),
        row["unit"],
        row["estimated_cost"],
        row["opd"] or "",
        row["vote_count"],
        row["estimated_beneficiaries"],
        row["estimated_poor_households"],
        row["score"],
        *(term["contribution"] for term in row["breakdown"]),
        exports.STATUS_LABELS.get(row["status"], row["status"]),
        row["carried"]["kecamatan"],
        row["carried"]["city"],
        row["area"]["name"],
        row["id"],
    )


@pytest.mark.parametrize(
    "filters",
    [
        {"level": "kelurahan"},
        {"level": "kecamatan"},
        {"level": "city"},
        {"level": "kelurahan", "category": "kesehatan"},
        {"level": "kelurahan", "area": "teritip"},
    ],
)
def test_table_rows_are_the_explained_rows_values(tie_cycle, tie_rows, filters):
    """exports.table_row (CSV, XLSX) gives what the API's explained rows say, from the same PriorityRow."""
    ProposalFactory(cycle=tie_cycle, kelurahan=Kelurahan.objects.get(slug="lamaru"), vote_count=7)
    selection = {"cycle": tie_cycle, "level": filters["level"]}
    if "category" in filters:
        selection["category_id"] = Category.objects.get(slug=filters["category"]).pk
    if "area" in filters:
        selection["area_id"] = Kelurahan.objects.get(slug=filters["area"]).pk
    rows = priority_rows(**selection)
    explained = list(rows)
    assert explained
    assert list(exports.table_rows(rows)) == [_explained_values(row) for row in explained]


def test_csv_writes_many_rows_per_chunk(tie_cycle, tie_rows, monkeypatch):
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 2)
    chunks = list(exports.csv_chunks(priority_rows(cycle=tie_cycle, level="kelurahan")))
    assert [chunk.count("\r\n") for chunk in chunks] == [1, 2, 1]
    assert list(exports.csv_chunks(priority_rows(cycle=tie_cycle, level="city", category_id=0))) == [
        "\ufeff" + ",".join(HEADERS) + "\r\n"
    ]


def test_xlsx_keeps_the_table_values_and_an_area_per_sheet(tie_cycle, tie_rows):
    rows = priority_rows(cycle=tie_cycle, level="kelurahan")
    buffer = io.BytesIO()
    exports.xlsx_write(rows, totals=priority_totals(cycle=tie_cycle, level="kelurahan"), target=buffer)
    workbook = load_workbook(buffer)
    assert workbook.sheetnames == ["Manggar", "Teritip", "Ringkasan"]
    written = [row for name in ("Manggar", "Teritip") for row in workbook[name].iter_rows(min_row=2, values_only=True)]
    assert written == [
        tuple(None if value == "" else value for value in row)  # an empty cell reads back as None
        for row in exports.table_rows(rows)
    ]
    assert workbook["Manggar"]["N2"].value == 4.87 and workbook["Manggar"]["R3"].value == 0.12


def test_management_command_counts_csv_rows(tie_cycle, tie_rows, tmp_path):
    target, out = tmp_path / "prioritas.csv", io.StringIO()
    call_command(
        "export_priorities", cycle=tie_cycle.pk, format="csv", output=str(target), stdout=out, stderr=io.StringIO()
    )
    assert out.getvalue().startswith("3 rows written")
    assert target.read_bytes().decode() == csv_text(priority_rows(cycle=tie_cycle, level="kelurahan"))
