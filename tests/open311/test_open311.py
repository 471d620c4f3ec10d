"""Open311 GeoReport v2 at /open311/v2/: every endpoint in JSON and XML (element names as the spec's), the
spec's errors for crafted input, filing into the same moderation as the app, and no filer's data in a GET."""

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aspirasi.models import Category, Kelurahan, Opd, Report, ReportStatus
from open311 import selectors, views
from open311.models import ApiKey, ServiceRequest
from open311.services import api_key_issue, api_key_revoke
from realtime import events
from tests.aspirasi.factories_moderation import ReportFactory
from tests.conftest import client_for
from tests.factories import UserFactory, category, kelurahan

pytestmark = pytest.mark.django_db
ROOT = "/open311/v2/"
FORMATS = ["json", "xml"]
FILER = {
    "email": "budi@example.com",
    "first_name": "Budi",
    "last_name": "Santoso",
    "phone": "+628123456789",
    "device_id": "device-42",
}


def _parse(response, fmt):
    """JSON as data; XML as its root element, checked to be UTF-8 with a declaration."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ElementTree.fromstring(response.content)  # noqa: S314 -- our own answer


def _errors(response, fmt) -> list[tuple[int, str]]:
    body = _parse(response, fmt)
    if fmt == "json":
        return [(error["code"], error["description"]) for error in body]
    assert body.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in body.findall("error")]


def _error_code(response, fmt) -> int:
    [(code, description)] = _errors(response, fmt)
    assert description and code == response.status_code
    return code


def _form(key, **fields):
    form = {
        "api_key": key,
        "service_code": "infrastruktur",
        "lat": "-1.2654",
        "long": "116.8312",
        "description": "Saluran air tersumbat di depan pasar",
        "attribute[kelurahan]": "baru-ilir",
        **FILER,
    }
    form.update(fields)
    return {name: value for name, value in form.items() if value is not None}


def _requests(body, fmt) -> list[dict]:
    """A service_requests document as a list of dicts of text (XML) or values (JSON)."""
    if fmt == "json":
        return body
    assert body.tag == "service_requests"
    return [{child.tag: child.text for child in item} for item in body.findall("request")]


REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def test_category_slug_used_by_the_tests_exists():
    assert Category.objects.filter(slug="infrastruktur", is_active=True).exists()
    assert Kelurahan.objects.count() == 34


# --- discovery and services ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_v2_endpoint_and_its_formats(client, fmt):
    body = _parse(client.get(f"{ROOT}discovery.{fmt}"), fmt)

    if fmt == "json":
        [endpoint] = body["endpoints"]
        assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
        formats = endpoint["formats"]
    else:
        assert body.tag == "discovery" and [c.tag for c in body] == ["changeset", "contact", "key_service", "endpoints"]
        [element] = body.find("endpoints").findall("endpoint")
        endpoint = {child.tag: child.text for child in element}
        formats = [f.text for f in element.find("formats").findall("format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] == "production"
    assert formats == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_categories_with_metadata(client, fmt):
    Category.objects.filter(slug="pendidikan").update(is_active=False)

    body = _parse(client.get(f"{ROOT}services.{fmt}"), fmt)

    if fmt == "xml":
        assert body.tag == "services"
        body = [{child.tag: child.text for child in item} for item in body.findall("service")]
        assert {item["metadata"] for item in body} == {"true"} and {item["type"] for item in body} == {"realtime"}
    else:
        assert {item["metadata"] for item in body} == {True}
    codes = [item["service_code"] for item in body]
    assert codes == list(
        Category.objects.filter(is_active=True).order_by("order", "slug").values_list("slug", flat=True)
    )
    assert "pendidikan" not in codes
    assert set(body[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert body[0]["service_name"] == Category.objects.get(slug=codes[0]).name_en  # Accept-Language: en


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_has_the_kelurahan_attribute_and_a_location_note(client, fmt):
    """kelurahan is optional (an address_string naming it places the report too); location_note is not for
    input (variable false), it says how the location is read."""
    body = _parse(client.get(f"{ROOT}services/infrastruktur.{fmt}"), fmt)

    if fmt == "xml":
        assert body.tag == "service_definition" and body.findtext("service_code") == "infrastruktur"
        attribute, note = body.find("attributes").findall("attribute")
        assert attribute.findtext("code") == "kelurahan" and attribute.findtext("required") == "false"
        assert attribute.findtext("datatype") == "singlevaluelist" and attribute.findtext("variable") == "true"
        keys = [value.findtext("key") for value in attribute.find("values").findall("value")]
        assert (note.findtext("code"), note.findtext("variable"), note.findtext("order")) == (
            "location_note",
            "false",
            "2",
        )
        assert "address_string" in note.findtext("description") and note.find("values") is None
    else:
        assert body["service_code"] == "infrastruktur"
        attribute, note = body["attributes"]
        assert attribute["code"] == "kelurahan" and attribute["required"] is False and attribute["variable"] is True
        assert attribute["datatype"] == "singlevaluelist" and attribute["order"] == 1
        keys = [value["key"] for value in attribute["values"]]
        assert {"key": "manggar", "name": "Manggar (Balikpapan Timur)"} in attribute["values"]
        assert note["code"] == "location_note" and note["variable"] is False and note["required"] is False
        assert note["datatype"] == "text" and note["order"] == 2 and "address_id" in note["description"]
        assert set(note) == {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}
    assert sorted(keys) == sorted(Kelurahan.objects.values_list("slug", flat=True)) and len(keys) == 34


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_is_404(client, fmt):
    response = client.get(f"{ROOT}services/nope.{fmt}")
    assert response.status_code == 404 and _error_code(response, fmt) == 404


@pytest.mark.parametrize(
    "path", ["discovery.html", "services.csv", "services/infrastruktur.yaml", "requests.txt", "requests/1.php"]
)
def test_an_unknown_format_is_404(client, path):
    response = client.get(ROOT + path)
    assert response.status_code == 404 and _error_code(response, "json") == 404


@pytest.mark.parametrize("path", ["services/%00.json", "tokens/%00.xml", "requests/%00.json"])
def test_a_null_character_in_the_path_is_404(client, path):
    response = client.get(ROOT + path)
    assert response.status_code == 404


def test_a_wrong_method_is_405_in_the_spec_format(client):
    response = client.post(f"{ROOT}services.xml")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD" and _error_code(response, "xml") == 405


# --- POST requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_filed_request_enters_the_same_moderation_as_the_app(
    client, key, fmt, moderator_barat, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(events, "send_now", lambda groups, message: sent.append((groups, message)))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ROOT}requests.{fmt}", _form(key))

    assert response.status_code == 201, response.content
    [answer] = _requests(_parse(response, fmt), fmt)
    report = Report.objects.get(pk=int(answer["service_request_id"]))
    assert report.status == ReportStatus.NEW and report.origin == "open311" and report.author is None
    assert not report.image and report.kelurahan.slug == "baru-ilir" and report.kelurahan_confirmed
    assert report.location_source == "given" and str(report.latitude) == "-1.265400"
    filed = ServiceRequest.objects.get(report=report)
    assert answer["token"] == filed.token and filed.api_key.name == "Aplikasi DPU"
    assert (filed.email, filed.first_name, filed.phone, filed.device_id) == (
        "budi@example.com",
        "Budi",
        "+628123456789",
        "device-42",
    )
    [(groups, message)] = sent
    assert groups == events.moderation_groups(kelurahan("baru-ilir").pk) and message["type"] == events.REPORT_SUBMITTED
    # In the area's moderation queue, like a report from the app.
    queue = client_for(moderator_barat).get("/api/v1/moderation/queue/", {"type": "report"}).json()["results"]
    assert [row["id"] for row in queue] == [report.pk] and queue[0]["thumbnail"] is None


def test_empty_optional_parameters_are_absent(client, key):
    form = _form(key, lat="", long="", address_string="Jl. Jenderal Sudirman 1", email="", phone="", media_url="")

    response = client.post(f"{ROOT}requests.json", form)

    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert report.latitude is None and report.location_source == "kelurahan"
    filed = report.open311_request
    assert filed.address_string == "Jl. Jenderal Sudirman 1" and filed.email == "" and filed.media_url == ""


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "fields, status",
    [
        ({"api_key": None}, 403),
        ({"api_key": ""}, 403),
        ({"api_key": "not-a-key"}, 403),
        ({"service_code": "nope"}, 404),
        ({"service_code": ""}, 400),
        ({"lat": None, "long": None}, 400),  # missing location
        ({"lat": "", "long": "", "address_string": ""}, 400),
        ({"long": None}, 400),
        ({"lat": "NaN"}, 400),
        ({"lat": "Infinity"}, 400),
        ({"lat": "abc"}, 400),
        ({"lat": "1" * 40}, 400),
        ({"lat": "-6.2", "long": "106.8"}, 400),  # Jakarta
        ({"attribute[kelurahan]": None}, 400),
        ({"attribute[kelurahan]": "atlantis"}, 400),
        ({"description": ""}, 400),
        ({"description": "x" * 2001}, 400),
        ({"email": "not-an-email"}, 400),
        ({"media_url": "file:///etc/passwd"}, 400),
        ({"address_id": "A1", "lat": None, "long": None}, 400),
        ({"description": "Banjir\x00"}, 400),
        ({"first_name": "x" * 121}, 400),
    ],
)
def test_bad_requests_are_refused_in_the_spec_format_and_file_nothing(client, key, fmt, fields, status):
    response = client.post(f"{ROOT}requests.{fmt}", _form(key, **fields))

    assert response.status_code == status, response.content
    assert _error_code(response, fmt) == status
    assert not Report.objects.exists()


def test_a_form_over_the_limits_is_400_in_the_spec_format(client, key, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = client.post(f"{ROOT}requests.xml", _form(key))

    assert response.status_code == 400 and _error_code(response, "xml") == 400
    assert not Report.objects.exists()


def test_control_characters_never_break_the_xml(client, key):
    client.post(f"{ROOT}requests.json", _form(key, description="Banjir\x0b di\x1f jalan"))
    report = Report.objects.get()
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.VERIFIED)

    [item] = _requests(_parse(client.get(f"{ROOT}requests/{report.pk}.xml"), "xml"), "xml")

    assert item["description"] == "Banjir di jalan"


def test_a_revoked_key_is_403(client, key):
    api_key_revoke(api_key=ApiKey.objects.get())

    response = client.post(f"{ROOT}requests.xml", _form(key))

    assert response.status_code == 403 and _error_code(response, "xml") == 403


def test_posts_are_throttled_per_key(client, key, admin_user, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "open311": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    other = api_key_issue(api_key=ApiKey(name="Lain"), actor=admin_user)

    assert [client.post(f"{ROOT}requests.json", _form(key)).status_code for _ in range(2)] == [201, 201]
    refused = client.post(f"{ROOT}requests.json", _form(key))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0 and _error_code(refused, "json") == 429
    assert client.post(f"{ROOT}requests.json", _form(other)).status_code == 201  # another key: its own count


# --- GET requests --------------------------------------------------------------------------------------


@pytest.fixture
def published(client, key):
    """A verified Open311 report with its filer's details, a resolved app report with a photo, a new one."""
    client.post(f"{ROOT}requests.json", _form(key))
    filed = Report.objects.get()
    Report.objects.filter(pk=filed.pk).update(status=ReportStatus.VERIFIED)
    author = UserFactory(display_name="Siti Pelapor", email="siti@example.com")
    resolved = ReportFactory(
        author=author,
        status=ReportStatus.RESOLVED,
        resolution_note="Sudah diperbaiki DPU",
        category=category("infrastruktur"),
        latitude="-1.234567",
        longitude="116.876543",
        location_source=Report.LocationSource.EXIF,
    )
    new = ReportFactory(author=author)
    return Report.objects.get(pk=filed.pk), resolved, new


def _get_requests(client, fmt, **query):
    response = client.get(f"{ROOT}requests.{fmt}", query)
    assert response.status_code == 200, response.content
    return _requests(_parse(response, fmt), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_lists_public_reports_with_the_spec_fields_and_no_personal_data(client, published, fmt):
    filed, resolved, _new = published

    response = client.get(f"{ROOT}requests.{fmt}")
    items = _requests(_parse(response, fmt), fmt)

    assert [item["service_request_id"] for item in items] == [str(resolved.pk), str(filed.pk)]  # newest first
    assert all(set(item) == REQUEST_FIELDS for item in items)
    closed, opened = items
    assert (closed["status"], opened["status"]) == ("closed", "open")
    assert closed["status_notes"] == "Sudah diperbaiki DPU" and closed["service_code"] == "infrastruktur"
    assert closed["media_url"].startswith("http://testserver/") and closed["media_url"].endswith(".jpg")
    assert opened["media_url"] in (None, "") and opened["agency_responsible"] in (None, "")
    assert opened["address"] == "Baru Ilir, Balikpapan Barat, Balikpapan"
    # A point from a photo's GPS is rounded for the public, as in the app's API.
    assert float(closed["lat"]) == -1.235 and float(closed["long"]) == 116.877
    assert float(opened["lat"]) == -1.2654
    assert closed["requested_datetime"].endswith("+08:00")
    text = response.content.decode()
    for private in ["budi@example.com", "Budi", "Santoso", "628123456789", "device-42", "Siti", "siti@example.com"]:
        assert private not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_filters(client, published, fmt):
    filed, resolved, new = published
    old = ReportFactory(status=ReportStatus.VERIFIED)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))

    def ids(**query):
        return [item["service_request_id"] for item in _get_requests(client, fmt, **query)]

    assert ids(status="closed") == [str(resolved.pk)]
    assert ids(status="open") == [str(filed.pk)]  # the 120-day-old one is outside the default 90 days
    assert ids(status="open,closed") == [str(resolved.pk), str(filed.pk)]
    assert ids(service_code="pendidikan") == []
    assert ids(service_code="infrastruktur,pendidikan") == [str(resolved.pk), str(filed.pk)]
    a_year_ago = (timezone.now() - timedelta(days=365)).isoformat()
    assert ids(start_date=(timezone.now() - timedelta(days=150)).isoformat()) == [str(old.pk)]  # start + 90 days
    # An offset's "+" sent unencoded arrives as a space: read as the "+" it was.
    unencoded = (timezone.localtime() - timedelta(days=150)).isoformat().replace("+", " ")
    assert ids(start_date=unencoded) == [str(old.pk)]
    assert ids(start_date=a_year_ago, end_date=timezone.now().isoformat()) == [
        str(resolved.pk),
        str(filed.pk),
        str(old.pk),
    ]
    assert ids(end_date=(timezone.now() - timedelta(days=100)).isoformat()) == [str(old.pk)]
    # The id list overrides every other filter; a new (unmoderated) report is never listed.
    assert ids(service_request_id=f"{old.pk},{new.pk},{filed.pk}", status="closed") == [str(filed.pk), str(old.pk)]
    # Empty parameters are absent.
    assert ids(status="", service_code="", start_date="", end_date="", service_request_id="") == ids()


def test_reads_are_throttled_per_address(client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "open311_read": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    assert [client.get(f"{ROOT}requests.json").status_code for _ in range(2)] == [200, 200]
    refused = client.get(f"{ROOT}requests/1.xml")
    assert refused.status_code == 429 and _error_code(refused, "xml") == 429
    assert client.get(f"{ROOT}services.json").status_code == 200  # the small documents are not counted


def test_requests_stop_at_the_limit(client, published, monkeypatch):
    monkeypatch.setattr(selectors, "REQUESTS_MAX", 1)
    assert len(_get_requests(client, "json")) == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "yesterday"},
        {"start_date": "2026-13-45T00:00:00Z"},
        {"start_date": "2026-01-01T00:00:00"},  # no time zone
        {"end_date": "0001-01-01T00:00:00+01:00"},
        {"start_date": "9999-12-31T23:00:00-05:00"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"status": "pending"},
        {"service_request_id": "1,abc"},
        {"service_request_id": "9" * 40},
        {"service_request_id": ",".join(["1"] * 1001)},
    ],
)
def test_crafted_queries_are_400(client, fmt, query):
    response = client.get(f"{ROOT}requests.{fmt}", query)
    assert response.status_code == 400, response.content
    assert _error_code(response, fmt) == 400


def test_requests_take_constant_queries(client, published, django_assert_num_queries):
    dinkes = Opd.objects.get(slug="dinkes")
    for _ in range(5):
        ReportFactory(status=ReportStatus.VERIFIED, opd=dinkes)  # the agency comes with the row
    with django_assert_num_queries(1):
        items = _get_requests(client, "json")
    assert len(items) == 7
    assert sum(item["agency_responsible"] == dinkes.name for item in items) == 5


def test_expected_datetime_is_the_sla_due_date_in_wita(client, published):
    filed = published[0]
    Report.objects.filter(pk=filed.pk).update(sla_due_at=datetime(2026, 12, 4, 16, 0, tzinfo=UTC))
    [item] = _requests(_parse(client.get(f"{ROOT}requests/{filed.pk}.json"), "json"), "json")
    assert item["expected_datetime"] == "2026-12-05T00:00:00+08:00"


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_and_the_errors_around_it(client, published, fmt):
    filed, _resolved, new = published

    [item] = _requests(_parse(client.get(f"{ROOT}requests/{filed.pk}.{fmt}"), fmt), fmt)
    assert item["service_request_id"] == str(filed.pk) and set(item) == REQUEST_FIELDS

    for path, status in [(new.pk, 404), (10**12, 404), ("9" * 40, 400), ("abc", 400)]:
        response = client.get(f"{ROOT}requests/{path}.{fmt}")
        assert response.status_code == status and _error_code(response, fmt) == status


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_gives_the_request_id_even_before_moderation(client, key, fmt):
    answer = json.loads(client.post(f"{ROOT}requests.json", _form(key)).content)[0]

    [item] = _requests(_parse(client.get(f"{ROOT}tokens/{answer['token']}.{fmt}"), fmt), fmt)

    assert item == {"service_request_id": answer["service_request_id"], "token": answer["token"]}
    response = client.get(f"{ROOT}tokens/unknown.{fmt}")
    assert response.status_code == 404 and _error_code(response, fmt) == 404
    assert client.get(f"{ROOT}tokens/{'x' * 500}.{fmt}").status_code == 404


def test_agency_and_due_date_come_from_the_report(rf, published):
    filed = published[0]
    filed.opd = Opd.objects.get(slug="dpu")
    filed.sla_due_at = timezone.now()

    document = views._request_document(rf.get("/"), filed)

    assert document["agency_responsible"] == filed.opd.name
    assert document["expected_datetime"] == timezone.localtime(filed.sla_due_at).isoformat(timespec="seconds")


# --- the admin: keys issued once, hashed, revoked --------------------------------------------------------


def test_an_admin_issues_a_key_shown_once_and_stored_hashed(admin_user):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(admin_user)

    page = browser.post(reverse("admin:open311_apikey_add"), {"name": "Aplikasi Kelurahan"})

    assert page.status_code == 200
    raw = page.context["raw_key"]
    stored = ApiKey.objects.get(name="Aplikasi Kelurahan")
    assert raw in page.content.decode() and raw not in (stored.digest, stored.prefix)
    assert stored.digest == views.selectors.key_digest(raw) and stored.prefix == raw[:8]
    assert selectors.active_api_key(raw) == stored
    listing = browser.get(reverse("admin:open311_apikey_changelist")).content.decode()
    assert raw not in listing

    browser.post(reverse("admin:open311_apikey_changelist"), {"action": "revoke", "_selected_action": [stored.pk]})
    stored.refresh_from_db()
    assert stored.revoked_at is not None and selectors.active_api_key(raw) is None
    assert LogEntry.objects.filter(object_id=str(stored.pk), user=admin_user).count() == 2  # issued, revoked


def test_only_admins_manage_keys(moderator_manggar):
    browser = Client()
    browser.force_login(moderator_manggar)
    assert browser.get(reverse("admin:open311_apikey_changelist")).status_code == 403
    assert browser.get(reverse("admin:open311_servicerequest_changelist")).status_code == 403


def test_error_descriptions_follow_accept_language(key):
    indonesian = Client(HTTP_ACCEPT_LANGUAGE="id").post(f"{ROOT}requests.json", _form("salah"))
    english = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"{ROOT}requests.json", _form("salah"))

    assert _errors(indonesian, "json") == [(403, "api_key tidak valid atau sudah dicabut.")]
    assert _errors(english, "json") == [(403, "Invalid or revoked api_key.")]


def test_a_filed_request_is_moderated_then_read_back_open_and_closed(client, key, moderator_barat):
    moderator = client_for(moderator_barat)
    answer = json.loads(client.post(f"{ROOT}requests.json", _form(key)).content)[0]
    report_id = int(answer["service_request_id"])
    assert client.get(f"{ROOT}requests/{report_id}.json").status_code == 404  # not public before moderation

    decide = f"/api/v1/moderation/reports/{report_id}/decision/"
    assert moderator.post(decide, {"action": "verify"}, format="json").status_code == 200
    [opened] = json.loads(client.get(f"{ROOT}requests/{report_id}.json").content)
    assert opened["status"] == "open" and opened["media_url"] is None
    app_view = client.get(f"/api/v1/reports/{report_id}/").json()
    assert app_view["origin"] == "open311" and app_view["image"] is None and app_view["thumbnail_small"] is None

    resolved = moderator.post(decide, {"action": "resolve", "note": "Saluran sudah dibersihkan"}, format="json")
    assert resolved.status_code == 200
    [closed] = json.loads(client.get(f"{ROOT}requests/{report_id}.json").content)
    assert closed["status"] == "closed" and closed["status_notes"] == "Saluran sudah dibersihkan"


def test_the_openapi_schema_stays_on_the_api():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert paths and all(path.startswith("/api/") for path in paths)
