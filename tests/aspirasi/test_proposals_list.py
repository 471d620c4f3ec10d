"""The public list: filters, search, orderings, distance, cursor pagination and a constant query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from aspirasi.models import Kecamatan, ProposalPhoto, ProposalStatus, TargetGroup, Vote
from tests.factories import ProposalFactory, UserFactory, category, kelurahan

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/"


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def test_newest_first_with_cursor_pages(api):
    proposals = [ProposalFactory() for _ in range(5)]
    first = api.get(URL, {"page_size": 2}).json()
    assert [p["id"] for p in first["results"]] == [proposals[4].pk, proposals[3].pk]
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    assert [p["id"] for p in second["results"] + third["results"]] == [p.pk for p in reversed(proposals[:3])]
    assert third["next"] is None


def test_page_size_past_100_is_refused(api):
    ProposalFactory.create_batch(3)
    # Refused, not capped: the schema states 1..100, and a client would never learn its mistake.
    response = api.get(URL, {"page_size": 1000})
    assert response.status_code == 400 and "page_size" in response.json()["fields"]
    assert len(api.get(URL, {"page_size": 100}).json()["results"]) == 3


def test_filters_by_category_id_or_slug_kelurahan_kecamatan_and_target_group(api):
    health = ProposalFactory(category=category("kesehatan"), kelurahan=kelurahan("teritip"))
    health.target_groups.set([TargetGroup.objects.get(slug="elderly")])
    school = ProposalFactory(category=category("pendidikan"), kelurahan=kelurahan("manggar"))
    assert _ids(api.get(URL, {"category": "kesehatan"})) == [health.pk]
    assert _ids(api.get(URL, {"category": category("pendidikan").pk})) == [school.pk]
    assert _ids(api.get(URL, {"kelurahan": kelurahan("teritip").pk})) == [health.pk]
    timur = Kecamatan.objects.get(code="64.71.01")
    assert set(_ids(api.get(URL, {"kecamatan": timur.slug}))) == {health.pk, school.pk}
    assert _ids(api.get(URL, {"kecamatan": Kecamatan.objects.get(code="64.71.02").pk})) == []
    assert _ids(api.get(URL, {"target_group": "elderly"})) == [health.pk]
    assert _ids(api.get(URL, {"status": "accepted"})) == []


def test_bad_filter_values_give_validation_errors(api):
    bad = [{"ordering": "oldest"}, {"kelurahan": "abc"}, {"near": "x,y"}, {"near": "-1.2,116.9", "radius_km": 500}]
    for params in bad:
        response = api.get(URL, params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "validation_error"


def test_search_matches_words_in_title_or_description_ignoring_case(api):
    sewing = ProposalFactory(title="Pelatihan Menjahit", description="Untuk ibu-ibu di RT 3")
    road = ProposalFactory(title="Perbaikan jalan", description="Jalan berlubang dekat pasar")
    ProposalFactory(title="Posyandu lansia", description="Pemeriksaan kesehatan rutin")
    assert _ids(api.get(URL, {"q": "menjahit"})) == [sewing.pk]
    assert _ids(api.get(URL, {"q": "JALAN pasar"})) == [road.pk]
    assert _ids(api.get(URL, {"q": "sekolah"})) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Indonesian stemming needs PostgreSQL")
def test_search_stems_indonesian_words_on_postgresql(api):
    training = ProposalFactory(title="Pelatihan keterampilan", description="Melatih pemuda putus sekolah")
    ProposalFactory(title="Perbaikan jalan", description="Jalan berlubang")
    assert _ids(api.get(URL, {"q": "latih"})) == [training.pk]


def test_most_voted_orders_by_votes_with_id_tie_break(api):
    low = ProposalFactory(vote_count=1)
    high = ProposalFactory(vote_count=9)
    tie_a = ProposalFactory(vote_count=5)
    tie_b = ProposalFactory(vote_count=5)
    assert _ids(api.get(URL, {"ordering": "most_voted"})) == [high.pk, tie_b.pk, tie_a.pk, low.pk]
    first = api.get(URL, {"ordering": "most_voted", "page_size": 2}).json()
    assert _ids(api.get(first["next"])) == [tie_a.pk, low.pk]


def test_trending_counts_votes_of_the_last_seven_days(api):
    old_favourite = ProposalFactory(vote_count=3)
    rising = ProposalFactory(vote_count=2)
    voters = UserFactory.create_batch(3)
    for voter in voters:
        Vote.objects.create(proposal=old_favourite, voter=voter)
    Vote.objects.filter(proposal=old_favourite).update(created_at=timezone.now() - timedelta(days=30))
    for voter in voters[:2]:
        Vote.objects.create(proposal=rising, voter=voter)
    assert _ids(api.get(URL, {"ordering": "trending"})) == [rising.pk, old_favourite.pk]
    assert _ids(api.get(URL, {"ordering": "most_voted"})) == [old_favourite.pk, rising.pk]


def test_near_filters_by_radius_and_reports_distance(api):
    here = ProposalFactory(latitude=Decimal("-1.250000"), longitude=Decimal("116.850000"))
    two_km = ProposalFactory(latitude=Decimal("-1.268000"), longitude=Decimal("116.850000"))
    far = ProposalFactory(latitude=Decimal("-1.100000"), longitude=Decimal("117.100000"))
    ProposalFactory()  # no point: never near anything
    items = api.get(URL, {"near": "-1.25,116.85", "radius_km": 3}).json()["results"]
    distances = {item["id"]: item["distance_km"] for item in items}
    assert set(distances) == {here.pk, two_km.pk}
    assert distances[here.pk] == pytest.approx(0, abs=0.001)
    assert distances[two_km.pk] == pytest.approx(2.0, abs=0.02)  # 0.018 degrees of latitude
    assert far.pk not in distances
    assert api.get(URL).json()["results"][0]["distance_km"] is None


def _list_with_related_rows(count: int):
    for index in range(count):
        proposal = ProposalFactory(latitude=Decimal("-1.25"), longitude=Decimal("116.85"))
        proposal.target_groups.set(TargetGroup.objects.all()[:2])
        ProposalPhoto.objects.create(
            proposal=proposal,
            image=f"p{index}.jpg",
            thumbnail_small="s.jpg",
            thumbnail_large="l.jpg",
            width=4,
            height=3,
        )


@pytest.mark.parametrize(
    "params",
    [{}, {"ordering": "trending", "q": "menjahit", "near": "-1.25,116.85", "category": "pendidikan"}],
)
def test_query_count_is_constant_whatever_the_page_size(as_resident, resident, django_assert_num_queries, params):
    _list_with_related_rows(6)
    Vote.objects.create(proposal_id=ProposalFactory().pk, voter=resident)
    as_resident.get("/api/v1/me/")  # the caller is kept from here on (api/authentication.py)
    # the list's versions (not for trending, read live) + the page's live rows + its items (+ target
    # groups, photos) + which of them the caller supports
    expected = 5 if params.get("ordering") == "trending" else 6
    with django_assert_num_queries(expected):
        small = as_resident.get(URL, {**params, "page_size": 2})
    caches["list_items"].clear()
    with django_assert_num_queries(expected):
        large = as_resident.get(URL, {**params, "page_size": 50})
    assert len(small.json()["results"]) == 2
    assert len(large.json()["results"]) >= 6
    with_photos = [item for item in large.json()["results"] if item["photos"]]
    assert len(with_photos) == 6 and all(len(item["target_groups"]) == 2 for item in with_photos)


def test_anonymous_list_query_count(api, django_assert_num_queries):
    _list_with_related_rows(3)
    # the list's versions + the page's live rows + its items rendered (+ target groups + photos)
    with django_assert_num_queries(5):
        api.get(URL, {"page_size": 2})
    caches["list_items"].clear()
    with django_assert_num_queries(5):
        api.get(URL, {"page_size": 30})


def test_list_answers_304_to_its_etag(api):
    ProposalFactory()
    first = api.get(URL)
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_each_callers_page_has_its_own_etag(api, as_resident, as_other_resident, resident, other_resident, committed):
    """The list sets its ETag from what the bytes are made of: a different body never shares one."""
    from aspirasi.services import votes

    supported, own = ProposalFactory(), ProposalFactory(author=resident)
    with committed():
        votes.vote_cast(proposal_id=supported.pk, voter_id=other_resident.pk)
    tags = {"anonymous": api.get(URL)["ETag"], "other": as_other_resident.get(URL)["ETag"]}
    tags["resident"] = as_resident.get(URL)["ETag"]  # is_own and has_voted differ from the other's
    with committed():  # the tally ends where it was: only the resident's has_voted changes
        votes.vote_cast(proposal_id=supported.pk, voter_id=resident.pk)
        votes.vote_withdraw(proposal_id=supported.pk, voter_id=other_resident.pk)
    assert api.get(URL)["ETag"] == tags["anonymous"]  # the same bytes for anyone without a token
    tags["resident, voted"] = as_resident.get(URL)["ETag"]
    assert len(set(tags.values())) == len(tags)
    assert as_resident.get(URL, HTTP_IF_NONE_MATCH=tags["resident, voted"]).status_code == 304
    assert as_other_resident.get(URL, HTTP_IF_NONE_MATCH=tags["resident, voted"]).status_code == 200
    assert own.pk in [item["id"] for item in as_resident.get(URL).json()["results"]]


def test_my_proposals_lists_every_state_and_filters_by_status(as_resident, resident):
    ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    rejected = ProposalFactory(author=resident, status=ProposalStatus.REJECTED)
    ProposalFactory()  # someone else's
    assert len(as_resident.get("/api/v1/me/proposals/").json()["results"]) == 2
    assert _ids(as_resident.get("/api/v1/me/proposals/", {"status": "rejected"})) == [rejected.pk]
