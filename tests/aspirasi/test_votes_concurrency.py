"""Vote counts stay exact when many residents cast and withdraw at the same moment (real threads, PostgreSQL)."""

import contextlib
import random
import threading

import pytest
from django.db import connection
from django.db.models import Count, F

from aspirasi.errors import VoteBudgetExhausted
from aspirasi.models import Proposal, Vote
from aspirasi.services.votes import vote_cast, vote_withdraw
from tests.factories import ProposalFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_threads(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int):
        try:
            barrier.wait()
            target(index)
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_casts_and_withdrawals_keep_every_count_exact(settings):
    settings.VOTE_BUDGET = 100
    proposals = ProposalFactory.create_batch(3)
    voters = UserFactory.create_batch(20)

    def storm(index: int):
        rng = random.Random(index)
        for _ in range(15):
            proposal = rng.choice(proposals)
            if rng.random() < 0.6:
                vote_cast(proposal_id=proposal.pk, voter_id=voters[index].pk)
            else:
                vote_withdraw(proposal_id=proposal.pk, voter_id=voters[index].pk)

    assert _run_threads(storm, 20) == []
    wrong = Proposal.objects.annotate(n=Count("votes")).exclude(vote_count=F("n"))
    assert not wrong.exists()
    assert Vote.objects.count() == sum(Proposal.objects.values_list("vote_count", flat=True))


def test_one_resident_voting_in_parallel_cannot_overspend_the_budget(settings):
    settings.VOTE_BUDGET = 3
    proposals = ProposalFactory.create_batch(10)
    voter = UserFactory()

    def cast(index: int):
        with contextlib.suppress(VoteBudgetExhausted):
            vote_cast(proposal_id=proposals[index].pk, voter_id=voter.pk)

    assert _run_threads(cast, 10) == []
    assert Vote.objects.filter(voter=voter).count() == 3
    assert sum(Proposal.objects.values_list("vote_count", flat=True)) == 3


def test_the_same_vote_sent_twice_at_once_counts_once():
    proposal = ProposalFactory()
    voter = UserFactory()
    assert _run_threads(lambda index: vote_cast(proposal_id=proposal.pk, voter_id=voter.pk), 8) == []
    proposal.refresh_from_db()
    assert proposal.vote_count == Vote.objects.filter(proposal=proposal).count() == 1
