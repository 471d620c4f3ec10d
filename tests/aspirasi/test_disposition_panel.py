"""Disposisi from the workbench's decision panel: offered on a verified report, the routing rule's OPD
preselected, and the decision forwards it."""

import pytest
from django.test import Client
from django.urls import reverse

from aspirasi.models import Disposition, Opd, ReportStatus, RoutingRule
from tests.aspirasi.factories_moderation import ReportFactory

pytestmark = pytest.mark.django_db
PANEL = {"HTTP_X_DECISION_PANEL": "1"}


def test_the_panel_offers_disposisi_with_the_suggested_opd_and_forwards(moderator_manggar):
    report = ReportFactory(status=ReportStatus.VERIFIED)
    dpu = Opd.objects.get(slug="dpu")
    RoutingRule.objects.create(category=report.category, opd=dpu)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(moderator_manggar)
    url = reverse("admin:moderation_panel", args=["report", report.pk])
    html = client.get(url, **PANEL).content.decode()
    assert "Forward to an OPD" in html
    assert f'<option value="{dpu.pk}" selected>' in html

    answer = client.post(url, {"action": "dispose", "dispose-opd": dpu.pk, "dispose-note": "Segera"}, **PANEL)
    assert answer.status_code == 200
    disposition = Disposition.objects.get(report=report)
    assert disposition.opd == dpu and disposition.note == "Segera"
    report.refresh_from_db()
    assert report.follow_up_state == "forwarded"
    assert "Forward to an OPD" not in client.get(url, **PANEL).content.decode()  # one open disposition at a time


def test_a_new_report_is_not_offered_disposisi(moderator_manggar):
    report = ReportFactory(status=ReportStatus.NEW)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(moderator_manggar)
    html = client.get(reverse("admin:moderation_panel", args=["report", report.pk]), **PANEL).content.decode()
    assert "Forward to an OPD" not in html
