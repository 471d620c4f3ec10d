"""The OPD loop end to end over the API (issue 23): report -> verify -> disposition -> not ours -> another OPD
-> done with photo -> reopened -> done -> confirmed, with the timeline, notifications and SLA at each step."""

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aspirasi import sla
from aspirasi.models import (
    CalendarDay,
    CalendarDayKind,
    Disposition,
    Escalation,
    Opd,
    Report,
    ReportStatus,
)
from aspirasi.services import dispositions
from aspirasi.services.accounts import user_assign_role
from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory, category, image_bytes, kelurahan

pytestmark = pytest.mark.django_db


def _wita(*args) -> datetime:
    return datetime(*args, tzinfo=sla.WITA)


class Clock:
    """timezone.now() as the test sets it: the SLA states and deadlines are checked at known moments."""

    def __init__(self, monkeypatch, start):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, moment):
        assert moment >= self.now, "the clock only moves forward"
        self.now = moment


def _photo(name="bukti.jpg"):
    return SimpleUploadedFile(name, image_bytes(), content_type="image/jpeg")


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True))


def _report(client, pk) -> dict:
    response = client.get(f"/api/v1/reports/{pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def _timeline(body) -> list[tuple[str, str]]:
    return [(step["step"], step["opd"]["slug"]) for step in body["follow_up_timeline"]]


def _decide(client, pk, **body):
    return client.post(f"/api/v1/moderation/reports/{pk}/decision/", body, format="json")


def _follow_up(client, disposition_id, **form):
    return client.post(f"/api/v1/opd/dispositions/{disposition_id}/follow-up/", form, format="multipart")


@pytest.fixture
def dpu_officer(db):
    return user_assign_role(user=UserFactory(display_name="Petugas PU"), role="opd", opd=Opd.objects.get(slug="dpu"))


@pytest.fixture
def dpu_head(db):
    user = UserFactory(display_name="Kepala Dinas PU")
    return user_assign_role(user=user, role="opd", opd=Opd.objects.get(slug="dpu"), is_opd_head=True)


def test_the_whole_loop(
    monkeypatch, resident, other_resident, moderator_manggar, opd_officer, dpu_officer, dpu_head, committed
):
    # Cuti bersama before Natal, entered by an admin: the package does not know it.
    CalendarDay.objects.create(date=_wita(2026, 12, 24).date(), kind=CalendarDayKind.DAY_OFF, note="cuti bersama")
    clock = Clock(monkeypatch, _wita(2026, 12, 7, 9, 0))  # Monday
    as_resident, as_moderator = client_for(resident), client_for(moderator_manggar)
    as_dinkes, as_dpu = client_for(opd_officer), client_for(dpu_officer)

    # 1. The report: verification due in 3 working days (Tue, Wed, Thu -> Friday 00:00 WITA).
    form = {
        "description": "Timbangan posyandu rusak",
        "category": category().pk,
        "kelurahan": kelurahan("manggar").pk,
        "image": _photo("lapor.jpg"),
    }
    response = as_resident.post("/api/v1/reports/", form, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    report_id = body["id"]
    assert body["sla"] == {"stage": "verification", "due_at": "2026-12-11T00:00:00+08:00", "state": "on_time"}
    assert body["opd"] is None and body["follow_up_state"] == ""

    # 2. Verified on Tuesday: the disposition is due in 3 working days (Wed, Thu, Fri -> Saturday 00:00).
    clock.at(_wita(2026, 12, 8, 10, 0))
    with committed():
        assert _decide(as_moderator, report_id, action="verify").status_code == 200
    body = _report(as_moderator, report_id)
    assert body["sla"]["stage"] == "disposition" and body["sla"]["due_at"] == "2026-12-12T00:00:00+08:00"

    # 3. Forwarded to Dinas Kesehatan: the follow-up is due in 5 working days (-> Wednesday 16, 00:00).
    with committed():
        response = _decide(as_moderator, report_id, action="dispose", opd="dinkes", note="Mohon dicek")
    assert response.status_code == 200, response.content
    body = _report(as_resident, report_id)
    assert body["opd"]["slug"] == "dinkes" and body["follow_up_state"] == "forwarded"
    assert body["sla"] == {"stage": "follow_up", "due_at": "2026-12-16T00:00:00+08:00", "state": "on_time"}
    assert _timeline(body) == [("forwarded", "dinkes")]
    assert _kinds(resident)[-1] == "report_forwarded"
    # A second forward while one is open is refused.
    assert _decide(as_moderator, report_id, action="dispose", opd="dpu").json()["code"] == "not_disposable"

    inbox = as_dinkes.get("/api/v1/opd/inbox/").json()["results"]
    assert [(item["item"]["type"], item["item"]["id"], item["state"]) for item in inbox] == [
        ("report", report_id, "forwarded")
    ]
    dinkes_id = inbox[0]["id"]
    # Another OPD neither sees nor answers it.
    assert as_dpu.get("/api/v1/opd/inbox/").json()["results"] == []
    assert _follow_up(as_dpu, dinkes_id, state="accepted").json()["code"] == "not_your_opd"

    # 4. "Not ours" needs a reason; with one, the report goes back to the moderators (disposition due again).
    clock.at(_wita(2026, 12, 9, 9, 0))
    assert _follow_up(as_dinkes, dinkes_id, state="not_ours").json()["code"] == "reason_required"
    with committed():
        response = _follow_up(as_dinkes, dinkes_id, state="not_ours", reason="Urusan Dinas PU")
    assert response.status_code == 200, response.content
    body = _report(as_resident, report_id)
    assert body["opd"] is None and body["follow_up_state"] == "not_ours"
    # Thu 10, Fri 11, Mon 14 -> Tuesday 15, 00:00 WITA.
    assert body["sla"]["stage"] == "disposition" and body["sla"]["due_at"] == "2026-12-15T00:00:00+08:00"
    assert _timeline(body) == [("forwarded", "dinkes"), ("not_ours", "dinkes")]
    assert body["follow_up_timeline"][1]["message"] == "Urusan Dinas PU"
    assert _kinds(resident)[-1] == "opd_returned"

    # 5. Forwarded to Dinas PU: follow-up due Thursday 17, 00:00 WITA.
    clock.at(_wita(2026, 12, 9, 12, 0))
    with committed():
        assert _decide(as_moderator, report_id, action="dispose", opd="dpu").status_code == 200
    [dpu_item] = as_dpu.get("/api/v1/opd/inbox/").json()["results"]
    assert dpu_item["due_at"] == "2026-12-17T00:00:00+08:00" and dpu_item["sla"]["state"] == "on_time"
    with committed():
        assert _follow_up(as_dpu, dpu_item["id"], state="accepted").status_code == 200
    assert _kinds(resident)[-1] == "opd_accepted"

    # Within SLA_DUE_SOON_HOURS (24) of the deadline it is due soon.
    clock.at(_wita(2026, 12, 16, 0, 30))
    assert as_dpu.get("/api/v1/opd/inbox/").json()["results"][0]["sla"]["state"] == "due_soon"
    assert _report(as_resident, report_id)["sla"]["state"] == "due_soon"

    # 6. Done needs a note and a proof photo; then the reporter has 10 working days (cuti bersama 24,
    # Natal 25, Tahun Baru 1 January skipped: 17 .. 23, 28 .. 31, 4 January -> Tuesday 5 January 00:00).
    clock.at(_wita(2026, 12, 16, 9, 0))
    assert _follow_up(as_dpu, dpu_item["id"], state="done", note="Sudah diganti").json()["code"] == (
        "proof_photo_required"
    )
    with committed():
        response = _follow_up(as_dpu, dpu_item["id"], state="done", note="Sudah diganti", photo=_photo())
    assert response.status_code == 200, response.content
    assert response.json()["proof_photo"]
    body = _report(as_resident, report_id)
    assert body["follow_up_state"] == "done" and body["status"] == "verified"
    assert body["sla"] == {"stage": "confirmation", "due_at": "2027-01-05T00:00:00+08:00", "state": "on_time"}
    assert body["follow_up_timeline"][-1]["photo"]
    assert _kinds(resident)[-1] == "opd_done"

    # Only the reporter answers.
    response = client_for(other_resident).post(
        f"/api/v1/reports/{report_id}/confirmation/", {"fixed": True}, format="json"
    )
    assert response.status_code in (403, 404)

    # 7. Not fixed: reopened to the same OPD, a new follow-up due in 5 working days (-> Tuesday 29, 00:00).
    clock.at(_wita(2026, 12, 17, 10, 0))
    with committed():
        response = as_resident.post(
            f"/api/v1/reports/{report_id}/confirmation/", {"fixed": False, "comment": "Masih rusak"}, format="json"
        )
    assert response.status_code == 201, response.content
    assert response.json()["step"] == "reopened" and response.json()["opd"]["slug"] == "dpu"
    photo = as_resident.post(
        f"/api/v1/reports/{report_id}/confirmation/photo/", {"photo": _photo("masih.jpg")}, format="multipart"
    )
    assert photo.status_code == 200, photo.content
    assert photo.json()["photo"]
    body = _report(as_resident, report_id)
    assert body["opd"]["slug"] == "dpu" and body["follow_up_state"] == "forwarded"
    assert body["sla"] == {"stage": "follow_up", "due_at": "2026-12-29T00:00:00+08:00", "state": "on_time"}
    assert _kinds(resident)[-1] == "report_forwarded"
    reopened = Disposition.objects.get(report_id=report_id, state="forwarded")
    assert reopened.is_reopen and reopened.opd.slug == "dpu"

    # Overdue: the tick escalates once to the OPD head and the area's moderators, and shows it.
    clock.at(_wita(2026, 12, 29, 0, 1))
    with committed():
        assert dispositions.sla_tick() == {"closed": 0, "escalated": 1}
        assert dispositions.sla_tick() == {"closed": 0, "escalated": 0}
    assert Escalation.objects.filter(disposition=reopened).count() == 1
    assert _kinds(dpu_head) == ["sla_overdue"] and _kinds(moderator_manggar) == ["sla_overdue"]
    assert _kinds(dpu_officer) == []
    assert _report(as_resident, report_id)["sla"]["state"] == "overdue"

    # 8. Done again (confirmation due: 30, 31, 4, 6 (5 January is Isra Mikraj 2027), 7, 8, 11 .. 14 -> Fri 15).
    clock.at(_wita(2026, 12, 29, 10, 0))
    with committed():
        response = _follow_up(as_dpu, reopened.pk, state="done", note="Diganti baru", photo=_photo())
    assert response.status_code == 200, response.content
    assert _report(as_resident, report_id)["sla"]["due_at"] == "2027-01-15T00:00:00+08:00"

    # 9. Confirmed: resolved, no deadline runs any more.
    clock.at(_wita(2026, 12, 30, 8, 0))
    with committed():
        response = as_resident.post(
            f"/api/v1/reports/{report_id}/confirmation/", {"fixed": True, "comment": "Terima kasih"}, format="json"
        )
    assert response.status_code == 201, response.content
    body = _report(as_resident, report_id)
    assert body["status"] == "resolved" and body["follow_up_state"] == "confirmed" and body["sla"] is None
    assert body["resolution_note"] == "Diganti baru"
    assert _timeline(body) == [
        ("forwarded", "dinkes"),
        ("not_ours", "dinkes"),
        ("forwarded", "dpu"),
        ("accepted", "dpu"),
        ("done", "dpu"),
        ("reopened", "dpu"),
        ("done", "dpu"),
        ("confirmed", "dpu"),
    ]
    # The public timeline names OPDs, never the officers.
    text = str(body)
    assert "Petugas PU" not in text and "Kepala Dinas PU" not in text
    assert _kinds(resident) == [
        "report_verified",
        "report_forwarded",
        "opd_returned",
        "report_forwarded",
        "opd_accepted",
        "opd_done",
        "report_forwarded",
        "opd_done",
        "report_resolved",
    ]
    # Answered once: a second answer is refused.
    again = as_resident.post(f"/api/v1/reports/{report_id}/confirmation/", {"fixed": True}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_awaiting_confirmation"


def test_an_unanswered_confirmation_closes_at_the_windows_end(monkeypatch, resident, moderator_manggar, opd_officer):
    from tests.aspirasi.factories_moderation import ReportFactory

    clock = Clock(monkeypatch, _wita(2026, 12, 1, 9, 0))
    report = ReportFactory(author=resident, status=ReportStatus.VERIFIED)
    dispositions.report_dispose(report=report, actor=moderator_manggar, opd=opd_officer.opd)
    disposition = Disposition.objects.get(report=report)
    dispositions.follow_up_record(
        disposition=disposition, actor=opd_officer, state="done", note="Selesai", photo=_photo()
    )
    report.refresh_from_db()
    assert report.sla_stage == "confirmation"
    clock.at(report.sla_due_at - timedelta(seconds=1))
    assert dispositions.sla_tick()["closed"] == 0
    clock.at(report.sla_due_at)
    assert dispositions.sla_tick()["closed"] == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.follow_up_state == "closed"
    assert list(report.follow_up_timeline.values_list("step", flat=True)) == ["forwarded", "done", "closed"]
    assert Report.objects.get(pk=report.pk).sla_due_at is None
