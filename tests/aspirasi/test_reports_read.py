"""Reading photo reports: the public list and its filters, one report by visibility, one's own."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aspirasi.models import Kecamatan, Report, ReportStatus
from tests.conftest import client_for
from tests.factories import UserFactory, category, kelurahan

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"


def _report(*, author=None, status=ReportStatus.VERIFIED, area="manggar", category_slug="pendidikan", **fields):
    """A report row; the image names need no files for reading."""
    return Report.objects.create(
        author=author or UserFactory(),
        description=fields.pop("description", "Saluran air tersumbat"),
        category=category(category_slug),
        kelurahan=kelurahan(area),
        location_source=fields.pop("location_source", "kelurahan"),
        status=status,
        image="reports/2025/01/a.jpg",
        thumbnail_small="reports/2025/01/a_s.jpg",
        thumbnail_large="reports/2025/01/a_l.jpg",
        width=64,
        height=48,
        **fields,
    )


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def test_public_list_shows_only_public_unhidden_reports_newest_first(api):
    verified, resolved, linked = (_report(status=s) for s in ("verified", "resolved", "linked"))
    _report(status=ReportStatus.NEW)
    _report(status=ReportStatus.REJECTED)
    _report(status=ReportStatus.VERIFIED, is_hidden=True)

    assert _ids(api.get(URL)) == [linked.pk, resolved.pk, verified.pk]


def test_public_list_filters_by_category_kelurahan_kecamatan_and_status(api):
    manggar = _report(area="manggar")
    teritip_resolved = _report(area="teritip", status=ReportStatus.RESOLVED)
    other_category = _report(area="manggar", category_slug="kesehatan")
    manggar_kecamatan = Kecamatan.objects.get(kelurahan_set=kelurahan("manggar"))
    elsewhere = _report(area=Kecamatan.objects.exclude(pk=manggar_kecamatan.pk).first().kelurahan_set.first().slug)

    assert _ids(api.get(URL, {"kelurahan": kelurahan("manggar").pk})) == [other_category.pk, manggar.pk]
    assert _ids(api.get(URL, {"category": category("kesehatan").pk})) == [other_category.pk]
    assert _ids(api.get(URL, {"status": "resolved"})) == [teritip_resolved.pk]
    assert elsewhere.pk not in _ids(api.get(URL, {"kecamatan": manggar_kecamatan.pk}))
    assert manggar.pk in _ids(api.get(URL, {"kecamatan": manggar_kecamatan.pk}))


@pytest.mark.parametrize("query", [{"status": "new"}, {"kelurahan": "abc"}, {"page_size": "x", "category": "-1"}])
def test_bad_filters_are_validation_errors(api, query):
    response = api.get(URL, query)

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_public_list_is_cursor_paginated(api):
    reports = [_report() for _ in range(3)]

    first = api.get(URL, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [r["id"] for r in first["results"] + second["results"]] == [r.pk for r in reversed(reports)]
    assert second["next"] is None


@pytest.mark.parametrize("client_name", ["api", "as_resident"])
def test_list_query_count_is_constant(request, client_name):
    client = request.getfixturevalue(client_name)

    def queries_for(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(_ids(client.get(URL, {"page_size": page_size}))) == page_size
        return len(captured)

    for _ in range(2):
        _report(area="teritip")
    queries_for(2)  # a caller is kept from here on (api/authentication.py)
    few = queries_for(2)
    for _ in range(8):
        _report(area="manggar", category_slug="kesehatan")
    assert queries_for(10) == few


def test_my_reports_lists_own_reports_in_every_status(as_resident, resident):
    mine = [_report(author=resident, status=s) for s in ("new", "rejected", "verified")]
    _report()  # someone else's

    assert _ids(as_resident.get("/api/v1/me/reports/")) == [r.pk for r in reversed(mine)]


def test_my_reports_query_count_is_constant(as_resident, resident):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            as_resident.get("/api/v1/me/reports/")
        return len(captured)

    _report(author=resident)
    queries()  # the caller is kept from here on (api/authentication.py)
    few = queries()
    for _ in range(5):
        _report(author=resident, area="teritip")
    assert queries() == few


def test_my_reports_needs_authentication(api):
    assert api.get("/api/v1/me/reports/").status_code == 401


# --- one report: who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_name", "sees_new"),
    [
        ("api", False),
        ("as_other_resident", False),
        ("as_resident", True),
        ("as_moderator", True),
        ("as_other_moderator", False),
        ("as_planner", True),
        ("as_admin", True),
    ],
)
def test_new_report_is_visible_to_its_author_and_the_area_staff_only(request, resident, client_name, sees_new):
    report = _report(author=resident, status=ReportStatus.NEW)  # in Manggar
    client = request.getfixturevalue(client_name)

    response = client.get(f"{URL}{report.pk}/")

    assert response.status_code == (200 if sees_new else 404)
    if sees_new:
        assert response.json()["status"] == "new"
        assert response.json()["kecamatan"]["id"] == report.kelurahan.kecamatan_id
    else:
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("client_name", ["api", "as_other_resident", "as_other_moderator"])
def test_verified_report_is_visible_to_everyone(request, client_name):
    report = _report(status=ReportStatus.VERIFIED)

    assert request.getfixturevalue(client_name).get(f"{URL}{report.pk}/").status_code == 200


def test_hidden_report_is_gone_for_the_public_but_not_for_its_moderator(api, as_moderator):
    report = _report(status=ReportStatus.VERIFIED, is_hidden=True)

    assert api.get(f"{URL}{report.pk}/").status_code == 404
    assert as_moderator.get(f"{URL}{report.pk}/").status_code == 200


def test_unknown_report_is_not_found(api):
    assert api.get(f"{URL}999999/").status_code == 404


def test_a_point_from_the_photos_gps_is_exact_only_for_its_author_and_staff(api, resident, as_resident, as_moderator):
    point = {"latitude": Decimal("-1.265432"), "longitude": Decimal("116.831987")}
    from_photo = _report(author=resident, location_source="exif", **point)
    given = _report(location_source="given", **point)

    def located(client, report):
        item = client.get(f"{URL}{report.pk}/").json()
        return item["latitude"], item["longitude"]

    rounded, exact = (-1.265, 116.832), (-1.265432, 116.831987)
    assert located(api, from_photo) == rounded
    assert located(client_for(UserFactory()), from_photo) == rounded
    assert located(as_resident, from_photo) == exact  # its author
    assert located(as_moderator, from_photo) == exact
    assert located(api, given) == exact  # a point the resident chose to give
    assert {item["id"]: item["latitude"] for item in api.get(URL).json()["results"]}[from_photo.pk] == rounded[0]
