"""Discussion (issue 25): flags on comments, moderators' decisions, audit entries, follows, notifications."""

import pytest
from django.conf import settings

from aspirasi.models import AuditEntry, Comment, CommentState, Proposal, ProposalFollow, ProposalStatus, Vote
from notifications.models import MutedKind, Notification, NotificationKind
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory
from tests.notifications.fakes import DUMMY, IMMEDIATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(other_resident):
    return ProposalFactory(author=other_resident, status=ProposalStatus.PUBLISHED)


def _comment(client, proposal, body="Komentar warga", **data):
    response = client.post(f"/api/v1/proposals/{proposal.pk}/comments/", {"body": body, **data}, format="json")
    assert response.status_code == 201, response.json()
    return Comment.objects.get(pk=response.json()["id"])


@pytest.fixture
def told(settings, committed):
    """Comment as `_comment` does, its after-commit work run: the followers are told by the task worker
    (tasks.comment_notify), run at once here."""
    settings.TASKS = IMMEDIATE

    def _told(client, proposal, body="Komentar warga"):
        with committed():
            return _comment(client, proposal, body)

    return _told


def _flag(client, comment, reason="offensive"):
    return client.post(f"/api/v1/comments/{comment.pk}/flags/", {"reason": reason}, format="json")


def _decide(client, comment, action, reason=""):
    data = {"action": action, "reason": reason} if reason else {"action": action}
    return client.post(f"/api/v1/moderation/comments/{comment.pk}/decision/", data, format="json")


def _flaggers(n):
    from datetime import timedelta

    from django.utils import timezone

    return [client_for(UserFactory(date_joined=timezone.now() - timedelta(days=30))) for _ in range(n)]


def test_enough_flaggers_send_a_comment_to_review_still_visible(as_resident, proposal, api):
    comment = _comment(as_resident, proposal)
    clients = _flaggers(settings.FLAG_REVIEW_THRESHOLD)
    for client in clients[:-1]:
        assert _flag(client, comment).status_code == 201
    assert Comment.objects.get(pk=comment.pk).flag_review_requested_at is None
    assert _flag(clients[-1], comment).status_code == 201
    comment.refresh_from_db()
    assert comment.flag_review_requested_at is not None and comment.state == CommentState.VISIBLE
    entry = AuditEntry.objects.get(action="flag_review_requested")
    assert (entry.item_type, entry.item_id, entry.kelurahan_id) == ("comment", comment.pk, proposal.kelurahan_id)
    assert _flag(clients[0], comment).json()["code"] == "already_flagged"
    assert api.get(f"/api/v1/proposals/{proposal.pk}/comments/").json()["results"][0]["body"] == comment.body


def test_staff_and_unverified_residents_do_not_flag(as_resident, proposal, moderator_manggar):
    comment = _comment(as_resident, proposal)
    assert _flag(client_for(moderator_manggar), comment).status_code == 403
    assert _flag(client_for(UserFactory(phone_verified_at=None)), comment).json()["code"] == "phone_not_verified"


def test_a_moderator_hides_with_a_reason_the_author_is_told(as_resident, resident, proposal, moderator_manggar):
    comment = _comment(as_resident, proposal)
    _flag(_flaggers(1)[0], comment)
    moderator = client_for(moderator_manggar)
    assert _decide(moderator, comment, "hide").status_code == 400  # a reason is required
    decided = _decide(moderator, comment, "hide", "Menghina warga lain")
    assert decided.status_code == 200 and decided.json()["state"] == "hidden"
    assert decided.json()["hidden_reason"] == "Menghina warga lain"
    comment.refresh_from_db()
    assert comment.state == CommentState.HIDDEN and not comment.flags.filter(resolved_at__isnull=True).exists()
    assert Proposal.objects.get(pk=proposal.pk).comment_count == 0
    entry = AuditEntry.objects.get(action="hide")
    assert (entry.item_type, entry.actor_id, entry.message) == ("comment", moderator_manggar.pk, "Menghina warga lain")
    told = Notification.objects.get(recipient=resident, kind=NotificationKind.COMMENT_HIDDEN)
    assert "Menghina warga lain" in told.body and told.data == {"comment_id": comment.pk}
    thread = client_for(resident).get(f"/api/v1/proposals/{proposal.pk}/comments/").json()["results"]
    assert thread[0]["body"] == "" and thread[0]["notice"]
    assert _decide(moderator, comment, "hide", "lagi").json()["code"] == "illegal_transition"
    restored = _decide(moderator, comment, "restore")
    assert restored.status_code == 200 and restored.json()["state"] == "visible"
    assert Proposal.objects.get(pk=proposal.pk).comment_count == 1
    assert AuditEntry.objects.filter(action="restore", item_type="comment").count() == 1


def test_restore_dismisses_the_flags_of_a_comment_under_review(as_resident, proposal, moderator_manggar):
    comment = _comment(as_resident, proposal)
    moderator = client_for(moderator_manggar)
    assert _decide(moderator, comment, "restore").json()["code"] == "illegal_transition"  # nobody flagged it
    _flag(_flaggers(1)[0], comment)
    assert _decide(moderator, comment, "restore").status_code == 200
    assert not comment.flags.filter(resolved_at__isnull=True).exists()


def test_only_moderators_of_the_area_decide(as_resident, proposal, moderator_barat, planner, admin_user):
    comment = _comment(as_resident, proposal)
    assert _decide(client_for(moderator_barat), comment, "hide", "x").status_code == 404
    assert _decide(client_for(planner), comment, "hide", "x").status_code == 403
    assert _decide(as_resident, comment, "hide", "x").status_code == 403
    assert _decide(client_for(admin_user), comment, "hide", "x").status_code == 200


def test_author_and_followers_are_notified_once_per_window(as_resident, resident, other_resident, proposal, told):
    follower = UserFactory()
    voter = UserFactory()
    Vote.objects.create(proposal=proposal, voter=voter)
    assert client_for(follower).post(f"/api/v1/proposals/{proposal.pk}/follow/").json() == {
        "proposal": proposal.pk,
        "following": True,
    }
    told(as_resident, proposal)
    new = Notification.objects.filter(kind=NotificationKind.COMMENT_NEW)
    assert set(new.values_list("recipient_id", flat=True)) == {other_resident.pk, follower.pk, voter.pk}
    # the commenter follows now: another's comment tells them, but a busy thread does not storm anyone
    told(client_for(follower), proposal, "saya juga")
    told(client_for(voter), proposal, "dan saya")
    assert new.filter(recipient=other_resident).count() == 1
    assert new.filter(recipient=resident).count() == 1
    assert new.count() == 4


def test_unfollowing_wins_over_voting_and_commenting(as_resident, resident, proposal, told):
    Vote.objects.create(proposal=proposal, voter=resident)
    assert as_resident.delete(f"/api/v1/proposals/{proposal.pk}/follow/").json()["following"] is False
    told(as_resident, proposal)
    told(client_for(UserFactory()), proposal, "komentar lain")
    assert not Notification.objects.filter(recipient=resident).exists()
    assert ProposalFollow.objects.get(proposal=proposal, user=resident).active is False
    as_resident.post(f"/api/v1/proposals/{proposal.pk}/follow/")
    assert ProposalFollow.objects.get(proposal=proposal, user=resident).active is True


def test_official_answers_are_their_own_kind_and_can_be_muted(other_resident, proposal, opd_officer, told):
    MutedKind.objects.create(user=other_resident, kind=NotificationKind.COMMENT_NEW)
    told(client_for(UserFactory()), proposal)
    assert not Notification.objects.filter(recipient=other_resident).exists()
    told(client_for(opd_officer), proposal, "Akan ditindaklanjuti")
    official = Notification.objects.get(recipient=other_resident)
    assert official.kind == NotificationKind.COMMENT_OFFICIAL and "Petugas Dinkes" not in official.body


def test_the_comment_request_leaves_its_followers_to_the_worker(settings, committed, as_resident, proposal):
    from django_tasks import default_task_backend

    settings.TASKS = DUMMY
    default_task_backend.clear()
    with committed():
        comment = _comment(as_resident, proposal)
    assert not Notification.objects.exists()  # the author of the proposal is told by the worker, not here
    [result] = default_task_backend.results
    assert (result.task.name, result.kwargs) == ("comment_notify", {"comment_id": comment.pk})


def test_following_a_proposal_one_cannot_see_is_404(as_other_resident, resident):
    hidden = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    assert as_other_resident.post(f"/api/v1/proposals/{hidden.pk}/follow/").status_code == 404
