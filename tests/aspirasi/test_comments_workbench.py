"""Flagged comments on the moderators' workbench (issue 25): the queue's third kind (selector, API, workbench
rows and counters), scoped by their item's kelurahan, decided with the decision panel (hide with a reason,
restore) through services/moderation.py: flag outcomes, audit, the author told, events after commit; the
comment's admin page; the erasure and the export of a person's comments."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aspirasi.models import (
    AuditEntry,
    Comment,
    CommentFlag,
    CommentState,
    FlagOutcome,
    Kelurahan,
    Proposal,
    ProposalFollow,
    ProposalStatus,
    ReportStatus,
)
from aspirasi.selectors.moderation import moderation_counters, moderation_queue
from aspirasi.services import moderation
from aspirasi.services.account_data import account_erase
from aspirasi.services.comments import comment_create, comment_flag
from aspirasi.services.proposals import proposal_update
from notifications.models import Notification, NotificationKind
from realtime import events
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, UserFactory, kelurahan

pytestmark = pytest.mark.django_db
PANEL = {"HTTP_X_DECISION_PANEL": "1"}
QUEUE = "/api/v1/moderation/queue/"
# The queue row's contract before comments joined it: kept exactly, `kind` and `thread` added.
ITEM_FIELDS = {
    "type",
    "id",
    "title",
    "description",
    "status",
    "is_hidden",
    "flag_review_requested_at",
    "kelurahan",
    "kecamatan",
    "category",
    "created_at",
    "age_seconds",
    "claimed_by",
    "flag_count",
    "vote_count",
    "thumbnail",
    "kelurahan_unconfirmed",
    "sla",
}


def _flaggers(n):
    return [UserFactory(date_joined=timezone.now() - timedelta(days=30)) for _ in range(n)]


def _flagged(author, item, *, flaggers=None, body="Jual pulsa murah, hubungi saya"):
    """A comment on `item` flagged by FLAG_REVIEW_THRESHOLD residents (marked for review), or by `flaggers`."""
    lookup = {"proposal": item} if isinstance(item, Proposal) else {"report": item}
    comment = comment_create(author=author, body=body, **lookup)
    for flagger in _flaggers(settings.FLAG_REVIEW_THRESHOLD if flaggers is None else flaggers):
        comment_flag(comment=comment, flagger=flagger, reason="spam")
    comment.refresh_from_db()
    return comment


@pytest.fixture
def proposal(other_resident):
    return ProposalFactory(author=other_resident, status=ProposalStatus.PUBLISHED, kelurahan=kelurahan("manggar"))


@pytest.fixture
def comment(resident, proposal):
    return _flagged(resident, proposal)


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def panel(kind, pk):
    return reverse("admin:moderation_panel", args=[kind, pk])


# --- the queue -----------------------------------------------------------------------------------------


def test_a_flagged_comment_is_in_its_areas_queue_with_its_kind_and_thread(
    comment, proposal, moderator_manggar, moderator_barat
):
    items, _next = moderation_queue(user=moderator_manggar)
    row = next(item for item in items if item["type"] == "comment")
    assert (row["kind"], row["id"], row["status"], row["flag_count"]) == ("comment", comment.pk, "visible", 3)
    assert row["thread"] == {"type": "proposal", "id": proposal.pk, "title": proposal.title}
    assert row["category"]["id"] == proposal.category_id and row["kelurahan"]["id"] == proposal.kelurahan_id
    assert row["flag_review_requested_at"] and row["claimed_by"] is None and row["vote_count"] is None
    assert not [item for item in moderation_queue(user=moderator_barat)[0] if item["type"] == "comment"]
    # Counted as flagged only: it has no claim and no status to decide.
    counters = moderation_counters(user=moderator_manggar, item_type="comment")
    assert counters == {"new": 0, "in_review": 0, "flagged": 1, "overdue": 0}


def test_open_flags_below_the_threshold_queue_it_too_and_a_decision_takes_it_out(resident, proposal, moderator_manggar):
    comment = _flagged(resident, proposal, flaggers=1)
    assert comment.flag_review_requested_at is None
    assert [row["id"] for row in moderation_queue(user=moderator_manggar, item_type="comment")[0]] == [comment.pk]
    moderation.comment_restore(comment=comment, actor=moderator_manggar)
    assert moderation_queue(user=moderator_manggar, item_type="comment")[0] == []


def test_the_api_queue_keeps_its_fields_and_lists_comments_by_kind(as_moderator, comment, proposal):
    ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("manggar"))
    rows = as_moderator.get(QUEUE).json()["results"]
    assert {row["kind"] for row in rows} == {"proposal", "comment"}
    for row in rows:
        assert set(row) == ITEM_FIELDS | {"kind", "thread"} and row["type"] == row["kind"]
    assert next(row for row in rows if row["kind"] == "proposal")["thread"] is None
    only = as_moderator.get(QUEUE, {"type": "comment"}).json()["results"]
    assert [(row["kind"], row["id"], row["thread"]["id"]) for row in only] == [("comment", comment.pk, proposal.pk)]
    assert as_moderator.get(QUEUE, {"type": "comment", "category": proposal.category_id}).json()["results"]
    assert as_moderator.get(QUEUE, {"type": "proposal"}).json()["results"][0]["kind"] == "proposal"


def test_the_queue_pages_across_the_three_kinds(as_moderator, resident, proposal):
    ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("manggar"))
    ReportFactory(kelurahan=kelurahan("manggar"))
    _flagged(resident, proposal)
    seen, cursor = [], None
    while True:
        page = as_moderator.get(QUEUE, {"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        seen += [(row["kind"], row["id"]) for row in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(kind for kind, _id in seen) == ["comment", "proposal", "report"] and len(set(seen)) == 3


def test_a_comment_on_a_report_is_queued_in_the_reports_area(resident, moderator_manggar):
    report = ReportFactory(kelurahan=kelurahan("manggar"), status=ReportStatus.VERIFIED)
    comment = _flagged(resident, report)
    row = moderation_queue(user=moderator_manggar, item_type="comment")[0][0]
    assert (row["id"], row["thread"]["type"], row["thread"]["id"]) == (comment.pk, "report", report.pk)


# --- its kelurahan follows its item ----------------------------------------------------------------------


def test_relocating_a_proposal_moves_its_comments_to_the_new_area(
    comment, proposal, admin_user, moderator_manggar, moderator_barat
):
    barat = Kelurahan.objects.filter(kecamatan__code="64.71.02").first()
    moderation.proposal_relocate(proposal=proposal, actor=admin_user, kelurahan=barat)
    assert Comment.objects.get(pk=comment.pk).kelurahan_id == barat.pk
    assert moderation_queue(user=moderator_manggar, item_type="comment")[0] == []
    assert [row["id"] for row in moderation_queue(user=moderator_barat, item_type="comment")[0]] == [comment.pk]


def test_relocating_a_report_moves_its_comments(resident, admin_user):
    report = ReportFactory(kelurahan=kelurahan("manggar"), status=ReportStatus.VERIFIED)
    comment = comment_create(author=resident, report=report, body="Sudah lama rusak")
    barat = Kelurahan.objects.filter(kecamatan__code="64.71.02").first()
    moderation.report_relocate(report=report, actor=admin_user, kelurahan=barat)
    assert Comment.objects.get(pk=comment.pk).kelurahan_id == barat.pk


def test_an_author_moving_their_proposal_moves_its_comments(resident, moderator_manggar):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("manggar"))
    comment = comment_create(author=moderator_manggar, proposal=proposal, body="Mohon lengkapi foto")
    barat = Kelurahan.objects.filter(kecamatan__code="64.71.02").first()
    proposal_update(proposal=proposal, actor=resident, kelurahan=barat)
    assert Comment.objects.get(pk=comment.pk).kelurahan_id == barat.pk


# --- the decisions ---------------------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(events, "send_now", lambda groups, message: messages.append((groups, message)))
    return messages


def test_hiding_records_the_flags_outcome_audits_tells_the_author_and_publishes_after_commit(
    comment, proposal, resident, moderator_manggar, sent, committed
):
    with committed():
        moderation.comment_hide(comment=comment, actor=moderator_manggar, reason="Iklan, bukan diskusi")
        assert not [message for _groups, message in sent if message["type"] == "comment.updated"]  # not yet
    flags = CommentFlag.objects.filter(comment=comment)
    assert {(f.outcome, f.resolved_by_id) for f in flags} == {(FlagOutcome.HIDDEN, moderator_manggar.pk)}
    comment.refresh_from_db()
    assert (comment.state, comment.hidden_reason, comment.flag_review_requested_at) == (
        "hidden",
        "Iklan, bukan diskusi",
        None,
    )
    entry = AuditEntry.objects.get(item_type="comment", item_id=comment.pk, action="hide")
    assert entry.after["flags_resolved"] == 3 and entry.kelurahan_id == proposal.kelurahan_id
    told = Notification.objects.get(recipient=resident, kind=NotificationKind.COMMENT_HIDDEN)
    assert "Iklan, bukan diskusi" in told.body
    updates = {tuple(g): m["payload"] for g, m in sent if m["type"] == "comment.updated"}
    readers = updates[(events.proposal_thread_group(proposal.pk),)]
    moderators = updates[tuple(events.moderation_groups(proposal.kelurahan_id))]
    assert (readers["state"], readers["body"], readers["comment_count"]) == ("hidden", "", 0)
    assert "item_type" not in readers and "author" not in readers  # the thread's payload, as for any update
    told = {"item_type": "comment", "item_id": comment.pk, "kelurahan_id": proposal.kelurahan_id}
    assert moderators == readers | told


def test_restoring_a_hidden_comment_counts_it_again_and_tells_its_author(
    comment, proposal, resident, moderator_manggar
):
    moderation.comment_hide(comment=comment, actor=moderator_manggar, reason="Iklan")
    moderation.comment_restore(comment=comment, actor=moderator_manggar, message="Setelah ditinjau, boleh tampil.")
    comment.refresh_from_db()
    assert comment.state == CommentState.VISIBLE and comment.hidden_reason == ""
    assert Proposal.objects.get(pk=proposal.pk).comment_count == 1
    told = Notification.objects.get(recipient=resident, kind=NotificationKind.COMMENT_RESTORED)
    assert "Setelah ditinjau" in told.body and told.data == {"comment_id": comment.pk}
    assert AuditEntry.objects.filter(item_type="comment", action="restore").count() == 1


def test_keeping_a_flagged_comment_dismisses_its_flags_without_telling_the_author(comment, resident, moderator_manggar):
    moderation.comment_restore(comment=comment, actor=moderator_manggar)
    assert set(CommentFlag.objects.values_list("outcome", flat=True)) == {FlagOutcome.RESTORED}
    assert not Notification.objects.filter(recipient=resident, kind=NotificationKind.COMMENT_RESTORED).exists()
    with pytest.raises(moderation.IllegalTransition):
        moderation.comment_restore(comment=comment, actor=moderator_manggar)  # nothing awaits a decision


def test_a_moderator_of_another_area_decides_nothing(comment, moderator_barat, as_other_moderator):
    with pytest.raises(moderation.OutsideModeratedArea):
        moderation.comment_hide(comment=comment, actor=moderator_barat, reason="x")
    response = as_other_moderator.post(
        f"/api/v1/moderation/comments/{comment.pk}/decision/", {"action": "hide", "reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_the_api_decides_a_queued_comment(as_moderator, comment):
    response = as_moderator.post(
        f"/api/v1/moderation/comments/{comment.pk}/decision/", {"action": "hide", "reason": "Spam"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "hidden"
    assert as_moderator.get(QUEUE, {"type": "comment"}).json()["results"] == []


def test_bulk_decisions_take_comments_beside_items(as_moderator, resident, proposal, comment):
    kept = _flagged(resident, proposal, body="Setuju, jalan ini memang rawan")
    other = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("manggar"))
    bulk = "/api/v1/moderation/decisions/bulk/"

    def decide(action, items, **extra):
        body = {"action": action, "items": [{"type": kind, "id": pk} for kind, pk in items], **extra}
        response = as_moderator.post(bulk, body, format="json")
        assert response.status_code == 200, response.json()
        return [(row["ok"], row["code"], row["status"]) for row in response.json()["results"]]

    assert decide("hide", [("comment", comment.pk)]) == [(False, "hide_reason_required", None)]
    assert decide("review", [("comment", comment.pk)]) == [(False, "unsupported_action", None)]
    assert decide("hide", [("comment", comment.pk)], message="Iklan") == [(True, None, "hidden")]
    assert decide("publish", [("comment", kept.pk), ("proposal", other.pk)]) == [
        (True, None, "visible"),
        (True, None, "published"),
    ]
    assert Comment.objects.get(pk=comment.pk).hidden_reason == "Iklan"
    assert set(CommentFlag.objects.filter(comment=kept).values_list("outcome", flat=True)) == {"restored"}


# --- the workbench and the decision panel ------------------------------------------------------------------


def test_the_workbench_lists_flagged_comments_under_the_comments_filter(comment, proposal, moderator_manggar):
    page = browser(moderator_manggar).get(reverse("admin:moderation-live"), {"type": "comment"})
    assert page.status_code == 200
    rows = page.context["items"]
    assert [(row["type"], row["id"]) for row in rows] == [("comment", comment.pk)]
    html = page.content.decode()
    assert f'id="item-comment-{comment.pk}"' in html and f"on #{proposal.pk}" in html
    assert '<option value="comment" selected>Comments</option>' in html


def test_a_live_row_for_a_comment_leaves_once_decided(comment, moderator_manggar):
    client = browser(moderator_manggar)
    url = reverse("admin:moderation_row", args=["comment", comment.pk])
    answer = client.get(url).json()
    assert f"item-comment-{comment.pk}" in answer["row"] and answer["counters"]["flagged"] == 1
    moderation.comment_hide(comment=comment, actor=moderator_manggar, reason="Spam")
    answer = client.get(url).json()
    assert answer["row"] is None and answer["counters"]["flagged"] == 0


def test_the_panel_offers_restore_and_hide_and_hiding_needs_a_reason(comment, resident, moderator_manggar):
    client = browser(moderator_manggar)
    html = client.get(panel("comment", comment.pk), **PANEL).content.decode()
    assert 'data-action="restore" data-key="p"' in html and 'data-action="hide" data-key="h"' in html
    assert comment.body in html and "awaiting flag review" in html
    refused = client.post(panel("comment", comment.pk), {"action": "hide", "hide-reason": ""}, **PANEL)
    assert refused.status_code == 400 and Comment.objects.get(pk=comment.pk).state == "visible"
    done = client.post(panel("comment", comment.pk), {"action": "hide", "hide-reason": "Iklan"}, **PANEL)
    assert done.status_code == 200 and f"Comment #{comment.pk}" in done.content.decode()
    assert Comment.objects.get(pk=comment.pk).state == "hidden"
    assert Notification.objects.filter(recipient=resident, kind=NotificationKind.COMMENT_HIDDEN).exists()
    html = done.content.decode()
    assert 'data-action="restore"' in html and 'data-action="hide"' not in html
    assert 'name="restore-expected_state" value="hidden"' in html
    restore = {"action": "restore", "restore-expected_state": "hidden"}
    assert client.post(panel("comment", comment.pk), restore, **PANEL).status_code == 200
    assert Comment.objects.get(pk=comment.pk).state == "visible"


def test_keeping_a_comment_on_a_stale_panel_never_undoes_anothers_hide(comment, moderator_manggar, admin_user):
    client = browser(moderator_manggar)
    assert (
        'name="restore-expected_state" value="visible"'
        in client.get(panel("comment", comment.pk), **PANEL).content.decode()
    )
    moderation.comment_hide(comment=comment, actor=admin_user, reason="Iklan")  # meanwhile, on another screen
    stale = client.post(
        panel("comment", comment.pk), {"action": "restore", "restore-expected_state": "visible"}, **PANEL
    )
    assert stale.status_code == 409 and 'data-code="item_changed"' in stale.content.decode()
    assert "it is now “Hidden by a moderator”" in stale.content.decode()
    assert Comment.objects.get(pk=comment.pk).state == "hidden"


def test_the_panel_of_another_areas_comment_is_not_found(comment, moderator_barat):
    assert browser(moderator_barat).get(panel("comment", comment.pk), **PANEL).status_code == 404


def test_the_comment_page_shows_its_thread_flags_and_audit(comment, proposal, moderator_manggar):
    moderation.comment_hide(comment=comment, actor=moderator_manggar, reason="Iklan")
    page = browser(moderator_manggar).get(reverse("admin:aspirasi_comment_change", args=[comment.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and len(page.context["flags"]) == 3
    assert [row["action"] for row in page.context["audit"]] == ["flags reached the review threshold", "hidden"]
    assert reverse("admin:aspirasi_proposal_change", args=[proposal.pk]) in html
    assert panel("comment", comment.pk) in html and "Hidden: Moderator Manggar" not in html
    assert html.count("Hidden (Moderator Manggar") == 3  # each flag's outcome and who resolved it


# --- erasure and export ----------------------------------------------------------------------------------


def test_erasure_blanks_the_persons_comments_and_their_count(resident, proposal, moderator_manggar):
    kept = comment_create(author=resident, proposal=proposal, body="Nomor HP saya 0812 untuk info")
    hidden = _flagged(resident, proposal)
    moderation.comment_hide(comment=hidden, actor=moderator_manggar, reason="Spam")
    reply = comment_create(author=moderator_manggar, proposal=proposal, parent_id=kept.pk, body="Terima kasih")
    assert Proposal.objects.get(pk=proposal.pk).comment_count == 2
    account_erase(user=resident, password="rahasia-sekali-123")
    kept.refresh_from_db()
    hidden.refresh_from_db()
    assert (kept.body, kept.state, kept.author_id) == ("", "deleted", None)
    assert (hidden.body, hidden.state) == ("", "hidden")
    assert Comment.objects.get(pk=reply.pk).body == "Terima kasih"
    assert Proposal.objects.get(pk=proposal.pk).comment_count == 1


def test_the_export_has_the_persons_comments_comment_flags_and_follows(as_resident, resident, proposal, comment):
    other = comment_create(author=UserFactory(), proposal=proposal, body="Setuju")
    comment_flag(comment=other, flagger=resident, reason="not_relevant")
    ProposalFollow.objects.create(proposal=proposal, user=resident, active=False)
    data = as_resident.get("/api/v1/me/export/").json()
    assert [(c["id"], c["body"], c["proposal"]) for c in data["comments"]] == [(comment.pk, comment.body, proposal.pk)]
    assert [(f["comment"], f["reason"]) for f in data["comment_flags"]] == [(other.pk, "not_relevant")]
    assert data["follows"] == [
        {"proposal": proposal.pk, "active": False, "created_at": data["follows"][0]["created_at"]}
    ]
