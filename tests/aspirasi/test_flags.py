"""Residents flag public items once; enough distinct flaggers hide the item until a moderator reviews it."""

import pytest

from aspirasi.errors import NotAResident
from aspirasi.models import Flag, ProposalStatus, ReportStatus
from aspirasi.services.flags import proposal_flag
from tests.aspirasi.factories_moderation import ReportFactory
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def flag(client, item, kind="proposals", **body):
    return client.post(f"/api/v1/{kind}/{item.pk}/flags/", {"reason": "spam", **body}, format="json")


def test_resident_flags_a_public_proposal(as_resident, resident):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    response = flag(as_resident, proposal, reason="offensive", message="Kata kasar")
    assert response.status_code == 201
    assert response.json()["reason"] == "offensive"
    assert Flag.objects.get().flagger == resident


def test_flagging_twice_is_already_flagged(as_resident):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert flag(as_resident, proposal).status_code == 201
    response = flag(as_resident, proposal, reason="duplicate")
    assert response.status_code == 409 and response.json()["code"] == "already_flagged"
    assert Flag.objects.count() == 1


def test_bad_reason_anonymous_and_missing_item(as_resident, api):
    published = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert flag(as_resident, published, reason="ugly").json()["code"] == "validation_error"
    assert flag(api, published).status_code == 401
    assert as_resident.post("/api/v1/proposals/999999/flags/", {"reason": "spam"}).status_code == 404


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    "kind, make",
    [
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.SUBMITTED)),
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.IN_REVIEW)),
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.REJECTED)),
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.PUBLISHED, is_hidden=True)),
        ("reports", lambda: ReportFactory(status=ReportStatus.NEW)),
        ("reports", lambda: ReportFactory(status=ReportStatus.VERIFIED, is_hidden=True)),
    ],
)
def test_an_item_that_is_not_public_is_answered_as_a_missing_one(resident, kind, make, language):
    """Nothing tells a flagger that a hidden or unpublished item exists: the same 404 as a missing id."""
    client = client_for(resident, language=language)
    not_public = flag(client, make(), kind=kind)
    absent = client.post(f"/api/v1/{kind}/999999/flags/", {"reason": "spam"}, format="json")
    assert not_public.status_code == absent.status_code == 404
    assert not_public.json() == absent.json() == {"code": "not_found", "message": absent.json()["message"]}
    assert Flag.objects.count() == 0


def test_a_merged_proposal_is_public_but_not_flaggable(as_resident):
    target = ProposalFactory(status=ProposalStatus.PUBLISHED)
    merged = ProposalFactory(status=ProposalStatus.MERGED, merged_into=target)
    response = flag(as_resident, merged)
    assert response.status_code == 409 and response.json()["code"] == "not_flaggable"


@pytest.mark.parametrize("staff", ["moderator_manggar", "moderator_barat", "planner", "admin_user"])
@pytest.mark.parametrize("kind", ["proposals", "reports"])
def test_only_residents_flag(request, staff, kind):
    if kind == "proposals":
        item = ProposalFactory(status=ProposalStatus.PUBLISHED)
    else:
        item = ReportFactory(status=ReportStatus.VERIFIED)
    response = flag(client_for(request.getfixturevalue(staff)), item, kind=kind)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Flag.objects.count() == 0


def test_staff_cannot_flag_through_the_service_either(planner):
    with pytest.raises(NotAResident):
        proposal_flag(proposal=ProposalFactory(status=ProposalStatus.PUBLISHED), flagger=planner, reason="spam")


def test_threshold_of_distinct_flaggers_hides_the_item(settings, as_resident):
    settings.FLAG_HIDE_THRESHOLD = 3
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    flag(as_resident, proposal)
    flag(client_for(UserFactory()), proposal)
    proposal.refresh_from_db()
    assert not proposal.is_hidden

    flag(client_for(UserFactory()), proposal)

    proposal.refresh_from_db()
    assert proposal.is_hidden and proposal.status == "published"


def test_hidden_item_is_back_in_queue_and_publish_clears_it(settings, as_moderator):
    settings.FLAG_HIDE_THRESHOLD = 1
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    flag(client_for(UserFactory()), proposal)

    queue = as_moderator.get("/api/v1/moderation/queue/").json()["results"]
    assert [(i["id"], i["is_hidden"], i["flag_count"]) for i in queue] == [(proposal.pk, True, 1)]

    as_moderator.post(f"/api/v1/moderation/proposals/{proposal.pk}/decision/", {"action": "publish"})

    proposal.refresh_from_db()
    assert not proposal.is_hidden
    assert as_moderator.get("/api/v1/moderation/queue/").json()["results"] == []
    # Resolved flags no longer count: a single new flag does not re-hide past the threshold of 2.
    settings.FLAG_HIDE_THRESHOLD = 2
    flag(client_for(UserFactory()), proposal)
    proposal.refresh_from_db()
    assert not proposal.is_hidden


def test_reports_are_flagged_and_hidden_too(settings, as_resident):
    settings.FLAG_HIDE_THRESHOLD = 1
    report = ReportFactory(status=ReportStatus.VERIFIED)
    assert flag(as_resident, report, kind="reports").status_code == 201
    report.refresh_from_db()
    assert report.is_hidden
    new_report = ReportFactory()
    assert flag(as_resident, new_report, kind="reports").json()["code"] == "not_found"
