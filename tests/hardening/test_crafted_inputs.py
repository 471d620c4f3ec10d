"""Crafted input gets a client error, never a 500: hand-made cursors on every cursor-paginated list, ids past
64 bits on every route with an id in its path (and the admin's pages of an object), malformed EXIF GPS on
every photo upload. Lists and routes are read from the URL resolver and photo uploads from the schema, so a
new one is walked (or fails the coverage test) without editing this file. Oversize field values:
test_field_bounds.py."""

import base64
import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import yaml
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.pagination import CursorPagination
from rest_framework.test import APIClient

from aspirasi.api.fields import MAX_ID
from aspirasi.models import Disposition, Opd, ProposalStatus, Report, ReportStatus
from aspirasi.services.accounts import user_assign_role
from notifications.models import Notification, NotificationKind
from tests.aspirasi.factories_moderation import ReportFactory
from tests.aspirasi.test_images import MALFORMED_GPS, photo_bytes
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory, VoteFactory, category, kelurahan

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes(patterns=None, prefix: str = ""):
    """(route, URLPattern) of every API route, e.g. ("api/v1/proposals/<id:pk>/vote/", ...)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith(API_PREFIX):
            yield route, entry


def _methods(entry: URLPattern) -> list[str]:
    view_class = entry.callback.view_class
    return [method for method in ("get", "post", "put", "patch", "delete") if hasattr(view_class, method)]


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["code"], str) and body["code"], body
    return body


@pytest.fixture(params=["anonymous", "resident", "moderator"])
def persona(request, db) -> APIClient:
    if request.param == "anonymous":
        return APIClient()
    if request.param == "resident":
        return client_for(UserFactory(kelurahan=kelurahan("manggar")))
    return client_for(user_assign_role(user=UserFactory(), role="moderator", kelurahan=[kelurahan("manggar")]))


# --- cursors ------------------------------------------------------------------------------------------------

CURSOR_LISTS = sorted(
    "/" + route
    for route, entry in _routes()
    if isinstance(getattr(entry.callback.view_class, "pagination_class", None), type)
    and issubclass(entry.callback.view_class.pagination_class, CursorPagination)
)
NEAR = "-1.225,116.97"  # Manggar, where _listed_rows puts its proposals
ORDERED_QUERIES = [
    {},
    {"ordering": "newest"},
    {"ordering": "most_voted"},
    {"ordering": "trending"},
    {"near": NEAR},
    {"ordering": "most_voted", "near": NEAR},
    {"ordering": "trending", "near": NEAR},
]


def _queries(url: str) -> list[dict]:
    """Every ordering (with and without `near`) of a list whose filters offer them; else the list as is."""
    view_class = get_resolver().resolve(url).func.view_class
    filters = getattr(getattr(view_class, "filterset_class", None), "base_filters", {})
    if {"ordering", "near"} <= set(filters):
        return ORDERED_QUERIES
    return [{}, {"ordering": "newest"}] if "ordering" in filters else [{}]  # a thread of comments: oldest, newest


# A position (`p`) that no list issues: not its ordering field's type (an id, a count, a moment with its
# offset), or past what the column holds.
BAD_POSITIONS = [
    "x",
    "NaN",
    "inf",
    "2024-13-45",
    "\x00",
    "",
    "1.5",
    "1e400",
    str(2**63),
    str(2**64),
    "99999999999999999999999",
    "-99999999999999999999999",
    "2024-01-01 00:00:00",  # a moment without its offset
    "0001-01-01 00:00:00+14:00",  # before year 1 in UTC
    "9999-12-31 23:59:59-14:00",  # after year 9999 in UTC
]
BAD_CURSORS = [
    # written as the issue has them (`+` and `%` unescaped)
    "p=x",
    "p=NaN",
    "p=2024-13-45",
    "p=\x00",
    "o=abc",
    "r=x",
    "o=-1",
    "o=1&r=1&p=NaN",
    # written as DRF writes its cursors, forward and backward
    *(urlencode({"p": position}) for position in BAD_POSITIONS),
    *(urlencode({"r": 1, "p": position}) for position in BAD_POSITIONS),
]


def _cursor(querystring: str) -> str:
    return base64.b64encode(querystring.encode("latin-1")).decode("ascii")


def _listed_rows(resident) -> None:
    """A few rows in every list, so that a page has positions to compare with. Tallies differ: DRF's
    cursor holds the first ordering field only, and its previous links are not exact across ties."""
    for votes in (1, 2, 3):
        proposal = ProposalFactory(
            author=resident, vote_count=votes, latitude=Decimal("-1.225"), longitude=Decimal("116.97")
        )
        VoteFactory.create_batch(votes, proposal=proposal)
    ReportFactory(author=resident, status=ReportStatus.VERIFIED)
    ReportFactory(author=resident, status=ReportStatus.VERIFIED)
    for _ in range(2):
        Notification.objects.create(recipient=resident, kind=NotificationKind.PROPOSAL_PUBLISHED, title="x")
    for days in (1, 2):  # two reports in Dinas Kesehatan's inbox (the opd_officer fixture's OPD)
        Disposition.objects.create(
            report=ReportFactory(author=resident, status=ReportStatus.VERIFIED),
            opd=Opd.objects.get(slug="dinkes"),
            due_at=timezone.now() + timedelta(days=days),
        )


# Lists that are not a resident's: who reads them in the walks below.
LIST_READERS = {"/api/v1/opd/inbox/": "opd_officer"}


def _reader(request, url: str, resident):
    return client_for(request.getfixturevalue(LIST_READERS[url]) if url in LIST_READERS else resident)


def _list_url(url: str, resident) -> str:
    """The list at `url`, a route's own (`/api/v1/proposals/<id:proposal_id>/comments/`: a thread) made concrete
    on a public item of `resident`'s with a few comments."""
    if "<" not in url:
        return url
    from aspirasi.services.comments import comment_create

    item = {
        "proposal_id": ProposalFactory(author=resident),
        "report_id": ReportFactory(author=resident, status=ReportStatus.VERIFIED),
    }
    name = re.search(r"<id:(\w+)>", url).group(1)
    for n in range(3):
        comment_create(author=resident, body=f"komentar {n}", **{name.removesuffix("_id"): item[name]})
    return re.sub(r"<id:\w+>", str(item[name].pk), url)


def test_every_cursor_list_is_walked():
    lists = {"/api/v1/proposals/", "/api/v1/me/proposals/", "/api/v1/reports/", "/api/v1/me/reports/"}
    assert lists | {"/api/v1/notifications/"} <= set(CURSOR_LISTS)
    assert len(_queries("/api/v1/proposals/")) == 7


@pytest.mark.parametrize("url", CURSOR_LISTS)
def test_a_well_formed_cursor_with_a_bad_value_is_invalid_cursor(url, resident, opd_officer):
    _listed_rows(resident)
    url = _list_url(url, resident)
    callers = {"resident": client_for(resident), "anonymous": APIClient(), "opd_officer": client_for(opd_officer)}
    wrong, walked = [], 0
    for caller_name, caller in callers.items():
        if caller.get(url).status_code in (401, 403):
            continue  # not the caller's list (anonymous on their own lists, residents on the OPD inbox)
        walked += 1
        for query in _queries(url):
            for raw in BAD_CURSORS:
                response = caller.get(url, {**query, "cursor": _cursor(raw)})
                body = response.json()
                codes = [error["code"] for error in body.get("fields", {}).get("cursor", [])]
                if response.status_code != 400 or body["code"] != "validation_error" or codes != ["invalid_cursor"]:
                    wrong.append((caller_name, query, raw, response.status_code, body))
    assert walked and not wrong, wrong[:5]


@pytest.mark.parametrize("url", CURSOR_LISTS)
def test_the_cursors_a_list_issues_still_page_through_it(request, url, resident):
    """The check above refuses only what no list issues: every ordering's next and previous links work."""
    _listed_rows(resident)
    caller = _reader(request, url, resident)
    url = _list_url(url, resident)
    for query in _queries(url):
        first = caller.get(url, {**query, "page_size": 1})
        assert first.status_code == 200, (query, first.json())
        link = first.json()["next"]
        assert link, (query, first.json())
        second = caller.get(link)
        assert second.status_code == 200, (query, second.json())
        back = caller.get(second.json()["previous"])
        assert back.status_code == 200, (query, back.json())
        assert [item["id"] for item in back.json()["results"]] == [item["id"] for item in first.json()["results"]], (
            query,
            first.json(),
            second.json(),
            back.json(),
        )


@pytest.mark.parametrize("url", CURSOR_LISTS)
@pytest.mark.parametrize("ordering", ["most_voted", "trending", "x"])
def test_an_ordering_the_list_does_not_offer_is_no_server_error(request, url, ordering, resident):
    response = _reader(request, url, resident).get(_list_url(url, resident), {"ordering": ordering})
    assert response.status_code in {200, 400}, response.content[:300]


def test_a_bad_cursor_leaves_the_cached_public_list_alone(api, resident):
    _listed_rows(resident)
    page = api.get("/api/v1/proposals/").json()
    cursor = _cursor("p=x")
    for _ in range(2):  # the second time too: no page, and no error, is kept for the bad cursor's URL
        _error(api.get("/api/v1/proposals/", {"cursor": cursor}), 400)

    assert len(page["results"]) == 3
    assert api.get("/api/v1/proposals/").json() == page


def _queue_cursor(moment, item_type, item_id) -> str:
    raw = json.dumps([moment, item_type, item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _queue_cursor("x", "proposal", 1),
        _queue_cursor("2024-13-45T00:00:00+00:00", "proposal", 1),
        _queue_cursor("2024-01-01T00:00:00+00:00", "vote", 1),
        _queue_cursor("2024-01-01T00:00:00+00:00", "proposal", "1"),
        _queue_cursor("2024-01-01T00:00:00+00:00", "proposal", 1.5),
        _queue_cursor(None, "proposal", 1),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(b"\x00\xff").decode(),
    ],
)
def test_moderation_queue_cursor_with_a_bad_value_is_invalid_cursor(as_moderator, cursor):
    body = _error(as_moderator.get("/api/v1/moderation/queue/", {"cursor": cursor}), 400)
    assert [error["code"] for error in body["fields"]["cursor"]] == ["invalid_cursor"]


@pytest.mark.parametrize(
    "cursor",
    [
        _queue_cursor("2024-01-01T00:00:00+00:00", "proposal", 2**64),
        _queue_cursor("2024-01-01T00:00:00+00:00", "report", -(2**70)),
        _queue_cursor("0001-01-01T00:00:00+14:00", "proposal", 1),
        _queue_cursor("9999-12-31T23:59:59-14:00", "report", 1),
    ],
)
def test_moderation_queue_cursor_at_the_edges_is_no_server_error(as_moderator, cursor):
    response = as_moderator.get("/api/v1/moderation/queue/", {"cursor": cursor})
    assert response.status_code in {200, 400}, response.content[:300]


# --- ids past 64 bits ------------------------------------------------------------------------------------------

ID_ROUTES = [(route, method) for route, entry in _routes() if _PARAMETER.search(route) for method in _methods(entry)]
TOO_BIG = [str(2**63), str(2**64), "99999999999999999999999", "1" + "0" * 5000]  # the last: past int()'s digit limit


def _with_id(route: str, value: str) -> str:
    return "/" + _PARAMETER.sub(value, route)


def test_every_id_route_is_walked():
    routes = {route for route, _ in ID_ROUTES}
    assert "api/v1/proposals/<id:pk>/vote/" in routes
    assert len(routes) >= 12
    # One converter for every id: a plain <int:...> would hand 2**63 to the view (and the database).
    assert all("<id:" in route for route in routes), routes


@pytest.mark.parametrize(("route", "method"), ID_ROUTES)
def test_an_id_past_64_bits_is_not_found(route, method, persona):
    for value in TOO_BIG:
        response = getattr(persona, method)(_with_id(route, value), {}, format="json")
        assert _error(response, 404)["code"] == "not_found", (method, route, value)


@pytest.mark.parametrize(("route", "method"), ID_ROUTES)
def test_the_largest_id_reaches_the_view_and_finds_nothing(route, method, persona):
    response = getattr(persona, method)(_with_id(route, str(MAX_ID)), {}, format="json")
    assert response.status_code < 500, (method, route, response.content[:300])
    assert response.status_code not in {200, 201, 204}, (method, route)
    _error(response, response.status_code)


def test_id_path_parameters_stay_integers_in_the_schema(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))
    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    parameters = [
        (path, parameter)
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert len({path for path, _ in parameters}) >= 12
    assert all(parameter["schema"]["type"] == "integer" for _, parameter in parameters), parameters


ADMIN_MODELS = [model for model in apps.get_models() if admin.site.is_registered(model)]


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.label)
def test_admin_pages_of_an_object_past_64_bits_are_no_server_error(client, admin_user, model):
    client.force_login(admin_user)
    opts = model._meta
    for page in ("change", "history", "delete"):
        for value in (2**63, 2**64):
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[value])
            except NoReverseMatch:
                continue
            response = client.get(url)
            # A missing object: Django's admin goes back to the list with a message (a 403 where the page
            # is not allowed at all, e.g. deleting audit entries).
            assert response.status_code in {302, 403, 404}, (url, response.status_code)


# --- EXIF GPS on every photo upload ----------------------------------------------------------------------------


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


def _report_created(resident, moderator, data):
    response = client_for(resident).post(
        "/api/v1/reports/",
        {
            "image": _upload(data),
            "description": "Jalan berlubang",
            "category": category().pk,
            "kelurahan": kelurahan().pk,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["location_source"] == Report.LocationSource.KELURAHAN  # the GPS was ignored
    return response


def _proposal_photo_added(resident, moderator, data):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    response = client_for(resident).post(
        f"/api/v1/proposals/{proposal.pk}/photos/", {"image": _upload(data)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    return response


def _report_resolved_with_proof(resident, moderator, data):
    report = ReportFactory(author=resident, status=ReportStatus.VERIFIED)
    response = client_for(moderator).post(
        f"/api/v1/moderation/reports/{report.pk}/resolution/",
        {"note": "Sudah diperbaiki", "image": _upload(data)},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    return response


def _forwarded_to_dinkes(resident, moderator):
    from aspirasi.services import dispositions

    report = ReportFactory(author=resident, kelurahan=kelurahan("manggar"), status=ReportStatus.VERIFIED)
    dispositions.report_dispose(report=report, actor=moderator, opd=Opd.objects.get(slug="dinkes"))
    officer = user_assign_role(user=UserFactory(), role="opd", opd=Opd.objects.get(slug="dinkes"))
    return report, Disposition.objects.get(report=report), officer


def _follow_up_done_with_proof(resident, moderator, data):
    _report, disposition, officer = _forwarded_to_dinkes(resident, moderator)
    response = client_for(officer).post(
        f"/api/v1/opd/dispositions/{disposition.pk}/follow-up/",
        {"state": "done", "note": "Sudah diperbaiki", "photo": _upload(data)},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    return response


def _confirmation_photo_added(resident, moderator, data):
    from aspirasi.services import dispositions

    report, disposition, officer = _forwarded_to_dinkes(resident, moderator)
    proof = SimpleUploadedFile("proof.jpg", photo_bytes(), content_type="image/jpeg")
    dispositions.follow_up_record(disposition=disposition, actor=officer, state="done", note="Beres", photo=proof)
    dispositions.report_confirm(report=report, actor=resident, fixed=True)
    response = client_for(resident).post(
        f"/api/v1/reports/{report.pk}/confirmation/photo/", {"photo": _upload(data)}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    return response


PHOTO_UPLOADS = {
    ("/api/v1/reports/", "post"): _report_created,
    ("/api/v1/opd/dispositions/{id}/follow-up/", "post"): _follow_up_done_with_proof,
    ("/api/v1/reports/{id}/confirmation/photo/", "post"): _confirmation_photo_added,
    ("/api/v1/proposals/{id}/photos/", "post"): _proposal_photo_added,
    ("/api/v1/moderation/reports/{id}/resolution/", "post"): _report_resolved_with_proof,
}


# Uploads that are not photos, tested where they live: the forum minutes (PDF, tests/aspirasi/test_planning_forums.py).
OTHER_UPLOADS = {("/api/v1/planning/forums/", "post")}


def test_every_photo_upload_in_the_schema_is_walked(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))
    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    uploads = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
            properties = _resolved(schema, form.get("schema", {})).get("properties", {})
            if any(field.get("format") == "binary" for field in properties.values()):
                uploads.add((re.sub(r"\{\w+\}", "{id}", path), method))
    assert uploads == set(PHOTO_UPLOADS) | OTHER_UPLOADS


def _resolved(schema: dict, node: dict) -> dict:
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


@pytest.mark.parametrize("upload", PHOTO_UPLOADS.values(), ids=[path for path, _ in PHOTO_UPLOADS])
@pytest.mark.parametrize("gps", MALFORMED_GPS.values(), ids=MALFORMED_GPS.keys())
def test_a_photo_with_malformed_gps_is_accepted_without_a_point(upload, gps, resident, moderator_manggar):
    upload(resident, moderator_manggar, photo_bytes(gps=gps))


def test_corpus_photos_are_real_jpegs_with_a_gps_block():
    from PIL import Image

    for gps in MALFORMED_GPS.values():
        image = Image.open(io.BytesIO(photo_bytes(gps=gps)))
        assert image.format == "JPEG"
        assert image.getexif().get_ifd(0x8825)
