"""Likely duplicates while a resident writes a proposal: text similarity plus distance."""

from decimal import Decimal

import pytest

from aspirasi.models import ProposalStatus
from tests.factories import ProposalFactory, category

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/similar/"


def test_similar_titles_come_first_with_a_score(api):
    sewing = ProposalFactory(title="Pelatihan menjahit untuk ibu rumah tangga", description="Kursus jahit tiga bulan")
    ProposalFactory(title="Perbaikan drainase jalan", description="Saluran air tersumbat saat hujan")
    response = api.get(URL, {"title": "Pelatihan menjahit ibu-ibu"})
    assert response.status_code == 200
    results = response.json()
    assert [r["id"] for r in results] == [sewing.pk]
    assert 0 < results[0]["similarity"] <= 1
    assert results[0]["distance_km"] is None


def test_unpublished_hidden_and_merged_are_never_offered(api):
    title = "Pelatihan menjahit untuk ibu rumah tangga"
    ProposalFactory(title=title, status=ProposalStatus.SUBMITTED)
    ProposalFactory(title=title, is_hidden=True)
    ProposalFactory(title=title, status=ProposalStatus.MERGED, merged_into=ProposalFactory(title="Lain"))
    assert api.get(URL, {"title": title}).json() == []


def test_a_nearby_duplicate_ranks_above_a_distant_one_and_shows_distance(api):
    title = "Perbaikan jalan berlubang di depan sekolah"
    far = ProposalFactory(title=title, latitude=Decimal("-1.100000"), longitude=Decimal("117.100000"))
    near = ProposalFactory(title=title, latitude=Decimal("-1.250000"), longitude=Decimal("116.850000"))
    results = api.get(URL, {"title": title, "latitude": -1.2501, "longitude": 116.8501}).json()
    assert [r["id"] for r in results] == [near.pk, far.pk]
    assert results[0]["distance_km"] < 0.1 < results[1]["distance_km"]


def test_category_narrows_the_candidates(api):
    title = "Posyandu lansia setiap bulan"
    health = ProposalFactory(title=title, category=category("kesehatan"))
    ProposalFactory(title=title, category=category("pendidikan"))
    results = api.get(URL, {"title": title, "category": category("kesehatan").pk}).json()
    assert [r["id"] for r in results] == [health.pk]


@pytest.mark.parametrize(
    "params", [{}, {"title": "Jalan", "latitude": -1.2}, {"title": "Jalan", "latitude": "nan", "longitude": 1}]
)
def test_bad_queries_are_validation_errors(api, params):
    response = api.get(URL, params)
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
