"""Pending proposals are on the verification clock like new reports (issue #23): SLA_VERIFICATION_DAYS
working days from their submission, shown in the moderation queue and on the workbench, escalated by the
task worker once overdue."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aspirasi import sla
from aspirasi.models import CalendarDay, CalendarDayKind, Escalation, Flag, Proposal, ProposalStatus
from aspirasi.services import dispositions
from notifications.models import Notification
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/moderation/queue/"


def _wita(*args) -> datetime:
    return datetime(*args, tzinfo=sla.WITA)


def _submitted_at(proposal, moment) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(created_at=moment)
    proposal.refresh_from_db()
    return proposal


def _items(client) -> dict[int, dict]:
    return {item["id"]: item for item in client.get(URL).json()["results"] if item["type"] == "proposal"}


def test_a_pending_proposal_shows_its_verification_deadline_in_the_queue(as_moderator):
    # Submitted Thursday 24 Dec 2026 10:00 WITA: 25 Dec is Christmas, 26-27 a weekend; with 3 working days
    # (28, 29, 30 Dec) it is due Thursday 31 Dec 00:00 WITA.
    submitted = _submitted_at(ProposalFactory(status=ProposalStatus.SUBMITTED), _wita(2026, 12, 24, 10))
    in_review = ProposalFactory(status=ProposalStatus.IN_REVIEW)
    items = _items(as_moderator)
    assert items[submitted.pk]["sla"]["stage"] == "verification"
    assert datetime.fromisoformat(items[submitted.pk]["sla"]["due_at"]) == _wita(2026, 12, 31)
    assert items[submitted.pk]["sla"]["state"] == sla.state(_wita(2026, 12, 31))
    assert items[in_review.pk]["sla"]["due_at"]
    assert datetime.fromisoformat(items[in_review.pk]["sla"]["due_at"]) == sla.stage_due_at(
        "verification", in_review.created_at
    )


def test_a_public_flagged_proposal_has_no_deadline(as_moderator):
    published = ProposalFactory(status=ProposalStatus.PUBLISHED)
    Flag.objects.create(proposal=published, flagger=UserFactory(), reason="spam")
    assert _items(as_moderator)[published.pk]["sla"] is None


def test_the_admin_calendar_moves_a_pending_proposals_deadline(as_moderator):
    proposal = _submitted_at(ProposalFactory(status=ProposalStatus.SUBMITTED), _wita(2026, 12, 24, 10))
    CalendarDay.objects.create(date=datetime(2026, 12, 28).date(), kind=CalendarDayKind.DAY_OFF, note="Cuti")
    assert datetime.fromisoformat(_items(as_moderator)[proposal.pk]["sla"]["due_at"]) == _wita(2027, 1, 1)


def test_the_queues_deadlines_take_one_query_whatever_the_page(as_moderator, django_assert_max_num_queries):
    ProposalFactory(status=ProposalStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as one:
        as_moderator.get(URL)
    ProposalFactory.create_batch(8, status=ProposalStatus.SUBMITTED)
    with django_assert_max_num_queries(len(one)):
        assert len(_items(as_moderator)) == 9


def test_the_workbench_shows_an_overdue_proposals_badge(moderator_manggar):
    proposal = _submitted_at(
        ProposalFactory(status=ProposalStatus.SUBMITTED),
        timezone.now() - timedelta(days=sla.stage_days("verification") + 12),
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(moderator_manggar)
    page = client.get("/admin/moderation/live/").content.decode()
    row = page[page.index(f'id="item-proposal-{proposal.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "sla-overdue" in row and "SLA terlambat" in row


def test_an_overdue_pending_proposal_escalates_once_to_its_moderators(moderator_manggar, moderator_barat, committed):
    old = timezone.now() - timedelta(days=30)
    overdue = _submitted_at(ProposalFactory(status=ProposalStatus.SUBMITTED), old)  # Manggar
    _submitted_at(ProposalFactory(status=ProposalStatus.PUBLISHED), old)  # decided: no clock
    ProposalFactory(status=ProposalStatus.IN_REVIEW)  # not yet due
    with committed():
        assert dispositions.escalations_run() == 1
    assert dispositions.escalations_run() == 0
    [escalation] = Escalation.objects.all()
    assert (escalation.proposal, escalation.report, escalation.stage) == (overdue, None, "verification")
    assert escalation.due_at == sla.stage_due_at("verification", overdue.created_at)
    [note] = Notification.objects.filter(kind="sla_overdue")
    assert note.recipient == moderator_manggar
    assert note.data == {"proposal_id": overdue.pk, "stage": "verification", "opd_id": None}
    assert (note.target_type, note.target_id) == ("proposal", overdue.pk)
    assert note.body.startswith(f"Usulan #{overdue.pk} melewati batas waktunya (")


def test_the_tick_escalates_a_proposal_just_past_its_deadline_not_before(moderator_manggar):
    proposal = _submitted_at(ProposalFactory(status=ProposalStatus.SUBMITTED), _wita(2026, 12, 24, 10))
    assert dispositions.escalations_run(now=_wita(2026, 12, 30, 23, 59)) == 0
    assert dispositions.escalations_run(now=_wita(2026, 12, 31)) == 1
    assert Escalation.objects.get().key == f"proposal:{proposal.pk}:verification:{_wita(2026, 12, 31).timestamp():.0f}"


def test_many_deadlines_at_once_equal_each_computed_alone():
    CalendarDay.objects.create(date=datetime(2027, 1, 4).date(), kind=CalendarDayKind.DAY_OFF, note="Cuti")
    CalendarDay.objects.create(date=datetime(2026, 12, 26).date(), kind=CalendarDayKind.WORKING_DAY, note="Ganti")
    starts = [_wita(2026, 12, 20, 8) + timedelta(hours=7 * n) for n in range(60)]
    for days in (1, 3, 10):
        assert sla.dues_at(starts, days) == [sla.due_at(start, days) for start in starts]
