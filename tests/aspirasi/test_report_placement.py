"""Where a photo report is filed: a chosen kelurahan is confirmed; a point without one is never filed silently
under the reporter's home kelurahan, it is marked unconfirmed for the moderators, who confirm or relocate it."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from aspirasi.models import AuditEntry, Report, ReportStatus
from realtime import events
from tests.aspirasi.factories_moderation import ReportFactory
from tests.aspirasi.test_reports_create import URL, _form
from tests.factories import kelurahan

pytestmark = pytest.mark.django_db


def _decide(client, report, **body):
    return client.post(f"/api/v1/moderation/reports/{report.pk}/decision/", body, format="json")


def test_a_point_without_a_kelurahan_is_filed_unconfirmed(as_resident):
    response = as_resident.post(URL, _form(latitude="-1.2654", longitude="116.8312"), format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    # The only hint of the area is the reporter's home; it reaches Manggar's moderators, marked.
    assert body["kelurahan"]["slug"] == "manggar" and body["kelurahan_confirmed"] is False
    assert Report.objects.get().kelurahan_confirmed is False


@pytest.mark.parametrize("point", [{}, {"latitude": "-1.2654", "longitude": "116.8312"}])
def test_a_chosen_kelurahan_is_confirmed_with_or_without_a_point(as_resident, point):
    response = as_resident.post(URL, _form(kelurahan=kelurahan("baru-ilir").pk, **point), format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["kelurahan"]["slug"] == "baru-ilir" and response.json()["kelurahan_confirmed"] is True


def test_the_queue_and_the_workbench_mark_an_unconfirmed_report(as_moderator, moderator_manggar):
    unconfirmed = ReportFactory(kelurahan_confirmed=False)
    confirmed = ReportFactory()

    results = as_moderator.get("/api/v1/moderation/queue/", {"type": "report"}).json()["results"]
    marks = {row["id"]: row["kelurahan_unconfirmed"] for row in results}
    assert marks == {unconfirmed.pk: True, confirmed.pk: False}

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(moderator_manggar)
    row = client.get(reverse("admin:moderation_row", args=["report", unconfirmed.pk])).json()["row"]
    assert "kelurahan unconfirmed" in row
    row = client.get(reverse("admin:moderation_row", args=["report", confirmed.pk])).json()["row"]
    assert "kelurahan unconfirmed" not in row


def test_moderator_confirms_an_unconfirmed_report_in_place(as_moderator):
    report = ReportFactory(kelurahan_confirmed=False)

    response = _decide(as_moderator, report, action="relocate", kelurahan=kelurahan().pk)

    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    assert report.kelurahan.slug == "manggar" and report.kelurahan_confirmed is True
    entry = AuditEntry.objects.get(action="relocate")
    assert entry.before["kelurahan_confirmed"] is False and entry.after["kelurahan_confirmed"] is True


def test_an_unconfirmed_report_is_handed_to_another_area_with_its_point(
    as_moderator, monkeypatch, django_capture_on_commit_callbacks
):
    report = ReportFactory(kelurahan_confirmed=False)
    sent = []
    monkeypatch.setattr(events, "send_now", lambda groups, message: sent.append((groups, message)))

    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(
            as_moderator,
            report,
            action="relocate",
            kelurahan=kelurahan("baru-ilir").pk,
            latitude=-1.2654,
            longitude=116.8312,
        )

    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    assert report.kelurahan.slug == "baru-ilir" and report.kelurahan_confirmed is True
    assert (report.latitude, report.longitude) == (Decimal("-1.265400"), Decimal("116.831200"))
    assert report.location_source == "given"
    [(groups, message)] = sent
    # The new area's moderators see it arrive, the old area's see it leave.
    assert set(groups) >= {
        *events.moderation_groups(kelurahan("baru-ilir").pk),
        events.moderation_groups(kelurahan().pk)[0],
    }
    assert message["type"] == events.REPORT_UPDATED and message["payload"]["kelurahan_confirmed"] is True
    entry = AuditEntry.objects.get(action="relocate")
    assert entry.before["kelurahan"] == kelurahan().pk and entry.after["kelurahan"] == kelurahan("baru-ilir").pk


def test_a_confirmed_report_moves_only_within_the_moderators_areas(as_moderator, as_other_moderator):
    report = ReportFactory()

    refused = _decide(as_moderator, report, action="relocate", kelurahan=kelurahan("baru-ilir").pk)
    assert refused.status_code == 403 and refused.json()["code"] == "outside_moderated_area"
    # Another kecamatan's moderator does not see the report at all.
    assert _decide(as_other_moderator, report, action="relocate", kelurahan=kelurahan().pk).status_code == 404
    report.refresh_from_db()
    assert report.kelurahan.slug == "manggar"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"latitude": -1.2654}, "longitude"),
        ({"latitude": -6.2, "longitude": 106.8}, "latitude"),  # Jakarta
        ({"latitude": "NaN", "longitude": 116.8}, "latitude"),
    ],
)
def test_a_bad_point_is_a_field_error(as_moderator, body, field):
    report = ReportFactory(kelurahan_confirmed=False)

    response = _decide(as_moderator, report, action="relocate", kelurahan=kelurahan().pk, **body)

    assert response.status_code == 400 and field in response.json()["fields"]


def test_a_rejected_report_is_not_relocated(as_moderator):
    report = ReportFactory(status=ReportStatus.REJECTED, kelurahan_confirmed=False)

    response = _decide(as_moderator, report, action="relocate", kelurahan=kelurahan().pk)

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_the_decision_panel_confirms_an_unconfirmed_report_where_it_is(moderator_manggar):
    from tests.aspirasi.test_admin_workbench import PANEL, browser, panel_url

    report = ReportFactory(kelurahan_confirmed=False)
    client = browser(moderator_manggar)

    panel = client.get(panel_url(report), **PANEL).content.decode()
    select = panel[panel.index('name="relocate-kelurahan"') :].split("</select>")[0]
    # Its own kelurahan is offered (confirming it), and a kelurahan of another area too.
    assert f'value="{kelurahan().pk}"' in select and f'value="{kelurahan("baru-ilir").pk}"' in select

    answer = client.post(panel_url(report), {"action": "relocate", "relocate-kelurahan": kelurahan().pk}, **PANEL)

    assert answer.status_code == 200, answer.content.decode()[:2000]
    report.refresh_from_db()
    assert report.kelurahan.slug == "manggar" and report.kelurahan_confirmed is True
    assert AuditEntry.objects.filter(action="relocate", item_id=report.pk).exists()
