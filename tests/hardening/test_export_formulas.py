"""No text in a planners' export is evaluated by a spreadsheet (docs/planning.md, "Formulas").

Hostile text in every text column (title, unit, RT/RW, pillar, kelurahan, kecamatan, OPD) through every way
out: the API's csv/xlsx/json/geojson, `manage.py export_priorities` and the admin action. CSV: no cell
starts with a trigger character, a text that did has a quote before it, numbers stay numbers. XLSX, read
back with openpyxl: no formula cell, every text a string cell equal to what was written.
"""

import csv
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from aspirasi import exports
from aspirasi.exports import HEADERS
from aspirasi.models import CarriedProposal, Category, Kecamatan, Kelurahan, Opd, Proposal
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

URL = "/api/v1/planning/priorities/"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    "=1+1",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://x","y")',
    "-5 meter",
    "#N/A",  # not a formula, but openpyxl would write it as an error cell
]
TEXT_HEADERS = ["Usulan/Kegiatan", "Bidang (pilar)", "Kelurahan", "Kecamatan", "RT/RW", "Satuan", "OPD Tujuan"]


@pytest.fixture
def hostile_cycle():
    """One proposal per hostile text, as its title and unit; hostile names of its pillar, area and OPD."""
    cycle = make_cycle(phase="deliberation")
    Category.objects.filter(slug="kesehatan").update(name_id="=1+1")
    Kelurahan.objects.filter(slug="manggar").update(name="@Manggar")
    Kecamatan.objects.filter(kelurahan_set__slug="manggar").update(name="-Balikpapan Timur")
    opd = Opd.objects.create(slug="opd-hostile", name='=HYPERLINK("http://x","y")')
    author = UserFactory()
    for index, text in enumerate(HOSTILE):
        ProposalFactory(
            cycle=cycle,
            author=author,
            title=text,
            unit=text[:30],
            rt=text[:3],
            rw="-1",
            opd=opd,
            category=Category.objects.get(slug="kesehatan"),
            kelurahan=Kelurahan.objects.get(slug="manggar"),
            vote_count=index,
            estimated_cost=25_000_000,
        )
    return cycle


def written(text: str) -> str:
    """What a spreadsheet should show for a hostile text: itself. (XML reads a carriage return as a line
    feed, so in XLSX `\\r=1` comes back as `\\n=1`: still a string cell, never a formula.)"""
    return text.replace("\r", "\n")


def expected_text(proposal_id_to_title: dict, row: dict) -> dict:
    title = proposal_id_to_title[int(row["ID Usulan"])]
    return {
        "Usulan/Kegiatan": title,
        "Bidang (pilar)": "=1+1",
        "Kelurahan": "@Manggar",
        "Kecamatan": "-Balikpapan Timur",
        "RT/RW": f"{title[:3]}/-1",
        "Satuan": title[:30],
        "OPD Tujuan": '=HYPERLINK("http://x","y")',
    }


def titles(cycle) -> dict:
    return {p.pk: p.title for p in cycle.proposals.all()}


def download(client, **params) -> bytes:
    response = client.get(URL, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def assert_csv_inert(text: str, cycle) -> None:
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == len(HOSTILE)
    by_id = titles(cycle)
    for row in rows:
        assert not any(cell.startswith(TRIGGERS) for cell in row.values()), row
        for header, original in expected_text(by_id, row).items():
            # OWASP: a text a spreadsheet would evaluate gets a leading quote; any other text is unchanged
            assert row[header] == ("'" + original if original.startswith(TRIGGERS) else original), header
        assert row["Perkiraan Biaya"] == "25000000" and float(row["Skor"]) >= 0
    by_title = {by_id[int(row["ID Usulan"])]: row for row in rows}
    assert by_title["-5 meter"]["Usulan/Kegiatan"] == "'-5 meter"
    assert by_title["#N/A"]["Usulan/Kegiatan"] == "#N/A"


def assert_xlsx_inert(data: bytes, cycle) -> None:
    workbook = load_workbook(io.BytesIO(data))
    by_id = titles(cycle)
    seen = 0
    for sheet in workbook.worksheets:
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"], sheet.title
        assert not [cell.coordinate for cell in cells if cell.data_type == "e"], sheet.title
        if sheet.title == "Ringkasan":
            assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
            continue
        header = [cell.value for cell in sheet[1]]
        assert header == HEADERS
        for row in sheet.iter_rows(min_row=2):
            values = dict(zip(HEADERS, row, strict=True))
            for name, original in expected_text(by_id, {"ID Usulan": values["ID Usulan"].value}).items():
                assert values[name].data_type == "s", name
                assert values[name].value == written(original), name
            assert values["Perkiraan Biaya"].value == 25_000_000 and values["Perkiraan Biaya"].data_type == "n"
            seen += 1
    assert seen == len(HOSTILE)
    shown = [
        row[HEADERS.index("Usulan/Kegiatan")]
        for sheet in workbook.worksheets[:-1]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert "-5 meter" in shown and '=HYPERLINK("http://x","y")' in shown


def test_api_csv_has_no_cell_a_spreadsheet_evaluates(as_planner, hostile_cycle):
    text = download(as_planner, cycle=hostile_cycle.pk, format="csv").decode("utf-8")
    assert_csv_inert(text, hostile_cycle)


@pytest.mark.parametrize("sheets", ["area", "level"])
def test_api_xlsx_writes_every_text_as_a_string(as_planner, hostile_cycle, sheets):
    data = download(as_planner, cycle=hostile_cycle.pk, format="xlsx", sheets=sheets)
    assert_xlsx_inert(data, hostile_cycle)


@pytest.mark.parametrize("level", ["kecamatan", "city"])
def test_api_exports_at_every_level_are_inert(as_planner, hostile_cycle, level):
    for rank, proposal in enumerate(hostile_cycle.proposals.all(), 1):
        for carried_to in ("kecamatan", "city"):
            CarriedProposal.objects.create(proposal=proposal, level=carried_to, rank=rank)
    text = download(as_planner, cycle=hostile_cycle.pk, level=level, format="csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == len(HOSTILE)
    assert not any(cell.startswith(TRIGGERS) for row in rows for cell in row.values())
    workbook = load_workbook(io.BytesIO(download(as_planner, cycle=hostile_cycle.pk, level=level, format="xlsx")))
    assert not [c for s in workbook.worksheets for r in s.iter_rows() for c in r if c.data_type == "f"]


@pytest.mark.parametrize("fmt", ["json", "geojson"])
def test_json_and_geojson_carry_the_text_exactly(as_planner, hostile_cycle, fmt):
    """JSON is data, not a sheet: nothing is prefixed, a client gets what the resident wrote."""
    Proposal.objects.filter(cycle=hostile_cycle).update(latitude="-1.2", longitude="116.9")
    body = json.loads(download(as_planner, cycle=hostile_cycle.pk, format=fmt))
    rows = body["results"] if fmt == "json" else [f["properties"] for f in body["features"]]
    assert sorted(row["title"] for row in rows) == sorted(HOSTILE)
    assert {row["unit"] for row in rows} == {text[:30] for text in HOSTILE}


def test_management_command_exports_are_inert(hostile_cycle, tmp_path):
    target = tmp_path / "prioritas.csv"
    call_command("export_priorities", cycle=hostile_cycle.pk, format="csv", output=str(target), quiet=True)
    assert_csv_inert(target.read_bytes().decode("utf-8-sig"), hostile_cycle)
    xlsx = tmp_path / "prioritas.xlsx"
    call_command("export_priorities", cycle=hostile_cycle.pk, format="xlsx", output=str(xlsx), quiet=True)
    assert_xlsx_inert(xlsx.read_bytes(), hostile_cycle)


def test_admin_action_xlsx_is_inert(client, planner, hostile_cycle):
    client.force_login(planner)
    response = client.post(
        "/admin/aspirasi/cycle/", {"action": "export_priorities_xlsx", "_selected_action": [hostile_cycle.pk]}
    )
    assert response.status_code == 200
    assert_xlsx_inert(b"".join(response.streaming_content), hostile_cycle)


def test_csv_leaves_the_numbers_we_write_as_numbers():
    """Only text is quoted: a negative number, a count, rupiah and a score are written as they are."""
    numbers = [-5, -2.5, 0, 25_000_000, 67.42, None]
    row = (numbers * 5)[: len(HEADERS)]
    text = "".join(exports.csv_chunks([row]))
    assert text.splitlines()[1] == ",".join("" if v is None else str(v) for v in row)
    assert "'" not in text


def test_xlsx_drops_characters_xml_cannot_hold(as_planner, hostile_cycle):
    """A control character in a title once failed the whole export; it is dropped, the rest is shown."""
    proposal = hostile_cycle.proposals.get(title="+1")
    proposal.title = "Jalan\x01 rusak\x0b"
    proposal.save(update_fields=["title"])
    workbook = load_workbook(io.BytesIO(download(as_planner, cycle=hostile_cycle.pk, format="xlsx")))
    shown = [row[HEADERS.index("Usulan/Kegiatan")] for row in workbook["@Manggar"].iter_rows(values_only=True)]
    assert "Jalan rusak" in shown
