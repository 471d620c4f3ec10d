"""The moderation admin: querysets and permissions from the policy, actions through the same services."""

import pytest
from django.test import Client
from django.urls import reverse

from aspirasi.models import AuditEntry, Flag, ProposalStatus, ReportStatus
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, UserFactory, kelurahan

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listed(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


def test_moderator_sees_only_proposals_of_their_area(moderator_manggar, moderator_barat, admin_user):
    mine = ProposalFactory(status=ProposalStatus.SUBMITTED)
    theirs = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("margasari"))
    url = reverse("admin:aspirasi_proposal_changelist")

    assert _listed(browser(moderator_manggar).get(url)) == {mine.pk}
    assert _listed(browser(moderator_barat).get(url)) == {theirs.pk}
    assert _listed(browser(admin_user).get(url)) == {mine.pk, theirs.pk}
    assert browser(moderator_barat).get(reverse("admin:aspirasi_proposal_change", args=[mine.pk])).status_code == 302


def test_reports_flags_and_audit_are_scoped_too(moderator_manggar):
    report = ReportFactory()
    ReportFactory(kelurahan=kelurahan("margasari"))
    public = ProposalFactory(status=ProposalStatus.PUBLISHED)
    elsewhere = ProposalFactory(status=ProposalStatus.PUBLISHED, kelurahan=kelurahan("margasari"))
    flag = Flag.objects.create(proposal=public, flagger=UserFactory(), reason="spam")
    Flag.objects.create(proposal=elsewhere, flagger=UserFactory(), reason="spam")
    entry = AuditEntry.objects.create(actor_role="moderator", item_type="proposal", item_id=1, kelurahan=kelurahan())
    AuditEntry.objects.create(actor_role="moderator", item_type="proposal", item_id=2, kelurahan=kelurahan("margasari"))
    client = browser(moderator_manggar)

    assert _listed(client.get(reverse("admin:aspirasi_report_changelist"))) == {report.pk}
    assert _listed(client.get(reverse("admin:aspirasi_flag_changelist"))) == {flag.pk}
    assert _listed(client.get(reverse("admin:aspirasi_auditentry_changelist"))) == {entry.pk}


def test_planner_views_everything_but_has_no_actions_or_edits(planner):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    client = browser(planner)

    response = client.get(reverse("admin:aspirasi_proposal_changelist"))

    assert _listed(response) == {proposal.pk}
    assert b'name="action"' not in response.content  # no decision actions offered
    change = client.get(reverse("admin:aspirasi_proposal_change", args=[proposal.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    publish = client.post(
        reverse("admin:aspirasi_proposal_changelist"),
        {"action": "publish_selected", "_selected_action": [proposal.pk]},
    )
    assert publish.status_code in (200, 302)
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_resident_has_no_admin(resident):
    resident.is_staff = True  # even a staff flag set by mistake does not open moderation to a resident
    resident.save()
    response = browser(resident).get(reverse("admin:aspirasi_proposal_changelist"))
    assert response.status_code == 403


def test_publish_action_uses_the_service_and_is_audited(moderator_manggar):
    mine = ProposalFactory(status=ProposalStatus.SUBMITTED)
    other = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("margasari"))

    response = browser(moderator_manggar).post(
        reverse("admin:aspirasi_proposal_changelist"),
        {"action": "publish_selected", "_selected_action": [mine.pk, other.pk]},
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == "published" and other.status == "submitted"  # the other is outside the queryset
    assert AuditEntry.objects.get().item_id == mine.pk
    assert mine.timeline.get().to_status == "published"


def test_reject_as_spam_and_verify_actions(moderator_manggar):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    report = ReportFactory()
    client = browser(moderator_manggar)

    client.post(
        reverse("admin:aspirasi_proposal_changelist"), {"action": "reject_as_spam", "_selected_action": [proposal.pk]}
    )
    client.post(
        reverse("admin:aspirasi_report_changelist"), {"action": "verify_selected", "_selected_action": [report.pk]}
    )

    proposal.refresh_from_db()
    report.refresh_from_db()
    assert proposal.status == "rejected" and proposal.rejection_reason == "offensive"
    assert report.status == ReportStatus.VERIFIED


def test_proposal_page_shows_timeline_and_filters_work(admin_user, moderator_manggar):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    browser(moderator_manggar).post(
        reverse("admin:aspirasi_proposal_changelist"), {"action": "publish_selected", "_selected_action": [proposal.pk]}
    )
    client = browser(admin_user)
    page = client.get(reverse("admin:aspirasi_proposal_change", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and b"status timeline" in page.content.lower()
    for params in ({"status__exact": "published"}, {"flagged": "yes"}, {"is_hidden__exact": "1"}, {"q": "menjahit"}):
        assert client.get(reverse("admin:aspirasi_proposal_changelist"), params).status_code == 200


def test_admin_list_query_count_is_constant(admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browser(admin_user)
    url = reverse("admin:aspirasi_report_changelist")
    ReportFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    ReportFactory.create_batch(6)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_live_page_lists_the_queue_for_moderators_only(moderator_manggar, planner):
    waiting = ProposalFactory(status=ProposalStatus.SUBMITTED, title="Posyandu lansia")
    ProposalFactory(status=ProposalStatus.SUBMITTED, title="Di luar wilayah", kelurahan=kelurahan("margasari"))
    url = reverse("admin:moderation-live")

    response = browser(moderator_manggar).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="item-proposal-{waiting.pk}"' in html and "Posyandu lansia" in html
    assert "Di luar wilayah" not in html
    assert "aspirasi/moderation/live.js" in html and "//cdn" not in html
    assert browser(planner).get(url).status_code == 403
    index = browser(moderator_manggar).get(reverse("admin:index")).content.decode()
    assert url in index
