"""The admin's comments (issue 25): scoped by area, text escaped, hide and restore through the service."""

import pytest
from django.test import Client
from django.urls import reverse

from aspirasi.models import AuditEntry, CommentState, Kelurahan, ProposalStatus
from aspirasi.services.comments import comment_create
from notifications.models import Notification, NotificationKind
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def comment(resident):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED, kelurahan=Kelurahan.objects.get(slug="manggar"))
    return comment_create(author=resident, proposal=proposal, body=SCRIPT)


def test_the_text_is_shown_escaped_and_scoped_to_the_area(comment, moderator_manggar, moderator_barat):
    url = reverse("admin:aspirasi_comment_changelist")
    page = _browser(moderator_manggar).get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert SCRIPT not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    detail = _browser(moderator_manggar).get(reverse("admin:aspirasi_comment_change", args=[comment.pk]))
    assert detail.status_code == 200 and SCRIPT not in detail.content.decode()
    assert "&lt;script&gt;" not in _browser(moderator_barat).get(url).content.decode()


def test_hide_and_restore_actions_call_the_service(comment, resident, moderator_manggar):
    url = reverse("admin:aspirasi_comment_changelist")
    browser = _browser(moderator_manggar)
    # The reason is asked for: without one nothing is hidden.
    browser.post(url, {"action": "hide_comments", "_selected_action": [comment.pk], "reason": " "})
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE
    selected = {"action": "hide_comments", "_selected_action": [comment.pk], "reason": "Berisi data pribadi"}
    response = browser.post(url, selected)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == CommentState.HIDDEN and comment.hidden_reason == "Berisi data pribadi"
    assert AuditEntry.objects.get(action="hide").item_type == "comment"
    assert Notification.objects.filter(recipient=resident, kind=NotificationKind.COMMENT_HIDDEN).exists()
    browser.post(url, {"action": "restore_comments", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE


def test_planners_read_but_do_not_decide(comment, planner):
    url = reverse("admin:aspirasi_comment_changelist")
    browser = _browser(planner)
    assert browser.get(url).status_code == 200
    browser.post(url, {"action": "hide_comments", "_selected_action": [comment.pk], "reason": "Spam"})
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE
