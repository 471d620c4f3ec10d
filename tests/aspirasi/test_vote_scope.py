"""A cycle's vote scope says whose votes count where: anyone's (`city`), or only residents of the proposal's
kecamatan or kelurahan. The vote enforces it (services/votes.py) with `vote_out_of_scope`."""

import pytest
from django.test import Client
from django.urls import reverse

from aspirasi.models import Kelurahan, Vote, VoteScope
from tests.aspirasi.planning_fixtures import make_cycle
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory, kelurahan

pytestmark = pytest.mark.django_db

# The proposal is in Manggar (Balikpapan Timur); Teritip is another kelurahan of the same kecamatan,
# Margasari one of Balikpapan Barat.
WHERE_VOTERS_LIVE = ["manggar", "teritip", "margasari", None]
ALLOWED = {
    VoteScope.CITY: {"manggar", "teritip", "margasari", None},
    VoteScope.KECAMATAN: {"manggar", "teritip"},
    VoteScope.KELURAHAN: {"manggar"},
}


def _voter(home: str | None):
    return UserFactory(kelurahan=Kelurahan.objects.get(slug=home) if home else None)


def _vote(user, proposal, method="post", **extra):
    return getattr(client_for(user, **extra), method)(f"/api/v1/proposals/{proposal.pk}/vote/")


@pytest.mark.parametrize("scope", list(VoteScope))
def test_only_residents_of_the_scope_vote(scope):
    make_cycle(phase="voting").__class__.objects.update(vote_scope=scope)
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"))

    answers = {home: _vote(_voter(home), proposal) for home in WHERE_VOTERS_LIVE}

    assert {home for home, response in answers.items() if response.status_code == 201} == ALLOWED[scope]
    for home, response in answers.items():
        if home not in ALLOWED[scope]:
            assert (response.status_code, response.json()["code"]) == (403, "vote_out_of_scope")
    proposal.refresh_from_db()
    assert proposal.vote_count == Vote.objects.filter(proposal=proposal).count() == len(ALLOWED[scope])


def test_without_a_cycle_anyone_votes_anywhere():
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"))
    assert _vote(_voter("margasari"), proposal).status_code == 201
    assert _vote(_voter(None), proposal).status_code == 201


@pytest.mark.parametrize("language, words", [("en", "only residents"), ("id", "hanya warga")])
def test_the_refusal_is_translated(language, words):
    make_cycle(phase="voting").__class__.objects.update(vote_scope=VoteScope.KELURAHAN)
    response = _vote(_voter("teritip"), ProposalFactory(), language=language)
    assert response.json()["code"] == "vote_out_of_scope" and words in response.json()["message"]


def test_support_given_before_the_scope_narrowed_can_be_withdrawn():
    cycle = make_cycle(phase="voting")
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"))
    outsider = _voter("margasari")
    assert _vote(outsider, proposal).status_code == 201
    cycle.__class__.objects.update(vote_scope=VoteScope.KELURAHAN)

    assert _vote(outsider, proposal).json()["code"] == "vote_out_of_scope"  # not even a repeat
    withdrawn = _vote(outsider, proposal, method="delete")
    assert withdrawn.status_code == 200 and withdrawn.json()["has_voted"] is False
    proposal.refresh_from_db()
    assert proposal.vote_count == 0


def test_the_scope_is_read_where_the_voter_lives_now():
    make_cycle(phase="voting").__class__.objects.update(vote_scope=VoteScope.KELURAHAN)
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"))
    voter = _voter("teritip")
    assert _vote(voter, proposal).status_code == 403
    voter.__class__.objects.filter(pk=voter.pk).update(kelurahan=kelurahan("manggar"))
    assert _vote(voter, proposal).status_code == 201


@pytest.mark.parametrize("scope", [VoteScope.KECAMATAN, VoteScope.KELURAHAN])
def test_a_scoped_vote_takes_the_same_statements(as_resident, scope, django_assert_num_queries):
    # As test_votes.test_a_vote_takes_a_fixed_number_of_statements: the scope is read with the voter's lock
    # and the ballot, no statement of its own.
    make_cycle(phase="voting").__class__.objects.update(vote_scope=scope)
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"))
    as_resident.get("/api/v1/proposals/")
    with django_assert_num_queries(8):  # the first vote of this version of the cycles reads the cycle
        assert as_resident.post(f"/api/v1/proposals/{proposal.pk}/vote/").status_code == 201
    with django_assert_num_queries(7):
        assert as_resident.delete(f"/api/v1/proposals/{proposal.pk}/vote/").status_code == 200


def test_the_cycles_api_shows_the_scope(api):
    make_cycle(phase="voting").__class__.objects.update(vote_scope=VoteScope.KECAMATAN)
    (cycle,) = api.get("/api/v1/planning/cycles/").json()
    assert cycle["vote_scope"] == "kecamatan"


def test_planners_set_the_scope_in_the_admin(planner):
    cycle = make_cycle(phase="voting")
    browser = Client()
    browser.force_login(planner)
    page = browser.get(reverse("admin:aspirasi_cycle_change", args=[cycle.pk]))
    assert page.status_code == 200 and b'name="vote_scope"' in page.content
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(vote_scope="kelurahan")
    response = browser.post(reverse("admin:aspirasi_cycle_change", args=[cycle.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    cycle.refresh_from_db()
    assert cycle.vote_scope == VoteScope.KELURAHAN
