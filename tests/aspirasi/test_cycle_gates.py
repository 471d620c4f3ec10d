"""The cycle's phase gates the residents' API: submit, edit and vote each only in their phases."""

import pytest

from aspirasi.models import Proposal, ProposalStatus
from tests.aspirasi.planning_fixtures import make_cycle
from tests.factories import ProposalFactory, VoteFactory, category, kelurahan

pytestmark = pytest.mark.django_db


def _submit(client):
    return client.post(
        "/api/v1/proposals/",
        {
            "title": "Pelatihan barista untuk pemuda",
            "description": "Kelas barista tiga bulan bagi pemuda putus sekolah di Manggar.",
            "category": category().id,
            "kelurahan": kelurahan("manggar").id,
        },
        format="json",
    )


def test_submission_phase_accepts_and_files_into_the_cycle(as_resident):
    cycle = make_cycle(phase="submission")
    response = _submit(as_resident)
    assert response.status_code == 201, response.json()
    assert Proposal.objects.get(pk=response.json()["id"]).cycle == cycle


@pytest.mark.parametrize("phase", ["review", "voting", "deliberation", "closed"])
def test_submitting_outside_the_submission_phase_is_refused(as_resident, phase):
    make_cycle(phase=phase)
    response = _submit(as_resident)
    assert response.status_code == 409
    assert response.json()["code"] == "submission_closed"
    assert not Proposal.objects.exists()


def test_editing_after_review_is_refused(as_resident, resident):
    make_cycle(phase="voting")
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    response = as_resident.patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Judul baru"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "editing_closed"


@pytest.mark.parametrize("phase", ["submission", "review", "deliberation", "closed"])
def test_voting_outside_the_voting_phase_is_refused(as_resident, phase):
    cycle = make_cycle(phase=phase)
    proposal = ProposalFactory(cycle=cycle)
    for method in ("post", "delete"):
        response = getattr(as_resident, method)(f"/api/v1/proposals/{proposal.pk}/vote/")
        assert response.status_code == 409
        assert response.json()["code"] == "voting_closed_phase"


def test_budget_is_per_cycle(as_resident, resident, settings):
    settings.VOTE_BUDGET = 1
    old = make_cycle(phase="closed", name="Musrenbang 2026")
    VoteFactory(voter=resident, proposal=ProposalFactory(cycle=old))  # an old cycle's vote, still published
    current = make_cycle(phase="voting", name="Musrenbang 2027")
    first, second = ProposalFactory(cycle=current), ProposalFactory(cycle=current)
    assert as_resident.post(f"/api/v1/proposals/{first.pk}/vote/").status_code == 201
    response = as_resident.post(f"/api/v1/proposals/{second.pk}/vote/")
    assert response.status_code == 409
    assert response.json()["code"] == "vote_budget_exhausted"
