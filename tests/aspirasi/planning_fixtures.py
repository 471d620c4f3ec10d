"""Shared builders for the planning tests."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aspirasi.models import Cycle, ProposalStatus, Vote


def open_votes_count(*, voter, cycle: Cycle | None = None) -> int:
    """The voter's votes that use the budget, counted plainly (the vote counts them in its ballot)."""
    votes = Vote.objects.filter(voter=voter, proposal__status=ProposalStatus.PUBLISHED)
    return (votes if cycle is None else votes.filter(proposal__cycle=cycle)).count()


def make_cycle(*, phase: str = "voting", name: str = "Musrenbang 2027", **weights) -> Cycle:
    """A cycle whose current phase (today, local time) is `phase`."""
    today = timezone.localdate()
    offsets = {
        "upcoming": 1,
        "submission": 0,
        "review": -10,
        "voting": -20,
        "deliberation": -30,
        "closed": -40,
    }
    start = today + timedelta(days=offsets[phase])
    return Cycle.objects.create(
        name=name,
        submission_starts_on=start,
        review_starts_on=start + timedelta(days=10),
        voting_starts_on=start + timedelta(days=20),
        deliberation_starts_on=start + timedelta(days=30),
        closes_on=start + timedelta(days=40),
        **{f"weight_{k}": Decimal(str(v)) for k, v in weights.items()},
    )


@pytest.fixture
def fast_passwords(settings):
    """Factories hash a password per user; the planning tests make many users and test no passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
