"""The T-D.4 export (Permendagri 86/2017) of the shortlist and the carried list: the table's column order,
empty where we hold no value, formula-safe, CSV and XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from aspirasi import exports
from aspirasi.models import AreaBudget, CarriedProposal, Forum, Kelurahan
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

URL = "/api/v1/planning/exports/td4/"


@pytest.fixture
def world():
    manggar = Kelurahan.objects.get(slug="manggar")
    cycle = make_cycle(phase="deliberation")
    AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=manggar, amount=100, source="apbd")
    forum = Forum.objects.create(
        cycle=cycle, level="kelurahan", kelurahan=manggar, held_on="2027-02-03", place="Aula Manggar",
        attendance_men=10, attendance_women=12, attendance_disabled=1, minutes="forums/x.pdf",
    )  # fmt: skip
    fits = ProposalFactory(cycle=cycle, kelurahan=manggar, title="=HYPERLINK(1)", estimated_cost=60, vote_count=5)
    ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=90, vote_count=1)
    CarriedProposal.objects.create(proposal=fits, level="kecamatan", rank=1, forum=forum)
    return cycle, fits


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_shortlist_in_td4_column_order_and_formula_safe(as_planner, world):
    cycle, _fits = world
    response = as_planner.get(URL, {"cycle": cycle.pk, "list": "shortlist"})
    assert response.status_code == 200
    header, *rows = _csv(response)
    assert header == exports.TD4_HEADERS
    assert rows == [
        ["1", "Pendidikan & Pelatihan Keterampilan", "", "", "'=HYPERLINK(1)", "", "Manggar", "20 peserta", "60", ""]
    ]


def test_carried_list_names_its_forum_in_xlsx(as_planner, world):
    cycle, _fits = world
    response = as_planner.get(URL, {"cycle": cycle.pk, "list": "carried", "level": "kecamatan", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["T-D.4"]
    header, row = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == exports.TD4_HEADERS + exports.TD4_FORUM_HEADERS
    # a text cell, shown as written, never evaluated
    assert row[4] == "=HYPERLINK(1)" and sheet.cell(row=2, column=5).data_type == "s"
    assert row[10] == "Musrenbang Kelurahan Manggar"
    assert row[11].date().isoformat() == "2027-02-03"
    assert row[12:] == ["Aula Manggar", 10, 12, 1]


def test_residents_cannot_export(as_resident, world):
    assert as_resident.get(URL, {"list": "shortlist"}).status_code == 403
