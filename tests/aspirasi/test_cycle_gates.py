"""The cycle's phase gates the residents' API: submit, edit and vote each only in their phases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from aspirasi.models import Cycle, Proposal, ProposalStatus, VoteScope
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


# The vote keeps the current cycle per process under the cycles' version, which a trigger moves
# (services/cycles.py, migration 0028): a change made without any service reaches the next vote.


def _vote(client, proposal):
    return client.post(f"/api/v1/proposals/{proposal.pk}/vote/")


def _withdraw(client, proposal):
    return client.delete(f"/api/v1/proposals/{proposal.pk}/vote/")


def test_a_phase_changed_by_hand_reaches_the_next_vote(as_resident):
    cycle = make_cycle(phase="voting")
    proposal = ProposalFactory(cycle=cycle)
    assert _vote(as_resident, proposal).status_code == 201  # the cycle is now kept
    dates = ["submission_starts_on", "review_starts_on", "voting_starts_on", "deliberation_starts_on", "closes_on"]
    Cycle.objects.filter(pk=cycle.pk).update(**{name: F(name) - timedelta(days=10) for name in dates})
    assert _withdraw(as_resident, proposal).json()["code"] == "voting_closed_phase"  # deliberation now
    with connection.cursor() as cursor:  # a raw fix puts the dates back
        assignments = ", ".join(f"{name} = %s" for name in dates)
        cursor.execute(
            f"UPDATE aspirasi_cycle SET {assignments} WHERE id = %s",  # noqa: S608 - the names above
            [getattr(cycle, name) for name in dates] + [cycle.pk],
        )
    assert _withdraw(as_resident, proposal).status_code == 200


def test_a_cycle_created_or_deleted_by_hand_reaches_the_next_vote(as_resident):
    proposal = ProposalFactory()
    assert _vote(as_resident, proposal).status_code == 201  # no cycle: allowed, and kept so
    make_cycle(phase="review")
    assert _withdraw(as_resident, proposal).json()["code"] == "voting_closed_phase"
    Cycle.objects.all().delete()
    assert _withdraw(as_resident, proposal).status_code == 200


def test_the_cycle_kept_for_a_day_is_read_again_the_next_day(as_resident, monkeypatch):
    cycle = make_cycle(phase="voting")
    proposal = ProposalFactory(cycle=cycle)
    assert _vote(as_resident, proposal).status_code == 201
    deliberation = cycle.deliberation_starts_on
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: deliberation)  # the day voting ends
    assert _withdraw(as_resident, proposal).json()["code"] == "voting_closed_phase"


def test_a_vote_scope_changed_by_hand_reaches_the_next_vote(as_resident):
    cycle = make_cycle(phase="voting")
    elsewhere = ProposalFactory(cycle=cycle, kelurahan=kelurahan("margasari"))
    assert _vote(as_resident, elsewhere).status_code == 201
    assert _withdraw(as_resident, elsewhere).status_code == 200
    Cycle.objects.filter(pk=cycle.pk).update(vote_scope=VoteScope.KELURAHAN)
    assert _vote(as_resident, elsewhere).json()["code"] == "vote_out_of_scope"
