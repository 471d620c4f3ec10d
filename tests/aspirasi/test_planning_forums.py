"""Musrenbang forum records: minutes checked as PDF, carrying names the forum, paper support audited and kept
apart from app votes (issue 24)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from aspirasi.models import AuditEntry, CarriedProposal, Forum, Kelurahan, PaperSupport
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

FORUMS = "/api/v1/planning/forums/"


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cycle():
    return make_cycle(phase="deliberation")


@pytest.fixture
def manggar():
    return Kelurahan.objects.get(slug="manggar")


def _form(cycle, manggar, minutes: bytes, name="berita-acara.pdf"):
    return {
        "cycle": cycle.pk,
        "level": "kelurahan",
        "area": manggar.pk,
        "held_on": "2027-02-03",
        "place": "Aula Kelurahan Manggar",
        "attendance_men": 41,
        "attendance_women": 38,
        "attendance_disabled": 3,
        "delegates": ["Budi Santoso", "Siti Aminah"],
        "minutes": SimpleUploadedFile(name, minutes, content_type="application/pdf"),
    }


def test_planner_records_a_forum_with_pdf_minutes(as_planner, cycle, manggar):
    response = as_planner.post(FORUMS, _form(cycle, manggar, pdf_bytes()), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["area"] == {"id": manggar.pk, "name": "Manggar"}
    assert body["attendance"] == {"men": 41, "women": 38, "disabled": 3, "total": 79}
    assert body["delegates"] == ["Budi Santoso", "Siti Aminah"]
    assert body["minutes"].endswith(".pdf")
    again = as_planner.post(FORUMS, _form(cycle, manggar, pdf_bytes()), format="multipart")
    assert again.status_code == 409 and again.json()["code"] == "forum_exists"
    assert [f["id"] for f in as_planner.get(FORUMS, {"cycle": cycle.pk}).json()] == [body["id"]]


@pytest.mark.parametrize("content", [b"not a pdf at all", b"%PDF-1.7\n garbage without pages", b""])
def test_minutes_that_are_not_a_pdf_are_refused(as_planner, cycle, manggar, content, tmp_path):
    response = as_planner.post(FORUMS, _form(cycle, manggar, content), format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_minutes", "validation_error")
    assert not Forum.objects.exists()
    assert not list((tmp_path / "forums").glob("**/*.pdf")) if (tmp_path / "forums").exists() else True


def test_carrying_names_the_forum_of_the_level_below(as_planner, cycle, manggar):
    forum = Forum.objects.create(
        cycle=cycle, level="kelurahan", kelurahan=manggar, held_on="2027-02-03", place="Aula",
        attendance_men=1, attendance_women=1, attendance_disabled=0, minutes="forums/x.pdf",
    )  # fmt: skip
    proposal = ProposalFactory(cycle=cycle, kelurahan=manggar)
    elsewhere = ProposalFactory(cycle=cycle, kelurahan=Kelurahan.objects.get(slug="teritip"))
    carry = "/api/v1/planning/priorities/carry/"
    ok = as_planner.post(carry, {"proposal": proposal.pk, "level": "kecamatan", "rank": 1, "forum": forum.pk})
    assert ok.status_code == 201 and ok.json()["forum"] == forum.pk
    assert CarriedProposal.objects.get(proposal=proposal).forum == forum
    wrong = as_planner.post(carry, {"proposal": elsewhere.pk, "level": "kecamatan", "rank": 1, "forum": forum.pk})
    assert wrong.status_code == 409 and wrong.json()["code"] == "forum_mismatch"


def test_paper_support_is_audited_and_kept_apart_from_votes(as_planner, planner, cycle, manggar):
    forum = Forum.objects.create(
        cycle=cycle, level="kelurahan", kelurahan=manggar, held_on="2027-02-03", place="Aula",
        attendance_men=1, attendance_women=1, attendance_disabled=0, minutes="forums/x.pdf",
    )  # fmt: skip
    proposal = ProposalFactory(cycle=cycle, kelurahan=manggar, vote_count=4)
    url = f"{FORUMS}{forum.pk}/paper-support/"
    assert as_planner.put(url, {"proposal": proposal.pk, "count": 25}, format="json").status_code == 200
    assert as_planner.put(url, {"proposal": proposal.pk, "count": 27}, format="json").json()["count"] == 27
    proposal.refresh_from_db()
    assert proposal.vote_count == 4
    assert PaperSupport.objects.get().count == 27
    entries = AuditEntry.objects.filter(action="paper_support_entered", actor=planner).order_by("id")
    assert [(e.before["paper_support"], e.after["paper_support"]) for e in entries] == [(None, 25), (25, 27)]
