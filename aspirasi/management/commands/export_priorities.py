"""Export a cycle's ranked priorities as CSV, XLSX, JSON or GeoJSON, streamed with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from aspirasi import exports
from aspirasi.models import Cycle, Level
from aspirasi.selectors.planning import priority_rows, priority_totals
from aspirasi.services.cycles import cycle_current


class Command(BaseCommand):
    help = "Export ranked priorities (docs/planning.md). Rows stream from the database in chunks of 2,000."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="Cycle id (default: the current cycle)")
        parser.add_argument("--level", choices=[c for c, _label in Level.choices], default=Level.KELURAHAN)
        parser.add_argument("--format", choices=exports.FORMATS, default="xlsx")
        parser.add_argument("--sheets", choices=["area", "level"], default="area", help="XLSX only")
        parser.add_argument("--output", required=True, help="File to write")
        parser.add_argument("--quiet", action="store_true", help="No progress bar")

    def handle(self, *args, cycle=None, level, format, sheets, output, quiet=False, **options):
        if cycle is not None:
            try:
                cycle = Cycle.objects.get(pk=cycle)
            except Cycle.DoesNotExist:
                raise CommandError(f"No cycle with id {cycle}") from None
        else:
            cycle = cycle_current()
        filters = {"cycle": cycle, "level": level}
        totals = priority_totals(**filters)
        bar = tqdm(total=sum(t["count"] for t in totals), unit="usulan", disable=quiet, file=self.stderr)
        rows = priority_rows(**filters)
        # CSV and XLSX count the flat table rows, so they keep the fast path (no per-row dicts).
        rows = self._counted(exports.table_rows(rows) if format in ("csv", "xlsx") else rows, bar)
        if format == "xlsx":
            with open(output, "wb") as target:
                count = exports.xlsx_write(rows, totals=totals, target=target, sheets=sheets, level_title=level)
        else:
            if format == "csv":
                chunks = exports.csv_chunks(rows)
            elif format == "geojson":
                chunks = exports.geojson_chunks(rows)
            else:
                chunks = exports.json_chunks(rows, meta={"cycle": cycle.name if cycle else None, "level": level})
            with open(output, "w", encoding="utf-8", newline="") as target:
                for chunk in chunks:
                    target.write(chunk)
            count = bar.n
        bar.close()
        if not quiet:
            self.stdout.write(f"{count} rows written to {output}")

    @staticmethod
    def _counted(rows, bar):
        for row in rows:
            bar.update(1)
            yield row
