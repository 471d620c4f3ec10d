import pytest

pytestmark = pytest.mark.django_db


def test_areas_lists_6_kecamatan_with_34_kelurahan(api):
    response = api.get("/api/v1/areas/")
    assert response.status_code == 200
    areas = response.json()
    assert len(areas) == 6
    assert sum(len(k["kelurahan"]) for k in areas) == 34
    timur = next(k for k in areas if k["code"] == "64.71.01")
    assert timur["name"] == "Balikpapan Timur"
    assert {k["slug"] for k in timur["kelurahan"]} == {"lamaru", "manggar", "manggar-baru", "teritip"}


def test_areas_are_cacheable_with_etag(api):
    first = api.get("/api/v1/areas/")
    assert "public" in first["Cache-Control"]
    etag = first["ETag"]
    again = api.get("/api/v1/areas/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_categories_follow_accept_language(api):
    indonesian = api.get("/api/v1/categories/").json()
    english = api.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert len(indonesian) == 7
    assert indonesian[0]["name"] == "Pendidikan & Pelatihan Keterampilan"
    assert english[0]["name"] == "Education & Vocational Skills"
    assert {c["slug"] for c in indonesian} >= {"ekonomi-umkm", "kesehatan", "partisipasi"}


def test_inactive_category_is_hidden(api):
    from aspirasi.models import Category

    Category.objects.filter(slug="lainnya").update(is_active=False)
    assert "lainnya" not in {c["slug"] for c in api.get("/api/v1/categories/").json()}


def test_target_groups(api):
    slugs = {g["slug"] for g in api.get("/api/v1/target-groups/").json()}
    assert slugs == {"women", "youth", "elderly", "disabilities", "low_income", "micro_business", "children"}
