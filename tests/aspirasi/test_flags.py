"""Residents flag public items once; enough distinct flaggers hide the item until a moderator reviews it."""

import pytest

from aspirasi.models import Flag, ProposalStatus, ReportStatus
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


def test_bad_reason_unpublished_item_anonymous_and_missing_item(as_resident, api):
    published = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert flag(as_resident, published, reason="ugly").json()["code"] == "validation_error"
    submitted = ProposalFactory(status=ProposalStatus.SUBMITTED)
    assert flag(as_resident, submitted).json()["code"] == "not_flaggable"
    assert flag(api, published).status_code == 401
    assert as_resident.post("/api/v1/proposals/999999/flags/", {"reason": "spam"}).status_code == 404


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
    assert flag(as_resident, new_report, kind="reports").json()["code"] == "not_flaggable"
