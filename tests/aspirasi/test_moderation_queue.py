"""The moderation queue: scoped by area, oldest first, filtered, paged, in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aspirasi.models import Flag, Proposal, ProposalStatus, ReportStatus
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, UserFactory, category, kelurahan

pytestmark = pytest.mark.django_db
URL = "/api/v1/moderation/queue/"


def _ids(response):
    return [(item["type"], item["id"]) for item in response.json()["results"]]


def _age(item, seconds):
    """Backdate an item (created_at is auto_now_add)."""
    type(item).objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))


def test_queue_lists_items_needing_a_decision_oldest_first(as_moderator, moderator_manggar):
    submitted = ProposalFactory(status=ProposalStatus.SUBMITTED)
    in_review = ProposalFactory(status=ProposalStatus.IN_REVIEW, claimed_by=moderator_manggar)
    report = ReportFactory()
    # Flagged past the threshold: public still, waiting for a moderator's decision on its flags.
    hidden = ProposalFactory(status=ProposalStatus.PUBLISHED, flag_review_requested_at=timezone.now())
    ProposalFactory(status=ProposalStatus.PUBLISHED)  # nothing to decide
    ProposalFactory(status=ProposalStatus.PUBLISHED, is_hidden=True)  # hidden by a decision: nothing to decide
    ProposalFactory(status=ProposalStatus.REJECTED)
    ReportFactory(status=ReportStatus.VERIFIED)
    for seconds, item in [(400, report), (300, submitted), (200, hidden), (100, in_review)]:
        _age(item, seconds)

    response = as_moderator.get(URL)

    assert response.status_code == 200
    assert _ids(response) == [
        ("report", report.pk),
        ("proposal", submitted.pk),
        ("proposal", hidden.pk),
        ("proposal", in_review.pk),
    ]
    first, *_rest, last = response.json()["results"]
    assert first["age_seconds"] >= 400
    assert first["vote_count"] is None and first["thumbnail"]
    assert last["claimed_by"] == {"id": moderator_manggar.pk, "display_name": "Moderator Manggar"}
    assert last["kelurahan"]["name"] == "Manggar"


def test_flagged_public_items_are_in_the_queue_with_their_flag_count(as_moderator):
    flagged = ProposalFactory(status=ProposalStatus.PUBLISHED)
    Flag.objects.create(proposal=flagged, flagger=UserFactory(), reason="spam")
    Flag.objects.create(proposal=flagged, flagger=UserFactory(), reason="spam", resolved_at=timezone.now())
    ProposalFactory(status=ProposalStatus.SUBMITTED)

    response = as_moderator.get(URL, {"flagged": "true"})

    assert _ids(response) == [("proposal", flagged.pk)]
    assert response.json()["results"][0]["flag_count"] == 1


def test_moderator_of_other_area_sees_nothing_of_manggar(as_other_moderator):
    ProposalFactory(status=ProposalStatus.SUBMITTED)
    ReportFactory()
    margasari = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("margasari"))

    response = as_other_moderator.get(URL)

    assert _ids(response) == [("proposal", margasari.pk)]


def test_kecamatan_moderator_covers_its_kelurahan_and_admin_sees_all(as_other_moderator, as_admin):
    baru_ilir = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("baru-ilir"))
    manggar = ProposalFactory(status=ProposalStatus.SUBMITTED)

    assert _ids(as_other_moderator.get(URL)) == [("proposal", baru_ilir.pk)]
    assert set(_ids(as_admin.get(URL))) == {("proposal", baru_ilir.pk), ("proposal", manggar.pk)}


def test_planner_reads_the_queue_resident_is_refused(as_planner, as_resident):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    assert _ids(as_planner.get(URL)) == [("proposal", proposal.pk)]
    response = as_resident.get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_queue_filters_by_type_area_and_category(as_admin):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    other_category = ProposalFactory(status=ProposalStatus.SUBMITTED, category=category("kesehatan"))
    elsewhere = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("margasari"))
    report = ReportFactory()
    manggar = kelurahan("manggar")

    assert _ids(as_admin.get(URL, {"type": "report"})) == [("report", report.pk)]
    assert ("proposal", elsewhere.pk) not in _ids(as_admin.get(URL, {"kelurahan": manggar.pk}))
    assert _ids(as_admin.get(URL, {"kecamatan": elsewhere.kelurahan.kecamatan_id})) == [("proposal", elsewhere.pk)]
    by_category = _ids(as_admin.get(URL, {"category": category("kesehatan").pk}))
    assert by_category == [("proposal", other_category.pk)]
    assert ("proposal", proposal.pk) in _ids(as_admin.get(URL, {"type": "proposal"}))


def test_bad_filters_are_validation_errors(as_admin):
    for params in ({"type": "vote"}, {"cursor": "not-a-cursor"}, {"limit": 0}, {"kelurahan": 999999}):
        response = as_admin.get(URL, params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "validation_error"


def test_cursor_pages_through_mixed_items_without_gaps_or_repeats(as_admin):
    moment = timezone.now() - timedelta(hours=1)
    proposals = ProposalFactory.create_batch(4, status=ProposalStatus.SUBMITTED)
    reports = ReportFactory.create_batch(3)
    # Equal timestamps: the cursor's (created_at, type, id) order must still split them exactly.
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(created_at=moment)
    type(reports[0]).objects.filter(pk__in=[r.pk for r in reports]).update(created_at=moment)

    seen, cursor = [], None
    for _page in range(10):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = as_admin.get(URL, params).json()
        seen += [(item["type"], item["id"]) for item in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    expected = [("proposal", p.pk) for p in proposals] + [("report", r.pk) for r in reports]
    assert seen == expected


def test_queue_query_count_does_not_grow_with_rows(as_moderator, moderator_manggar):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert as_moderator.get(URL, {"limit": 100}).status_code == 200
        return len(queries)

    ProposalFactory(status=ProposalStatus.SUBMITTED)
    ReportFactory()
    count_queries()  # the moderator is kept from here on (api/authentication.py)
    few = count_queries()
    ProposalFactory.create_batch(5, status=ProposalStatus.IN_REVIEW, claimed_by=moderator_manggar)
    flagged = ProposalFactory.create_batch(3, status=ProposalStatus.PUBLISHED)
    for proposal in flagged:
        Flag.objects.create(proposal=proposal, flagger=UserFactory(), reason="spam")
    ReportFactory.create_batch(4)
    assert count_queries() == few


def test_a_report_shows_its_working_day_deadline_in_the_queue_and_on_the_workbench(
    as_moderator, moderator_manggar, client
):
    report = ReportFactory()
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    due = timezone.now() + timedelta(hours=2)
    type(report).objects.filter(pk=report.pk).update(sla_stage="verification", sla_due_at=due)

    items = {item["type"]: item for item in as_moderator.get(URL).json()["results"]}

    assert items["report"]["sla"]["stage"] == "verification"
    assert items["report"]["sla"]["state"] == "due_soon"  # within SLA_DUE_SOON_HOURS
    assert items["proposal"]["sla"]["stage"] == "verification" and proposal.pk == items["proposal"]["id"]
    client.force_login(moderator_manggar)
    page = client.get("/admin/moderation/live/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "SLA segera jatuh tempo" in page and "sla-due_soon" in page
    # Verified, the report leaves the moderators' queue; resolved, it waits for no one (no deadline shown).
    type(report).objects.filter(pk=report.pk).update(status=ReportStatus.RESOLVED)
    assert as_moderator.get(f"/api/v1/reports/{report.pk}/").json()["sla"] is None
