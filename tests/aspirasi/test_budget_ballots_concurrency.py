"""A resident's ballot replaced twice at the same moment ends as one of the two, whole (real threads, PostgreSQL)."""

import pytest
from django.db import connection

from aspirasi.models import AreaBudget, BallotChoice, Kelurahan
from aspirasi.services.ballots import ballot_replace
from tests.aspirasi.planning_fixtures import make_cycle
from tests.factories import ProposalFactory, UserFactory
from tests.races import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_replacements_leave_one_whole_ballot_within_the_pagu():
    manggar = Kelurahan.objects.get(slug="manggar")
    cycle = make_cycle(phase="voting")
    cycle.budget_ballot = True
    cycle.save()
    AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=manggar, amount=100, source="apbd")
    a, b, c, d = (ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=50) for _ in range(4))
    voter = UserFactory(kelurahan=manggar)
    ballots = [[a.pk, b.pk], [c.pk, d.pk], [a.pk, c.pk], [b.pk, d.pk]]

    outcomes = race(*(lambda ids=ids: ballot_replace(cycle=cycle, voter=voter, proposal_ids=ids) for ids in ballots))

    assert outcomes == ["ok"] * 4
    final = sorted(BallotChoice.objects.filter(cycle=cycle, voter=voter).values_list("proposal_id", flat=True))
    assert final in [sorted(ids) for ids in ballots]


def test_many_voters_tally_exactly():
    manggar = Kelurahan.objects.get(slug="manggar")
    cycle = make_cycle(phase="voting")
    cycle.budget_ballot = True
    cycle.save()
    AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=manggar, amount=100, source="apbd")
    a, b = (ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=50) for _ in range(2))
    voters = UserFactory.create_batch(8, kelurahan=manggar)

    outcomes = race(*(lambda v=v: ballot_replace(cycle=cycle, voter=v, proposal_ids=[a.pk, b.pk]) for v in voters))

    assert outcomes == ["ok"] * 8
    assert BallotChoice.objects.filter(proposal=a).count() == 8 == BallotChoice.objects.filter(proposal=b).count()
