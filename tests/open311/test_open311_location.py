"""Open311 POST requests' location as GeoReport v2 has it (lat/long OR address_string OR address_id), the
kelurahan from the attribute or guessed from the address ("kelurahan unconfirmed"), the location_note, and
media_url: public http(s) only, never fetched, shown to the moderators and to the OPD it is forwarded to."""

import socket

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aspirasi.models import Opd, Report, ReportStatus
from aspirasi.services import dispositions
from open311.models import ServiceRequest
from tests import personas
from tests.aspirasi.factories_moderation import ReportFactory
from tests.conftest import client_for
from tests.open311.test_open311 import FORMATS, ROOT, _errors, _form, _parse

pytestmark = pytest.mark.django_db
ADDRESS_ONLY = {"lat": None, "long": None, "attribute[kelurahan]": None}


def _file(client, key, fmt="json", **fields):
    response = client.post(f"{ROOT}requests.{fmt}", _form(key, **fields))
    assert response.status_code == 201, response.content
    return Report.objects.get(), ServiceRequest.objects.get()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_address_with_the_kelurahan_attribute_and_no_point_is_filed_confirmed(client, key, fmt):
    report, filed = _file(client, key, fmt, lat=None, long=None, address_string="Jl. Mulawarman RT 12")
    assert (report.kelurahan.slug, report.kelurahan_confirmed, report.latitude) == ("baru-ilir", True, None)
    assert filed.address_string == "Jl. Mulawarman RT 12"


@pytest.mark.parametrize(
    ("address", "slug"),
    [
        ("Jl. Mulawarman RT 12, Manggar", "manggar"),
        ("Jl. Mulawarman RT 12, Manggar Baru", "manggar-baru"),  # not Manggar, inside the longer name
        ("dekat pasar, kelurahan damai", "damai"),
        ("Gang Mawar, Gunung Samarinda Baru, Balikpapan Utara", "gunung-samarinda-baru"),
        ("Jl. Letjen Suprapto, Balikpapan Barat", "baru-ilir"),  # the kecamatan's first kelurahan by name
    ],
)
def test_an_address_alone_is_placed_by_the_names_it_gives_and_marked_unconfirmed(
    client, key, address, slug, as_moderator
):
    report, _filed = _file(client, key, **ADDRESS_ONLY, address_string=address)
    assert (report.kelurahan.slug, report.kelurahan_confirmed, report.location_source) == (slug, False, "kelurahan")
    if slug == "manggar":  # the moderators of Manggar see it, marked, to confirm or relocate
        [item] = as_moderator.get("/api/v1/moderation/queue/").json()["results"]
        assert item["id"] == report.pk and item["kelurahan_unconfirmed"] is True


def test_a_point_without_the_attribute_is_placed_by_its_address(client, key):
    report, _filed = _file(client, key, **{"attribute[kelurahan]": None}, address_string="Sepinggan Raya")
    assert (report.kelurahan.slug, report.kelurahan_confirmed, report.latitude is not None) == (
        "sepinggan-raya",
        False,
        True,
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "address", ["Jl. Jenderal Sudirman 1", "Prapatan dekat Klandasan Ilir", "Balikpapan Barat atau Balikpapan Kota"]
)
def test_an_address_naming_no_one_place_without_the_attribute_is_400(client, key, fmt, address):
    response = client.post(f"{ROOT}requests.{fmt}", _form(key, **ADDRESS_ONLY, address_string=address))
    assert response.status_code == 400
    [(code, description)] = _errors(response, fmt)
    assert code == 400 and "attribute[kelurahan]" in description
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_address_id_alone_is_400_in_the_specs_error_shape(client, key, fmt):
    response = client.post(f"{ROOT}requests.{fmt}", _form(key, lat=None, long=None, address_id="BPN-00123"))
    assert response.status_code == 400
    body = _parse(response, fmt)
    if fmt == "json":
        assert body == [{"code": 400, "description": body[0]["description"]}]
    else:
        assert body.tag == "errors" and [child.tag for child in body.find("error")] == ["code", "description"]
    [(code, description)] = _errors(response, fmt)
    assert code == 400 and "address_id is not supported" in description
    assert not Report.objects.exists()


def test_address_id_beside_another_location_is_ignored(client, key):
    report, filed = _file(client, key, address_id="BPN-00123", lat=None, long=None, address_string="Jl. A, Damai")
    assert report.kelurahan.slug == "baru-ilir" and filed.address_string == "Jl. A, Damai"


def test_the_location_note_is_not_an_input(client, key):
    report, _filed = _file(client, key, **{"attribute[location_note]": "x" * 5000})
    assert report.kelurahan.slug == "baru-ilir" and "x" * 10 not in report.description


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/foto.jpg",
        "http://127.0.0.1/foto.jpg",
        "http://10.1.2.3/foto.jpg",
        "http://192.168.1.10/foto.jpg",
        "http://172.16.0.5/foto.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/foto.jpg",
        "http://[fd00::1]/foto.jpg",
        "http://[::ffff:127.0.0.1]/foto.jpg",
        "http://127.1/foto.jpg",
        "http://0177.0.0.1/foto.jpg",
        "http://0x7f.0.0.1/foto.jpg",
        "http://printer.local/foto.jpg",
        "https://files.corp/foto.jpg",
        "http://intranet/foto.jpg",
        "http://user:secret@example.com/foto.jpg",
        "ftp://example.com/foto.jpg",
        "javascript:alert(1)",
        "//example.com/foto.jpg",
    ],
)
def test_a_media_url_that_is_not_public_http_is_refused(client, key, url):
    response = client.post(f"{ROOT}requests.json", _form(key, media_url=url))
    assert response.status_code == 400, url
    [(_code, description)] = _errors(response, "json")
    assert "media_url" in description
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://example.com/foto.jpg?size=large", "http://93.184.216.34/a.jpg", "https://foto.xn--p1ai/a.jpg"]
)
def test_a_public_media_url_is_kept_and_never_fetched(client, key, monkeypatch, url):
    def no_network(*args, **kwargs):
        raise AssertionError("the server looked the media_url's host up")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    report, filed = _file(client, key, media_url=url)
    assert filed.media_url == url and not report.image


def test_moderators_see_the_address_and_the_photo_link_on_the_item_page(client, key, moderator_manggar):
    report, _filed = _file(
        client, key, media_url="https://example.com/foto.jpg", address_string="Jl. Mulawarman RT 12, Baru Ilir"
    )
    browser = Client(HTTP_ACCEPT_LANGUAGE="id")
    browser.force_login(personas.admin_user())
    html = browser.get(reverse("admin:aspirasi_report_change", args=[report.pk])).content.decode()
    assert "Alamat (Open311)" in html and "Jl. Mulawarman RT 12, Baru Ilir" in html
    assert 'href="https://example.com/foto.jpg" target="_blank" rel="noopener noreferrer nofollow"' in html


def test_the_opd_sees_the_address_and_the_photo_link_in_its_inbox(client, key, moderator_manggar, opd_officer):
    report, _filed = _file(client, key, media_url="https://example.com/foto.jpg", address_string="Gang Mawar 3")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.VERIFIED)
    dispositions.report_dispose(report=report, actor=personas.admin_user(), opd=Opd.objects.get(slug="dinkes"))
    browser = Client(HTTP_ACCEPT_LANGUAGE="id")
    browser.force_login(opd_officer)
    html = browser.get("/admin/opd/inbox/").content.decode()
    row = html[html.index('id="disposition-') :]
    assert "Alamat Open311: Gang Mawar 3" in row
    assert 'href="https://example.com/foto.jpg"' in row and 'rel="noopener noreferrer nofollow"' in row


def test_an_inbox_of_app_reports_shows_no_open311_line_in_constant_queries(client, key, opd_officer):
    admin = personas.admin_user()
    dinkes = Opd.objects.get(slug="dinkes")

    def forward(report):
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.VERIFIED)
        dispositions.report_dispose(report=Report.objects.get(pk=report.pk), actor=admin, opd=dinkes)

    browser = Client(HTTP_ACCEPT_LANGUAGE="id")
    browser.force_login(opd_officer)
    forward(ReportFactory())
    with CaptureQueriesContext(connection) as few:
        html = browser.get("/admin/opd/inbox/").content.decode()
    assert html.count('id="disposition-') == 1 and "Alamat Open311" not in html
    for n in range(3):
        forward(ReportFactory())
        client.post(f"{ROOT}requests.json", _form(key, description=f"Open311 nomor {n}"))
        forward(Report.objects.filter(origin="open311").latest("id"))
    with CaptureQueriesContext(connection) as many:
        html = browser.get("/admin/opd/inbox/").content.decode()
    assert html.count('id="disposition-') == 7 and html.count("Alamat Open311") == 3
    assert len(many) == len(few)  # the Open311 side comes with the rows


def test_the_api_never_shows_the_filers_address_or_link(client, key, resident):
    report, _filed = _file(client, key, media_url="https://example.com/foto.jpg", address_string="Gang Mawar 3")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.VERIFIED)
    for body in (
        client.get(f"{ROOT}requests/{report.pk}.json").content.decode(),
        client_for(resident).get(f"/api/v1/reports/{report.pk}/").content.decode(),
    ):
        assert "Gang Mawar" not in body and "example.com/foto" not in body


def test_the_opds_api_inbox_gives_the_open311_side_to_the_officer_only(client, key, opd_officer, resident):
    report, _filed = _file(client, key, media_url="https://example.com/foto.jpg", address_string="Gang Mawar 3")
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.VERIFIED)
    admin = personas.admin_user()
    dinkes = Opd.objects.get(slug="dinkes")
    dispositions.report_dispose(report=Report.objects.get(pk=report.pk), actor=admin, opd=dinkes)
    app_report = ReportFactory()
    Report.objects.filter(pk=app_report.pk).update(status=ReportStatus.VERIFIED)
    dispositions.report_dispose(report=Report.objects.get(pk=app_report.pk), actor=admin, opd=dinkes)

    items = {
        row["item"]["id"]: row["item"] for row in client_for(opd_officer).get("/api/v1/opd/inbox/").json()["results"]
    }

    assert items[report.pk]["open311"] == {
        "address_string": "Gang Mawar 3",
        "media_url": "https://example.com/foto.jpg",
    }
    assert items[app_report.pk]["open311"] is None
    assert client_for(resident).get("/api/v1/opd/inbox/").status_code == 403
