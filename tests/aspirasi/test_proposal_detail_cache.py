"""A public proposal's detail, cached like a page of the list (api/list_cache.py `detail_page`): read once
per version for everyone, the caller's own fields added per request, never stale.

Every writer's case lives in test_proposals_list_cache.py, whose `_items` also reads each listed item's
detail and compares the two; here what only the detail has: its timeline, who may read a proposal that is
not public, and the staff's own view.
"""

import pytest

from aspirasi.api.proposals import ProposalDetailOutput, ProposalStaffDetailOutput
from aspirasi.models import ProposalStatus
from aspirasi.selectors import proposals as selectors
from aspirasi.services import moderation, votes
from tests.factories import ProposalFactory, kelurahan

pytestmark = pytest.mark.django_db


def _url(proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/"


def test_a_repeated_read_renders_nothing_again(api, as_resident, django_assert_num_queries):
    proposal = ProposalFactory()
    api.get(_url(proposal))
    with django_assert_num_queries(2):  # its OPD follow-up (test_proposal_follow_up.py), the list's versions
        assert api.get(_url(proposal)).status_code == 200
    as_resident.get(_url(proposal))
    with django_assert_num_queries(2):  # the follow-up, the versions; the caller and their vote are kept
        assert as_resident.get(_url(proposal)).status_code == 200


@pytest.mark.parametrize("caller", ["anonymous", "voter", "author", "other resident"])
def test_the_detail_is_the_serializer_output(
    caller, api, as_resident, as_other_resident, resident, other_resident, committed
):
    """Kept as JSON with the caller's own fields appended: it must equal what the serializer gives the caller."""
    proposal = ProposalFactory(author=other_resident, volume="12.50")
    with committed():
        votes.vote_cast(proposal_id=proposal.pk, voter_id=resident.pk)
    client, user = {
        "anonymous": (api, None),
        "voter": (as_resident, resident),
        "author": (as_other_resident, other_resident),
        "other resident": (as_resident, resident),
    }[caller]
    if caller == "other resident":
        proposal = ProposalFactory()  # nobody's vote, somebody else's
    api.get(_url(proposal))  # built for an anonymous caller first: the same item serves everyone
    for _ in range(2):
        response = client.get(_url(proposal))
        assert response.status_code == 200
        expected = ProposalDetailOutput(
            selectors.proposal_detail(pk=proposal.pk, user=user),
            context={"request": response.wsgi_request, "user": user or response.wsgi_request.user},
        ).data
        assert response.json() == expected
    body = response.json()
    assert body["has_voted"] == (caller == "voter")
    assert body["is_own"] == (caller == "author")


def test_a_status_change_shows_in_the_timeline_at_once(api, planner, committed):
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"))
    before = api.get(_url(proposal)).json()
    with committed():
        from aspirasi.services import status

        status.proposal_change_status(
            proposal=proposal, to_status=ProposalStatus.ACCEPTED, actor=planner, message="Masuk RKPD 2027"
        )
    after = api.get(_url(proposal)).json()
    assert after["status"] == ProposalStatus.ACCEPTED
    assert len(after["timeline"]) == len(before["timeline"]) + 1
    assert after["timeline"][-1]["message"] == "Masuk RKPD 2027"


def test_a_rejected_proposal_leaves_the_public_at_once_and_stays_its_authors(
    api, as_resident, resident, moderator_manggar, committed
):
    proposal = ProposalFactory(author=resident, kelurahan=kelurahan("manggar"))
    assert api.get(_url(proposal)).status_code == 200
    assert as_resident.get(_url(proposal)).status_code == 200
    with committed():
        moderation.proposal_reject(proposal=proposal, actor=moderator_manggar, reason="offensive")
    assert api.get(_url(proposal)).status_code == 404
    own = as_resident.get(_url(proposal))
    assert own.status_code == 200 and own.json()["status"] == ProposalStatus.REJECTED
    assert own.json()["rejection_reason"] == "offensive"


def test_a_proposal_not_yet_public_is_its_authors_only(api, as_resident, as_other_resident, resident):
    waiting = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    assert api.get(_url(waiting)).status_code == 404  # kept as "not public" under these versions...
    mine = as_resident.get(_url(waiting))  # ...which sends its author to their own view
    assert mine.status_code == 200 and mine.json()["is_own"]
    assert as_other_resident.get(_url(waiting)).status_code == 404


def test_staff_see_the_author_not_the_public_detail(api, as_moderator, moderator_manggar):
    proposal = ProposalFactory(anonymous=True, kelurahan=kelurahan("manggar"))
    public = api.get(_url(proposal)).json()
    assert "author" not in public and public["author_name"].startswith("Warga ")
    response = as_moderator.get(_url(proposal))
    staff = ProposalStaffDetailOutput(
        selectors.proposal_detail(pk=proposal.pk, user=moderator_manggar),
        context={"request": response.wsgi_request, "user": moderator_manggar},
    ).data
    assert response.json() == staff and response.json()["author"]["id"] == proposal.author_id


def test_each_language_has_its_own_detail(api):
    proposal = ProposalFactory()
    names = {
        language: api.get(_url(proposal), HTTP_ACCEPT_LANGUAGE=language).json()["category"]["name"]
        for language in ("id", "en")
    }
    assert names == {"id": proposal.category.name_id, "en": proposal.category.name_en}


def test_the_browsable_api_gets_the_same_detail(api):
    proposal = ProposalFactory()
    api.get(_url(proposal))
    response = api.get(_url(proposal), HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert proposal.title in response.content.decode()
