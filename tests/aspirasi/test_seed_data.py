"""seed_data: a consistent, realistic data set; reusable residents; counts that match."""

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from aspirasi.geo import point_in_balikpapan
from aspirasi.models import Kelurahan, Proposal, ProposalStatus, ProposalStatusEvent, User, Vote
from aspirasi.models.proposals import PUBLIC_STATUSES

pytestmark = pytest.mark.django_db


def _seed(**options):
    call_command("seed_data", stdout=open("/dev/null", "w"), **{"seed": 7, **options})  # noqa: SIM115


def test_seeded_vote_counts_match_vote_rows_and_points_lie_in_the_city():
    _seed(proposals=300, votes=2000, residents=40)
    assert Proposal.objects.count() == 300
    assert Vote.objects.count() == 2000
    assert not Proposal.objects.annotate(n=Count("votes")).exclude(vote_count=F("n")).exists()
    assert not Vote.objects.exclude(proposal__status__in=PUBLIC_STATUSES).exists()
    published = Proposal.objects.filter(status=ProposalStatus.PUBLISHED).count()
    assert published > 0.6 * 300 and Proposal.objects.filter(status=ProposalStatus.SUBMITTED).exists()
    for latitude, longitude in Proposal.objects.exclude(latitude=None).values_list("latitude", "longitude"):
        assert point_in_balikpapan(float(latitude), float(longitude))
    assert Kelurahan.objects.filter(proposals__isnull=False).distinct().count() > 25  # spread over the city
    # Every proposal has its timeline, and ids follow creation time (the "newest" ordering relies on it).
    assert ProposalStatusEvent.objects.filter(from_status="", to_status="submitted").count() == 300
    created = list(Proposal.objects.order_by("id").values_list("created_at", flat=True))
    assert created == sorted(created)


def test_running_again_reuses_residents_and_adds_proposals():
    _seed(proposals=20, votes=50, residents=10)
    _seed(proposals=20, votes=50, residents=10)
    assert User.objects.filter(role="resident").count() == 10
    assert Proposal.objects.count() == 40
    assert not Proposal.objects.annotate(n=Count("votes")).exclude(vote_count=F("n")).exists()


def test_more_votes_than_pairs_is_capped_not_an_endless_loop():
    _seed(proposals=3, votes=1000, residents=2)
    public = Proposal.objects.filter(status__in=PUBLIC_STATUSES).count()
    assert Vote.objects.count() <= public * 2


def test_seeded_list_query_count_does_not_grow(api, django_assert_num_queries):
    _seed(proposals=60, votes=200, residents=10)
    with django_assert_num_queries(4):  # live fields and version + items (+ target groups + photos)
        response = api.get("/api/v1/proposals/", {"page_size": 50, "ordering": "trending"})
    assert len(response.json()["results"]) == 50
