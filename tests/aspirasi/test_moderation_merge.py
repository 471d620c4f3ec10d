"""Merging proposals: votes move to the target in SQL and a resident who supported both counts once."""

import pytest

from aspirasi.models import AuditEntry, ProposalStatus, Vote
from tests.factories import ProposalFactory, UserFactory, VoteFactory, kelurahan

pytestmark = pytest.mark.django_db


def merge(client, proposal, target_id):
    url = f"/api/v1/moderation/proposals/{proposal.pk}/decision/"
    return client.post(url, {"action": "merge", "target": target_id}, format="json")


def test_merge_moves_votes_and_a_voter_of_both_counts_once(as_moderator):
    source = ProposalFactory(status=ProposalStatus.PUBLISHED, vote_count=3)
    target = ProposalFactory(status=ProposalStatus.PUBLISHED, vote_count=2)
    both, only_source, another_source, only_target = UserFactory.create_batch(4)
    for voter in (both, only_source, another_source):
        VoteFactory(proposal=source, voter=voter)
    for voter in (both, only_target):
        VoteFactory(proposal=target, voter=voter)

    response = merge(as_moderator, source, target.pk)

    assert response.status_code == 200, response.json()
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.status == "merged" and source.merged_into == target and source.vote_count == 0
    assert target.vote_count == 4
    assert set(Vote.objects.filter(proposal=target).values_list("voter", flat=True)) == {
        both.pk,
        only_source.pk,
        another_source.pk,
        only_target.pk,
    }
    assert not Vote.objects.filter(proposal=source).exists()
    entry = AuditEntry.objects.get(item_id=source.pk, action="merge")
    assert entry.before["target_vote_count"] == 2 and entry.after["target_vote_count"] == 4
    assert entry.after["merged_into"] == target.pk and entry.after["status"] == "merged"


def test_merge_of_a_submitted_proposal_into_a_public_one(as_moderator):
    source = ProposalFactory(status=ProposalStatus.SUBMITTED)
    target = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert merge(as_moderator, source, target.pk).status_code == 200
    target.refresh_from_db()
    assert target.vote_count == 0


@pytest.mark.parametrize(
    "target_kwargs",
    [
        {"status": ProposalStatus.SUBMITTED},
        {"status": ProposalStatus.REJECTED},
        {"status": ProposalStatus.PUBLISHED, "kelurahan_slug": "margasari"},
    ],
)
def test_invalid_merge_targets_are_refused(as_moderator, target_kwargs):
    slug = target_kwargs.pop("kelurahan_slug", "manggar")
    source = ProposalFactory(status=ProposalStatus.PUBLISHED)
    target = ProposalFactory(kelurahan=kelurahan(slug), **target_kwargs)
    response = merge(as_moderator, source, target.pk)
    assert response.status_code == 409 and response.json()["code"] == "invalid_merge_target"
    source.refresh_from_db()
    assert source.status == "published"


def test_merge_into_itself_a_merged_or_a_missing_proposal_is_refused(as_moderator):
    source = ProposalFactory(status=ProposalStatus.PUBLISHED)
    final = ProposalFactory(status=ProposalStatus.PUBLISHED)
    merged = ProposalFactory(status=ProposalStatus.MERGED, merged_into=final)
    for target_id in (source.pk, merged.pk, 999_999):
        assert merge(as_moderator, source, target_id).json()["code"] == "invalid_merge_target"


def test_a_merged_proposal_cannot_be_merged_again(as_moderator):
    final = ProposalFactory(status=ProposalStatus.PUBLISHED)
    merged = ProposalFactory(status=ProposalStatus.MERGED, merged_into=final)
    other = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert merge(as_moderator, merged, other.pk).json()["code"] == "illegal_transition"
