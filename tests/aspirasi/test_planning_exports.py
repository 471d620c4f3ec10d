import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from aspirasi.exports import HEADERS, RUPIAH_FORMAT
from aspirasi.models import Kelurahan
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
