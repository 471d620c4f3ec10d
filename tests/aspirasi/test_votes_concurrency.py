"""Vote counts stay exact when many residents cast and withdraw at the same moment (real threads, PostgreSQL)."""

import contextlib
import random
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F

from aspirasi.errors import VoteBudgetExhausted
from aspirasi.models import Proposal, Vote
from aspirasi.services import votes as vote_services
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


def _lock_timeout(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{value}'")


def test_a_vote_in_progress_holds_up_the_voters_next_vote_not_the_rows_referencing_them():
    """The vote's locks are FOR NO KEY UPDATE: the voter's next vote waits for this one, while a row that only
    references the locked voter or proposal (its foreign key's check) is written at once."""
    proposal, elsewhere = ProposalFactory.create_batch(2)
    voter, neighbour = UserFactory(), UserFactory()
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                subject = vote_services._voter_locked(voter.pk)
                vote_services._proposal_locked(proposal_id=proposal.pk, voter=subject, cycle=None)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            _lock_timeout("2s")
            Vote.objects.create(proposal=proposal, voter=neighbour)  # references the locked proposal
            Vote.objects.create(proposal=elsewhere, voter=voter)  # references the locked voter
        with pytest.raises(OperationalError), transaction.atomic():
            _lock_timeout("200ms")
            vote_services._voter_locked(voter.pk)
    finally:
        release.set()
        thread.join(10)
