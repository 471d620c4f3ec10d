"""Writers for the priorities export: CSV, XLSX, JSON and GeoJSON, in constant memory.

Every writer takes selectors.planning.priority_rows (rows streamed from a chunked database iterator)
and holds at most one chunk of rows: CSV, JSON and GeoJSON are generators of text chunks for a
StreamingHttpResponse or a file; XLSX uses openpyxl's write-only workbook, which spills rows to a
temporary file. JSON and GeoJSON write the API's explained rows; CSV and XLSX write the flat table rows
(PriorityRows.table(), no per-row dicts). Column headers follow the Musrenbang form, in Indonesian.
"""

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from aspirasi.selectors.planning import TABLE_FIELDS, TERMS, PriorityRows

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
}
STATUS_LABELS = {
    "published": "Dipublikasikan",
    "accepted": "Diterima",
    "in_progress": "Dalam pelaksanaan",
    "completed": "Selesai",
}

# Field of the export table (selectors.planning.TABLE_FIELDS, which holds the order of the Musrenbang
# form) -> (header, the same value from an explained row, for callers that pass the API's dicts).
_COLUMN_OF: dict[str, tuple[str, Callable[[dict], object]]] = {
    "rank": ("No. Prioritas", lambda r: r["rank"]),
    "title": ("Usulan/Kegiatan", lambda r: r["title"]),
    "pillar": ("Bidang (pilar)", lambda r: r["pillar"]["name_id"]),
    "kelurahan": ("Kelurahan", lambda r: r["kelurahan"]["name"]),
    "kecamatan": ("Kecamatan", lambda r: r["kecamatan"]["name"]),
    "rt_rw": ("RT/RW", lambda r: "/".join(p for p in (r["rt"], r["rw"]) if p)),
    "volume": ("Volume", lambda r: None if r["volume"] is None else float(r["volume"])),
    "unit": ("Satuan", lambda r: r["unit"]),
    "estimated_cost": ("Perkiraan Biaya", lambda r: r["estimated_cost"]),
    "opd": ("OPD Tujuan", lambda r: r["opd"] or ""),
    "vote_count": ("Jumlah Dukungan", lambda r: r["vote_count"]),
    "estimated_beneficiaries": ("Penerima Manfaat", lambda r: r["estimated_beneficiaries"]),
    "estimated_poor_households": ("Rumah Tangga Miskin", lambda r: r["estimated_poor_households"]),
    "score": ("Skor", lambda r: r["score"]),
    **{
        f"contribution_{term}": (TERM_HEADERS[term], lambda r, i=index: r["breakdown"][i]["contribution"])
        for index, term in enumerate(TERMS)
    },
    "status": ("Status", lambda r: STATUS_LABELS.get(r["status"], r["status"])),
    "carried_kecamatan": ("Peringkat Forum Kecamatan", lambda r: r["carried"]["kecamatan"]),
    "carried_city": ("Peringkat Forum Kota", lambda r: r["carried"]["city"]),
    "area": ("Wilayah", lambda r: r["area"]["name"]),
    "id": ("ID Usulan", lambda r: r["id"]),
}
COLUMNS: list[tuple[str, Callable[[dict], object]]] = [_COLUMN_OF[field] for field in TABLE_FIELDS]
HEADERS = [header for header, _value in COLUMNS]
COST_COLUMN = TABLE_FIELDS.index("estimated_cost")
AREA_COLUMN = TABLE_FIELDS.index("area")
CSV_CHUNK_ROWS = 1000  # about 200 KB of text per chunk


def export_filename(*, cycle_name: str | None, level: str, fmt: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", cycle_name or "tanpa-siklus").strip("-").lower()
    return f"prioritas-{slug}-{level}.{fmt}"


def row_values(row: dict) -> list:
    """An explained row's values in the table's column order."""
    return [value(row) for _header, value in COLUMNS]


def table_rows(rows: PriorityRows | Iterable[dict] | Iterable[Sequence]) -> Iterator[Sequence]:
    """The export table, one sequence per row in HEADERS' order: from PriorityRows.table() (no dicts), from
    explained dicts through row_values, or table rows passed through (e.g. counted by a progress bar)."""
    if isinstance(rows, PriorityRows):
        return rows.table(status_labels=STATUS_LABELS)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return iter(())
    rows = itertools.chain((first,), rows)
    return map(row_values, rows) if isinstance(first, dict) else rows


# --- text formats ------------------------------------------------------------------------------------


def csv_chunks(rows: PriorityRows | Iterable[dict] | Iterable[Sequence]) -> Iterator[str]:
    """CSV text with a BOM (so spreadsheet programs read UTF-8): the header, then CSV_CHUNK_ROWS rows per
    chunk (a chunk per row cost a generator step and a write per row). csv.writer writes None as an empty
    field and a float as repr() (1.0, 0.12)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    yield buffer.getvalue()
    table = table_rows(rows)
    while True:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(itertools.islice(table, CSV_CHUNK_ROWS))
        if not buffer.tell():
            return
        yield buffer.getvalue()


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
    rows: PriorityRows | Iterable[dict] | Iterable[Sequence],
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
        values = list(row)
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
        sheet.append([name, count, votes, beneficiaries, cost_cell])
    if per_pillar:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Jumlah usulan dan dukungan per pilar"
        last = len(per_pillar) + 1
        chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        chart.height, chart.width = 10, 20
        sheet.add_chart(chart, "G2")


def xlsx_bytes(
    rows: PriorityRows | Iterable[dict] | Iterable[Sequence],
    *,
    totals: list[dict],
    sheets: str = "area",
    level_title: str = "",
) -> bytes:
    """The workbook in memory; for tests and small exports (streaming callers pass a file to xlsx_write)."""
    buffer = io.BytesIO()
    xlsx_write(rows, totals=totals, target=buffer, sheets=sheets, level_title=level_title)
    return buffer.getvalue()
