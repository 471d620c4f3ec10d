"""The ballot storm's recount (bench/ballot_bench.py) finds what it is there to find: a ballot that is not the
one last acknowledged, a tally that does not add up; and the storm's ballots keep to the pagu."""

import contextlib
import io
import json
import random

import pytest

from aspirasi.models import BallotChoice, Kelurahan
from bench import ballot_bench
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _recount(monkeypatch, tmp_path, cycle, ballots: dict) -> dict:
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps({"cycle": cycle.pk, "ballots": {str(k): v for k, v in ballots.items()}}))
    monkeypatch.setenv("BALLOT_EXPECTED", str(expected))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(ballot_bench.RECOUNT, {})  # noqa: S102 - the bench's own script, as `manage.py shell -c` runs it
    return json.loads(out.getvalue())


def test_recount_agrees_with_the_acknowledged_ballots_and_catches_a_mix(monkeypatch, tmp_path):
    manggar = Kelurahan.objects.get(slug="manggar")
    cycle = make_cycle(phase="voting")
    a, b, c = (ProposalFactory(cycle=cycle, kelurahan=manggar, estimated_cost=10) for _ in range(3))
    first, second = UserFactory(kelurahan=manggar), UserFactory(kelurahan=manggar)
    for voter, proposals in ((first, [a, b]), (second, [b])):
        for proposal in proposals:
            BallotChoice.objects.create(cycle=cycle, voter=voter, proposal=proposal)

    exact = _recount(monkeypatch, tmp_path, cycle, {first.pk: [b.pk, a.pk], second.pk: [b.pk]})
    assert exact == {"ballots_wrong": 0, "tallies_wrong": 0, "choices": 3}

    # The server acknowledged [a, c] to the first voter last, but [a, b] is stored: one ballot and two tallies off.
    mixed = _recount(monkeypatch, tmp_path, cycle, {first.pk: [a.pk, c.pk], second.pk: [b.pk]})
    assert mixed["ballots_wrong"] == 1 and mixed["tallies_wrong"] == 2

    # A stored ballot nobody was acknowledged is wrong too.
    stray = _recount(monkeypatch, tmp_path, cycle, {first.pk: [a.pk, b.pk]})
    assert stray["ballots_wrong"] == 1 and stray["tallies_wrong"] == 1


@pytest.mark.parametrize("seed", range(20))
def test_storm_ballots_fit_the_pagu(seed):
    rng = random.Random(seed)
    proposals = [[pk, rng.randint(5, 200) * 1_000_000] for pk in range(40)]
    cost = dict(map(tuple, proposals))
    ballot = ballot_bench.random_ballot(rng, proposals, 300_000_000)
    assert len(set(ballot)) == len(ballot) and sum(cost[pk] for pk in ballot) <= 300_000_000
