"""Status changes, votes and rollbacks create the right notifications for the right people."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext

from aspirasi.models import ProposalStatus, Report, ReportStatus
from aspirasi.services.status import proposal_change_status, report_change_status
from notifications.models import MutedKind, Notification, NotificationKind
from notifications.services import notify_vote_milestone
from realtime import events
from tests.factories import ProposalFactory, UserFactory, VoteFactory, category, kelurahan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks", "use_push")]
P = ProposalStatus


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_author_is_told_in_their_own_language_when_published(moderator_manggar):
    english = UserFactory(language="en")
    indonesian = UserFactory(language="id")
    for author in (english, indonesian):
        proposal = ProposalFactory(author=author, status=P.SUBMITTED, title="Lampu jalan")
        proposal_change_status(proposal=proposal, to_status=P.PUBLISHED, actor=moderator_manggar)

    en = Notification.objects.get(recipient=english)
    assert (en.kind, en.title) == (NotificationKind.PROPOSAL_PUBLISHED, "Your proposal was published")
    assert "“Lampu jalan”" in en.body
    assert (en.target_type, en.target_id) == ("proposal", en.data["proposal_id"])
    with translation.override("id"):
        expected = gettext("Your proposal was published")
    assert Notification.objects.get(recipient=indonesian).title == expected


def test_rejection_carries_the_moderators_message(resident, moderator_manggar):
    proposal = ProposalFactory(author=resident, status=P.SUBMITTED)
    proposal_change_status(
        proposal=proposal, to_status=P.REJECTED, actor=moderator_manggar, message="Bukan wewenang kota"
    )
    notification = Notification.objects.get(recipient=resident)
    assert notification.kind == NotificationKind.PROPOSAL_REJECTED
    assert "Bukan wewenang kota" in notification.body


def test_merge_points_author_and_voters_to_the_target(resident, moderator_manggar):
    target = ProposalFactory()
    proposal = ProposalFactory(author=resident)
    voters = [VoteFactory(proposal=proposal).voter for _ in range(3)]
    VoteFactory(proposal=proposal, voter=resident)  # the author's own vote: one notification, as author

    proposal_change_status(proposal=proposal, to_status=P.MERGED, actor=moderator_manggar, merged_into=target)

    author_note = Notification.objects.get(recipient=resident)
    assert author_note.kind == NotificationKind.PROPOSAL_MERGED
    assert author_note.target_id == target.pk and author_note.data["merged_into_id"] == target.pk
    assert target.title in author_note.body
    for voter in voters:
        assert kinds_of(voter) == [NotificationKind.SUPPORTED_MERGED]


@pytest.mark.parametrize(
    ("to_status", "author_kind", "voter_kinds"),
    [
        (P.ACCEPTED, NotificationKind.PROPOSAL_ACCEPTED, [NotificationKind.SUPPORTED_ACCEPTED]),
        (P.IN_PROGRESS, NotificationKind.PROPOSAL_IN_PROGRESS, []),
        (P.COMPLETED, NotificationKind.PROPOSAL_COMPLETED, [NotificationKind.SUPPORTED_COMPLETED]),
    ],
)
def test_planning_decisions_reach_author_and_supporters(planner, resident, to_status, author_kind, voter_kinds):
    start = P.PUBLISHED if to_status == P.ACCEPTED else P.ACCEPTED
    proposal = ProposalFactory(author=resident, status=start)
    voter = VoteFactory(proposal=proposal).voter
    proposal_change_status(proposal=proposal, to_status=to_status, actor=planner)
    assert kinds_of(resident) == [author_kind]
    assert kinds_of(voter) == voter_kinds


def test_withdrawal_and_review_steps_notify_nobody(resident, moderator_manggar):
    proposal = ProposalFactory(author=resident, status=P.SUBMITTED)
    proposal_change_status(proposal=proposal, to_status=P.IN_REVIEW, actor=moderator_manggar)
    proposal_change_status(proposal=proposal, to_status=P.WITHDRAWN, actor=resident)
    assert not Notification.objects.exists()


def test_a_muted_kind_is_not_created(resident, planner):
    proposal = ProposalFactory(status=P.PUBLISHED)
    VoteFactory(proposal=proposal, voter=resident)
    MutedKind.objects.create(user=resident, kind=NotificationKind.SUPPORTED_ACCEPTED)
    proposal_change_status(proposal=proposal, to_status=P.ACCEPTED, actor=planner)
    assert kinds_of(resident) == []
    assert kinds_of(proposal.author) == [NotificationKind.PROPOSAL_ACCEPTED]


def _report(author, status=ReportStatus.NEW) -> Report:
    return Report.objects.create(
        author=author,
        description="Jalan berlubang di depan sekolah",
        category=category(),
        kelurahan=kelurahan(),
        location_source=Report.LocationSource.KELURAHAN,
        status=status,
        image="reports/x.jpg",
        width=10,
        height=10,
    )


def test_resolved_report_links_the_proof_photo(resident, moderator_manggar):
    report = _report(resident, ReportStatus.VERIFIED)
    report_change_status(
        report=report,
        to_status=ReportStatus.RESOLVED,
        actor=moderator_manggar,
        resolution_note="Sudah ditambal",
        resolution_image="reports/proof.jpg",
    )
    notification = Notification.objects.get(recipient=resident)
    assert notification.kind == NotificationKind.REPORT_RESOLVED
    assert notification.data["resolution_image_url"].endswith("reports/proof.jpg")
    assert "Sudah ditambal" in notification.body
    assert (notification.target_type, notification.target_id) == ("report", report.pk)


def test_verified_and_rejected_reports_notify_the_author(resident, moderator_manggar):
    verified, rejected = _report(resident), _report(resident)
    report_change_status(report=verified, to_status=ReportStatus.VERIFIED, actor=moderator_manggar)
    report_change_status(report=rejected, to_status=ReportStatus.REJECTED, actor=moderator_manggar, message="Buram")
    assert sorted(kinds_of(resident)) == [NotificationKind.REPORT_REJECTED, NotificationKind.REPORT_VERIFIED]
    assert "Buram" in Notification.objects.get(kind=NotificationKind.REPORT_REJECTED).body


def test_each_vote_milestone_is_announced_once(resident):
    proposal = ProposalFactory(author=resident, title="Posyandu")
    for count in (9, 10, 10, 11, 50):
        notify_vote_milestone(
            proposal_id=proposal.pk, author_id=proposal.author_id, title=proposal.title, vote_count=count
        )
    milestones = Notification.objects.filter(recipient=resident).order_by("id")
    assert [n.data["milestone"] for n in milestones] == [10, 50]
    assert all(n.kind == NotificationKind.VOTE_MILESTONE for n in milestones)


def test_a_rolled_back_change_leaves_no_notification_and_no_socket_message(resident, moderator_manggar):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(events.user_group(resident.pk), channel)
    proposal = ProposalFactory(author=resident, status=P.SUBMITTED)

    with pytest.raises(RuntimeError), transaction.atomic():
        proposal_change_status(proposal=proposal, to_status=P.PUBLISHED, actor=moderator_manggar)
        raise RuntimeError("a later step of the same request failed")

    assert not Notification.objects.exists()

    async def nothing_arrives():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(channel), timeout=0.2)

    async_to_sync(nothing_arrives)()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_milestone_reached_by_two_concurrent_votes_is_announced_once():
    import threading

    from django.db import connection as thread_connection

    proposal = ProposalFactory()
    barrier = threading.Barrier(2)

    def vote_lands():
        try:
            with transaction.atomic():
                barrier.wait(timeout=5)
                notify_vote_milestone(
                    proposal_id=proposal.pk, author_id=proposal.author_id, title=proposal.title, vote_count=10
                )
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=vote_lands) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert Notification.objects.filter(recipient=proposal.author, kind=NotificationKind.VOTE_MILESTONE).count() == 1
