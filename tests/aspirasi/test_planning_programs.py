import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from aspirasi.models import Category, Opd, Program, ProposalStatus, ProposalStatusEvent
from aspirasi.services.planning import program_set_progress, program_update_create
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def program():
    opd = Opd.objects.first() or Opd.objects.create(slug="dinas-pendidikan", name="Dinas Pendidikan")
    return Program.objects.create(
        name="Pelatihan menjahit 2027",
        opd=opd,
        category=Category.objects.get(slug="pendidikan"),
        cycle=make_cycle(phase="closed"),
        budget=150_000_000,
        period_start="2027-01-01",
        period_end="2027-12-31",
    )


def link(client, program, proposal):
    return client.post(f"/api/v1/planning/programs/{program.pk}/proposals/", {"proposal": proposal.pk})


def test_linking_a_published_proposal_accepts_it_with_a_timeline_entry(as_planner, program):
    proposal = ProposalFactory()
    response = link(as_planner, program, proposal)
    assert response.status_code == 201, response.json()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.program == program
    event = ProposalStatusEvent.objects.get(proposal=proposal)
    assert (event.from_status, event.to_status, event.actor_role) == ("published", "accepted", "planner")


def test_only_planners_link_and_only_public_proposals_can_be_linked(as_planner, as_resident, as_moderator, program):
    proposal = ProposalFactory()
    assert link(as_resident, program, proposal).status_code == 403
    assert link(as_moderator, program, proposal).status_code == 403
    draft = ProposalFactory(status=ProposalStatus.SUBMITTED)
    assert link(as_planner, program, draft).status_code == 400
    rejected = ProposalFactory(status=ProposalStatus.MERGED, merged_into=proposal)
    response = link(as_planner, program, rejected)
    assert response.status_code == 409 and response.json()["code"] == "not_linkable"
    assert as_planner.post("/api/v1/planning/programs/999999/proposals/", {"proposal": proposal.pk}).status_code == 404


def test_program_status_moves_linked_proposals(planner, program):
    proposal = ProposalFactory(status=ProposalStatus.ACCEPTED, program=program)
    program_set_progress(program=program, actor=planner, status="running", progress_percent=40)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.IN_PROGRESS
    program_update_create(program=program, day="2027-12-01", note="Selesai", actor=planner, status="done")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.COMPLETED
    assert Program.objects.get(pk=program.pk).status == "done"


def test_progress_outside_0_to_100_is_refused_by_the_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(progress_percent=101)


def test_public_program_detail_shows_updates_and_public_proposals(api, planner, program):
    public = ProposalFactory(status=ProposalStatus.ACCEPTED, program=program)
    ProposalFactory(status=ProposalStatus.SUBMITTED, program=program)
    program_update_create(
        program=program, day="2027-03-01", note="Peserta terdaftar", actor=planner, progress_percent=10
    )
    body = api.get(f"/api/v1/programs/{program.pk}/").json()
    assert body["name"] == program.name and body["progress_percent"] == 10
    assert [u["note"] for u in body["updates"]] == ["Peserta terdaftar"]
    assert [p["id"] for p in body["proposals"]] == [public.pk]
    assert body["proposal_count"] == 1
    assert api.get("/api/v1/programs/999999/").json()["code"] == "not_found"


def test_residents_follow_their_proposal_to_its_program(api, program):
    proposal = ProposalFactory(status=ProposalStatus.ACCEPTED, program=program)
    other = ProposalFactory()
    assert [p["id"] for p in api.get("/api/v1/programs/", {"proposal": proposal.pk}).json()] == [program.pk]
    assert api.get("/api/v1/programs/", {"proposal": other.pk}).json() == []


def test_program_list_query_count_is_constant(api, program):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/programs/").status_code == 200
        return len(captured)

    before = queries()
    for index in range(4):
        Program.objects.create(
            name=f"Program {index}",
            opd=program.opd,
            category=program.category,
            budget=1,
            period_start="2027-01-01",
            period_end="2027-02-01",
        )
    assert queries() == before
    assert len(api.get("/api/v1/programs/").json()) == 5


def test_proposal_shows_the_program_it_became(api):
    from aspirasi.models import Opd
    from aspirasi.models.planning import Program
    from tests.factories import ProposalFactory

    program = Program.objects.create(
        name="Kelas menjahit Manggar",
        opd=Opd.objects.get(slug="dkumkmp"),
        category_id=1,
        budget=50_000_000,
        period_start="2027-01-01",
        period_end="2027-12-31",
        progress_percent=40,
    )
    proposal = ProposalFactory(status="accepted", program=program)
    body = api.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert body["program"] == {
        "id": program.pk,
        "name": "Kelas menjahit Manggar",
        "status": "planned",
        "progress_percent": 40,
    }
    assert api.get("/api/v1/proposals/").json()["results"][0]["program"]["id"] == program.pk


def test_progress_notes_reach_authors_and_voters_of_linked_proposals(resident, other_resident):
    import datetime

    from aspirasi.models import Opd
    from aspirasi.models.planning import Program
    from aspirasi.services.planning import program_update_create
    from notifications.models import Notification
    from tests.factories import ProposalFactory, UserFactory, VoteFactory

    program = Program.objects.create(
        name="Posyandu Teritip",
        opd=Opd.objects.get(slug="dinkes"),
        category_id=1,
        budget=10_000_000,
        period_start="2027-01-01",
        period_end="2027-12-31",
    )
    proposal = ProposalFactory(author=resident, status="accepted", program=program)
    VoteFactory(proposal=proposal, voter=other_resident)
    ProposalFactory(author=UserFactory(), status="accepted")  # not linked: hears nothing

    program_update_create(
        program=program, day=datetime.date(2027, 3, 1), note="Gedung selesai.", actor=None, progress_percent=40
    )
    program_update_create(program=program, day=datetime.date(2027, 4, 1), note="Kader dilatih.", actor=None)

    notes = Notification.objects.filter(kind="program_progress")
    assert {n.recipient_id for n in notes} == {resident.pk, other_resident.pk}
    assert notes.count() == 4
    latest = notes.filter(recipient=resident).order_by("-id").first()
    assert "40%" in latest.body and "Kader dilatih." in latest.body  # Indonesian by default: "40% selesai"
