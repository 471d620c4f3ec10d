"""Writers for the priorities export: CSV, XLSX, JSON and GeoJSON, in constant memory.

Every writer takes selectors.planning.priority_rows (rows streamed from a chunked database iterator)
and holds at most one chunk of rows: CSV, JSON and GeoJSON are generators of text chunks for a
StreamingHttpResponse or a file; XLSX uses openpyxl's write-only workbook, which spills rows to a
temporary file. JSON and GeoJSON write the API's explained rows; CSV and XLSX tabulate the rows as read
(`table_row`, no per-row dicts). Column headers follow the Musrenbang form, in Indonesian.

No text reaches a spreadsheet as a formula (docs/planning.md, "Formulas"): in CSV a text cell that starts
with a formula trigger gets a leading quote; in XLSX every text is a string cell, shown as written.
"""

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from aspirasi.models import Level
from aspirasi.selectors.planning import CITY_NAME, TERMS, PriorityRows

FORMATS = ("csv", "xlsx", "json", "geojson")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
}
RUPIAH_FORMAT = '"Rp" #,##0'

# Contribution of each score term, in points of the 0-100 score.
TERM_HEADERS = {
    "support": "Skor Dukungan",
    "beneficiaries": "Skor Penerima Manfaat",
    "poor_households": "Skor Rumah Tangga Miskin",
    "pillar": "Skor Bobot Pilar",
    "need": "Skor Kebutuhan Kelurahan",
    "cost": "Skor Biaya per Penerima",
    "ballot": "Skor Pilihan Anggaran",
}
STATUS_LABELS = {
    "published": "Dipublikasikan",
    "accepted": "Diterima",
    "in_progress": "Dalam pelaksanaan",
    "completed": "Selesai",
}

# The columns of the Musrenbang form, in its order; table_row gives a row's values in the same order.
HEADERS = [
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
    *(TERM_HEADERS[term] for term in TERMS),
    "Status",
    "Peringkat Forum Kecamatan",
    "Peringkat Forum Kota",
    "Wilayah",
    "ID Usulan",
]
COST_COLUMN = HEADERS.index("Perkiraan Biaya")
AREA_COLUMN = HEADERS.index("Wilayah")
CSV_CHUNK_ROWS = 1000  # about 200 KB of text per chunk

# A spreadsheet evaluates a CSV cell that starts with one of these (OWASP, CSV injection). Only text is
# neutralised: the numbers we write (counts, rupiah, scores, a negative float) are ints and floats, never str.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def export_filename(*, cycle_name: str | None, level: str, fmt: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", cycle_name or "tanpa-siklus").strip("-").lower()
    return f"prioritas-{slug}-{level}.{fmt}"


def table_rows(rows: PriorityRows | Iterable[Sequence]) -> Iterator[Sequence]:
    """The export table, one tuple per row in HEADERS' order; table rows already made pass through (e.g.
    counted by a progress bar)."""
    if not isinstance(rows, PriorityRows):
        return iter(rows)
    weights = rows.weights
    total = sum(weights.values()) or 1.0
    factors = [(f"t_{term}", 100.0 * weights[term]) for term in TERMS]
    area = {Level.KELURAHAN: "kelurahan__name", Level.KECAMATAN: "kelurahan__kecamatan__name"}.get(rows.level)
    return (table_row(row, factors=factors, total=total, area=area) for row in rows.rows())


def table_row(row, *, factors: list[tuple[str, float]], total: float, area: str | None) -> tuple:
    """A PriorityRow's values in HEADERS' order, as priority_explain gives them: None where a field is
    empty, volume a float, score and contributions rounded with Python's round() (SQL's ROUND() rounds ties
    away from zero, so its text would differ in the last place: tests/aspirasi/test_planning_exports.py)."""
    rt, rw = row.rt, row.rw
    return (
        row.rank,
        row.title,
        row.category__name_id,
        row.kelurahan__name,
        row.kelurahan__kecamatan__name,
        f"{rt}/{rw}" if rt and rw else rt or rw or "",
        None if row.volume is None else float(row.volume),
        row.unit,
        row.estimated_cost,
        row.opd__name or "",
        row.vote_count,
        row.estimated_beneficiaries,
        row.estimated_poor_households,
        round(float(row.score or 0.0), 2),
        *(round(factor * float(getattr(row, field) or 0.0) / total, 2) for field, factor in factors),
        STATUS_LABELS.get(row.status, row.status),
        row.carried_kecamatan,
        row.carried_city,
        getattr(row, area) if area else CITY_NAME,
        row.id,
    )


# --- text formats ------------------------------------------------------------------------------------


def csv_chunks(rows: PriorityRows | Iterable[Sequence]) -> Iterator[str]:
    """CSV text with a BOM (so spreadsheet programs read UTF-8): the header, then CSV_CHUNK_ROWS rows per
    chunk (a chunk per row cost a generator step and a write per row). csv.writer writes None as an empty
    field and a float as repr() (1.0, 0.12)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    yield buffer.getvalue()
    table = map(_csv_inert, table_rows(rows))
    while True:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(itertools.islice(table, CSV_CHUNK_ROWS))
        if not buffer.tell():
            return
        yield buffer.getvalue()


def _csv_inert(row: Sequence) -> list:
    """The row with a quote before every text that a spreadsheet would read as a formula: `'=1+1` shows as
    the text `=1+1` (OWASP's advice); other values as they are."""
    return [("'" + value) if type(value) is str and value.startswith(FORMULA_TRIGGERS) else value for value in row]


def json_chunks(rows: Iterable[dict], *, meta: dict) -> Iterator[str]:
    """{"meta": ..., "results": [...]} with `results` the API's rows, written one row at a time."""
    head = json.dumps(meta, ensure_ascii=False, default=str)
    yield '{"meta": ' + head + ', "results": ['
    separator = ""
    for row in rows:
        yield separator + json.dumps(row, ensure_ascii=False, default=str)
        separator = ","
    yield "]}"


def geojson_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """A FeatureCollection of the rows that have a point; properties are the API's row without lat/lon."""
    yield '{"type": "FeatureCollection", "features": ['
    separator = ""
    for row in rows:
        if row["latitude"] is None or row["longitude"] is None:
            continue
        properties = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
        feature = {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": properties,
        }
        yield separator + json.dumps(feature, ensure_ascii=False, default=str)
        separator = ","
    yield "]}"


# --- XLSX --------------------------------------------------------------------------------------------

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("-", name)[:28] or "Sheet"
    title, number = base, 2
    while title.lower() in used:
        title = f"{base[:25]} ({number})"
        number += 1
    used.add(title.lower())
    return title


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    """A string cell, whatever the text looks like: openpyxl would write `=...` as a formula and `#N/A` as an
    error. Characters XML cannot hold (C0 controls other than tab and line breaks) are dropped: openpyxl
    refuses them, and one of them in a title would fail the whole export."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = TYPE_STRING
    return cell


def _new_sheet(workbook: Workbook, title: str, used: set[str]):
    sheet = workbook.create_sheet(_sheet_title(title, used))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def xlsx_write(
    rows: PriorityRows | Iterable[Sequence],
    *,
    totals: list[dict],
    target: IO[bytes],
    sheets: str = "area",
    level_title: str = "",
) -> int:
    """Write the rows as an XLSX workbook to `target`: one sheet per area (`sheets="area"`) or one for the
    level (`sheets="level"`), then "Ringkasan" with totals per pillar and their bar chart. Returns the row count."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    sheet, sheet_key, count = None, object(), 0
    for row in table_rows(rows):
        key = row[AREA_COLUMN] if sheets == "area" else level_title
        if sheet is None or key != sheet_key:
            sheet, sheet_key = _new_sheet(workbook, key or "Prioritas", used), key
        values = [_text_cell(sheet, value) if isinstance(value, str) else value for value in row]
        cost = WriteOnlyCell(sheet, value=values[COST_COLUMN])
        cost.number_format = RUPIAH_FORMAT
        values[COST_COLUMN] = cost
        sheet.append(values)
        count += 1
    if sheet is None:
        _new_sheet(workbook, level_title or "Prioritas", used)
    _summary_sheet(workbook, totals, used)
    workbook.save(target)
    return count


def _summary_sheet(workbook: Workbook, totals: list[dict], used: set[str]) -> None:
    per_pillar: dict[str, list[int]] = {}
    for total in totals:
        sums = per_pillar.setdefault(total["pillar"]["name_id"], [0, 0, 0, 0])
        sums[0] += total["count"]
        sums[1] += total["votes"]
        sums[2] += total["beneficiaries"]
        sums[3] += total["estimated_cost"]
    sheet = workbook.create_sheet(_sheet_title("Ringkasan", used))
    sheet.freeze_panes = "A2"
    sheet.append(["Bidang (pilar)", "Jumlah Usulan", "Jumlah Dukungan", "Penerima Manfaat", "Perkiraan Biaya"])
    for name, (count, votes, beneficiaries, cost) in per_pillar.items():
        cost_cell = WriteOnlyCell(sheet, value=cost)
        cost_cell.number_format = RUPIAH_FORMAT
        sheet.append([_text_cell(sheet, name), count, votes, beneficiaries, cost_cell])
    if per_pillar:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Jumlah usulan dan dukungan per pilar"
        last = len(per_pillar) + 1
        chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        chart.height, chart.width = 10, 20
        sheet.add_chart(chart, "G2")


# --- T-D.4 (Permendagri 86/2017): the shortlist and the carried list ------------------------------------

TD4_HEADERS = [
    "No. Prioritas",
    "Prioritas Daerah",
    "Sasaran Daerah",
    "Program",
    "Kegiatan",
    "Sasaran Kegiatan",
    "Lokasi (Kelurahan)",
    "Volume",
    "Pagu Indikatif",
    "PD Penanggung Jawab",
]
# The carried list adds the forum that decided each carry, after the table's own columns.
TD4_FORUM_HEADERS = [
    "Forum Musrenbang",
    "Tanggal Forum",
    "Tempat Forum",
    "Hadir Laki-laki",
    "Hadir Perempuan",
    "Hadir Penyandang Disabilitas",
]
TD4_PAGU_COLUMN = TD4_HEADERS.index("Pagu Indikatif")


def td4_filename(*, cycle_name: str, which: str, level: str, fmt: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", cycle_name).strip("-").lower()
    return f"td4-{which}-{slug}-{level}.{fmt}"


def td4_headers(which: str) -> list[str]:
    return TD4_HEADERS + (TD4_FORUM_HEADERS if which == "carried" else [])


def td4_csv_chunks(rows: Iterable[Sequence], *, which: str) -> Iterator[str]:
    """The T-D.4 table as CSV (with a BOM), formula-safe as every export (`_csv_inert`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(td4_headers(which))
    writer.writerows(_csv_inert([v.isoformat() if hasattr(v, "isoformat") else v for v in row]) for row in rows)
    yield buffer.getvalue()


def td4_xlsx_write(rows: Iterable[Sequence], *, which: str, target: IO[bytes]) -> None:
    """The T-D.4 table as one XLSX sheet: text as string cells (never a formula), pagu in rupiah."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("T-D.4")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in td4_headers(which):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values = [_text_cell(sheet, value) if isinstance(value, str) else value for value in row]
        pagu = WriteOnlyCell(sheet, value=row[TD4_PAGU_COLUMN])
        pagu.number_format = RUPIAH_FORMAT
        values[TD4_PAGU_COLUMN] = pagu
        sheet.append(values)
    workbook.save(target)
