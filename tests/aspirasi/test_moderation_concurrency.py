"""Two moderators deciding one item at the same moment: exactly one wins (PostgreSQL row locks, threads)."""

import threading

import pytest
from django.db import connection, connections

from aspirasi.errors import DomainError
from aspirasi.models import AuditEntry, Proposal, ProposalStatus
from aspirasi.services.moderation import proposal_claim, proposal_publish
from tests.factories import ProposalFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(*decisions):
    """Run each decision in its own thread and connection, released together; returns results/error codes."""
    barrier = threading.Barrier(len(decisions))
    outcomes = [None] * len(decisions)

    def run(index, decision):
        try:
            barrier.wait(timeout=10)
            decision()
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, d)) for i, d in enumerate(decisions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_publishes_at_once_only_one_wins(moderator_manggar, admin_user):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)

    outcomes = _race(
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

    outcomes = _race(
        lambda: proposal_claim(proposal=Proposal.objects.get(pk=proposal.pk), actor=moderator_manggar),
        lambda: proposal_claim(proposal=Proposal.objects.get(pk=proposal.pk), actor=moderator_barat),
    )

    assert sorted(outcomes) == ["already_claimed", "ok"]
    proposal.refresh_from_db()
    winner = moderator_manggar if outcomes[0] == "ok" else moderator_barat
    assert proposal.status == "in_review" and proposal.claimed_by == winner
