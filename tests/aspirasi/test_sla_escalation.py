"""The SLA tick's escalations of the moderators' stages: once, to the area's moderators only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aspirasi import sla
from aspirasi.models import Escalation, ReportStatus
from aspirasi.services import dispositions
from notifications.models import Notification
from tests.aspirasi.factories_moderation import ReportFactory

pytestmark = pytest.mark.django_db


def test_an_unverified_report_past_its_deadline_escalates_once_to_its_moderators(
    moderator_manggar, moderator_barat, committed
):
    past = timezone.now() - timedelta(minutes=1)
    report = ReportFactory(sla_stage=sla.VERIFICATION, sla_due_at=past)  # Manggar
    ReportFactory(sla_stage=sla.VERIFICATION, sla_due_at=timezone.now() + timedelta(hours=1))  # not yet due
    ReportFactory(status=ReportStatus.REJECTED, sla_stage=sla.VERIFICATION, sla_due_at=past)  # decided
    with committed():
        assert dispositions.escalations_run() == 1
    assert dispositions.escalations_run() == 0
    [escalation] = Escalation.objects.all()
    assert escalation.report == report and escalation.stage == "verification"
    notes = Notification.objects.filter(kind="sla_overdue")
    assert [n.recipient for n in notes] == [moderator_manggar]
    assert notes[0].data == {"report_id": report.pk, "stage": "verification", "opd_id": None}
    # In the moderator's language (Indonesian by default), stage and item named in words.
    assert notes[0].title == "Lewat batas waktu: verifikasi"
    assert notes[0].body.startswith(f"Laporan foto #{report.pk} melewati batas waktunya (")


def test_a_verified_report_waiting_for_its_disposition_escalates(moderator_manggar):
    report = ReportFactory(
        status=ReportStatus.VERIFIED, sla_stage=sla.DISPOSITION, sla_due_at=timezone.now() - timedelta(seconds=1)
    )
    assert dispositions.escalations_run() == 1
    assert Escalation.objects.get().key.startswith(f"report:{report.pk}:disposition:")


def test_a_decided_report_shows_no_deadline(as_resident, resident):
    report = ReportFactory(
        author=resident, status=ReportStatus.REJECTED, sla_stage=sla.VERIFICATION, sla_due_at=timezone.now()
    )
    assert as_resident.get(f"/api/v1/reports/{report.pk}/").json()["sla"] is None
