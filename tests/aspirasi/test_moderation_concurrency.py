"""Two moderators deciding one item at the same moment: exactly one wins (PostgreSQL row locks, threads)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from aspirasi.models import AuditEntry, Flag, Proposal, ProposalStatus
from aspirasi.services.flags import proposal_flag
from aspirasi.services.moderation import proposal_claim, proposal_hide, proposal_publish
from tests.factories import ProposalFactory, UserFactory
from tests.races import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_publishes_at_once_only_one_wins(moderator_manggar, admin_user):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)

    outcomes = race(
        lambda: proposal_publish(proposal=Proposal.objects.get(pk=proposal.pk), actor=moderator_manggar),
        lambda: proposal_publish(proposal=Proposal.objects.get(pk=proposal.pk), actor=admin_user),
    )

    # The loser waited on the row lock, then found the item already decided.
    assert sorted(outcomes) == ["illegal_transition", "ok"]
    proposal.refresh_from_db()
    assert proposal.status == "published"
    assert AuditEntry.objects.filter(item_id=proposal.pk).count() == 1
    assert proposal.timeline.count() == 1


def test_two_moderators_claiming_at_once_one_holds_it(moderator_manggar, moderator_barat):
    from aspirasi.models import Kelurahan
    from aspirasi.services.accounts import user_assign_role

    # Both moderate Manggar for this test.
    user_assign_role(user=moderator_barat, role="moderator", kelurahan=[Kelurahan.objects.get(slug="manggar")])
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)

    outcomes = race(
        lambda: proposal_claim(proposal=Proposal.objects.get(pk=proposal.pk), actor=moderator_manggar),
        lambda: proposal_claim(proposal=Proposal.objects.get(pk=proposal.pk), actor=moderator_barat),
    )

    assert sorted(outcomes) == ["already_claimed", "ok"]
    proposal.refresh_from_db()
    winner = moderator_manggar if outcomes[0] == "ok" else moderator_barat
    assert proposal.status == "in_review" and proposal.claimed_by == winner


def _flagged_for_review(threshold_flaggers: int):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED, flag_review_requested_at=timezone.now())
    for _ in range(threshold_flaggers):
        flagger = UserFactory(date_joined=timezone.now() - timedelta(days=2))
        Flag.objects.create(proposal=proposal, flagger=flagger, reason="spam")
    return proposal


def test_restore_and_hide_at_once_one_decides_the_flags(moderator_manggar, admin_user):
    proposal = _flagged_for_review(3)

    outcomes = race(
        lambda: proposal_publish(proposal=Proposal.objects.get(pk=proposal.pk), actor=moderator_manggar),
        lambda: proposal_hide(proposal=Proposal.objects.get(pk=proposal.pk), actor=admin_user),
    )

    # The loser waited on the row lock and found nothing left to decide: the flags were already resolved.
    assert sorted(outcomes) == ["illegal_transition", "ok"]
    proposal.refresh_from_db()
    outcome = set(Flag.objects.values_list("outcome", flat=True))
    assert outcome == ({"hidden"} if proposal.is_hidden else {"restored"})
    assert proposal.flag_review_requested_at is None
    assert AuditEntry.objects.filter(item_id=proposal.pk, action__in=["publish", "hide"]).count() == 1


def test_flaggers_at_once_request_the_review_once(settings):
    settings.FLAG_REVIEW_THRESHOLD = 2
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    flaggers = [UserFactory(date_joined=timezone.now() - timedelta(days=2)) for _ in range(4)]

    outcomes = race(
        *[
            (lambda f=f: proposal_flag(proposal=Proposal.objects.get(pk=proposal.pk), flagger=f, reason="spam"))
            for f in flaggers
        ]
    )

    assert outcomes == ["ok"] * 4 and Flag.objects.filter(proposal=proposal).count() == 4
    assert AuditEntry.objects.filter(item_id=proposal.pk, action="flag_review_requested").count() == 1
    proposal.refresh_from_db()
    assert proposal.flag_review_requested_at is not None and not proposal.is_hidden
