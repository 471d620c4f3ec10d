"""Every operation of the served schema declares what the server really answers, and the server answers so.

For each operation a real request: a GET with its own ETag as If-None-Match gets 304, a body in a media type
the operation does not take gets 415, a reused Idempotency-Key with another body gets 422, a throttled
operation past its limit gets 429; each status is declared on that operation, and each declared header
(ETag, Idempotent-Replayed, Retry-After, the RateLimit fields) is on the real answer. Operations come from
the schema, so a new view is checked without a line here (but WHERE, when its path needs a persona or an
object).
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from aspirasi.api.idempotency import idempotent
from aspirasi.api.throttling import ScopedRateThrottle
from tests.conftest import client_for
from tests.factories import category, image_bytes, kelurahan
from tests.hardening.objects import objects_of


def _served_schema() -> dict:
    """What /api/schema/ serves, from its own view (at collection the test client's host is not allowed yet)."""
    response = resolve("/api/schema/").func(RequestFactory().get("/api/schema/", {"format": "json"}))
    return json.loads(response.render().content)


SCHEMA = _served_schema()
OPERATIONS = sorted(
    (method.upper(), path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
)
# Who calls a path, and the object its id points at; every other path: the resident, no object.
WHERE = {
    "/api/v1/auth/register/": ("anonymous", None),
    "/api/v1/auth/verify/": ("anonymous", None),
    "/api/v1/auth/code/resend/": ("anonymous", None),
    "/api/v1/auth/password/reset/": ("anonymous", None),
    "/api/v1/auth/password/reset/confirm/": ("anonymous", None),
    "/api/v1/auth/token/": ("anonymous", None),
    "/api/v1/auth/token/refresh/": ("anonymous", None),
    "/api/v1/devices/{id}/": ("resident", "device"),
    "/api/v1/moderation/queue/": ("moderator", None),
    "/api/v1/moderation/decisions/bulk/": ("moderator", None),
    "/api/v1/moderation/proposals/{proposal_id}/decision/": ("moderator", "submitted"),
    "/api/v1/moderation/reports/{report_id}/decision/": ("moderator", "new_report"),
    "/api/v1/moderation/reports/{report_id}/resolution/": ("moderator", "verified_report"),
    "/api/v1/notifications/{id}/read/": ("resident", "notification"),
    "/api/v1/planning/priorities/": ("planner", None),
    "/api/v1/planning/priorities/carry/": ("planner", None),
    "/api/v1/planning/budgets/": ("planner", None),
    "/api/v1/planning/budgets/{budget_id}/": ("planner", "budget"),
    "/api/v1/planning/shortlist/": ("planner", None),
    "/api/v1/planning/forums/": ("planner", None),
    "/api/v1/planning/exports/td4/": ("planner", None),
    "/api/v1/planning/forums/{forum_id}/paper-support/": ("planner", "forum"),
    "/api/v1/planning/ballots/{cycle_id}/": ("resident", "cycle"),
    "/api/v1/planning/shortlist/decisions/": ("planner", None),
    "/api/v1/planning/programs/{program_id}/proposals/": ("planner", "program"),
    "/api/v1/programs/{program_id}/": ("resident", "program"),
    "/api/v1/proposals/{id}/": ("resident", "published"),
    "/api/v1/proposals/{id}/vote/": ("other_resident", "published"),
    "/api/v1/proposals/{proposal_id}/flags/": ("other_resident", "published"),
    "/api/v1/proposals/{proposal_id}/photos/": ("resident", "submitted"),
    "/api/v1/reports/{report_id}/": ("resident", "verified_report"),
    "/api/v1/reports/{report_id}/flags/": ("other_resident", "verified_report"),
    "/api/v1/proposals/{proposal_id}/comments/": ("resident", "published"),
    "/api/v1/reports/{report_id}/comments/": ("resident", "verified_report"),
    "/api/v1/comments/{comment_id}/": ("resident", "comment"),
    "/api/v1/comments/{comment_id}/flags/": ("other_resident", "comment"),
    "/api/v1/proposals/{proposal_id}/follow/": ("resident", "published"),
    "/api/v1/moderation/comments/{comment_id}/decision/": ("moderator", "comment"),
    "/api/v1/opd/inbox/": ("opd_officer", None),
    "/api/v1/opd/dispositions/{disposition_id}/follow-up/": ("opd_officer", "disposition"),
    "/api/v1/reports/{report_id}/confirmation/": ("resident", "verified_report"),
    "/api/v1/reports/{report_id}/confirmation/photo/": ("resident", "verified_report"),
}
QUERIES = {
    "/api/v1/proposals/similar/": "?title=Pelatihan+menjahit",
    "/api/v1/planning/results/": "?level=city",
    "/api/v1/planning/exports/td4/": "?list=shortlist",
}  # what a GET needs to be a 200
JSON, MULTIPART, FORM = "application/json", "multipart/form-data", "application/x-www-form-urlencoded"


def _ids(operations) -> list[str]:
    return [f"{method} {path}" for method, path, _operation in operations]


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _variants(schema: dict) -> list[dict]:
    """An object schema, or each object of its oneOf (a decision discriminated by `action`)."""
    schema = _resolve(schema)
    return [_resolve(option) for option in schema["oneOf"]] if "oneOf" in schema else [schema]


def _file_fields(schema: dict) -> tuple[set[str], set[str]]:
    """(file fields, required file fields) of a request schema."""
    files, required = set(), set()
    for variant in _variants(schema):
        names = {name for name, field in variant.get("properties", {}).items() if field.get("format") == "binary"}
        files |= names
        required |= names & set(variant.get("required", []))
    return files, required


def _body_media_types(operation: dict) -> dict:
    return operation.get("requestBody", {}).get("content", {})


# A GET declares its ETag and 304, or (the export of a resident's data) that nothing may keep it.
GETS = [o for o in OPERATIONS if o[0] == "GET" and "304" in o[2]["responses"]]
NO_STORE_GETS = [o for o in OPERATIONS if o[0] == "GET" and "304" not in o[2]["responses"]]
WITH_BODY = [o for o in OPERATIONS if _body_media_types(o[2])]
IDEMPOTENT = [
    o
    for o in OPERATIONS
    if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in o[2].get("parameters", []))
]
# A throttle states its limit in the RateLimit fields; a login lockout's 429 states only Retry-After.
THROTTLED = [o for o in OPERATIONS if "RateLimit-Policy" in o[2]["responses"].get("429", {}).get("headers", {})]


@pytest.fixture
def world(resident, other_resident, moderator_manggar, planner, opd_officer):
    people = {
        "resident": resident,
        "other_resident": other_resident,
        "moderator": moderator_manggar,
        "planner": planner,
        "opd_officer": opd_officer,
    }
    objects = objects_of(resident)

    def call(path: str):
        """(client, url) for a path of the schema."""
        persona, object_key = WHERE.get(path, ("resident", None))
        client = client_for(people[persona]) if persona != "anonymous" else APIClient()
        url = path
        if object_key:
            url = path.replace(path[path.index("{") : path.index("}") + 1], str(objects[object_key].pk))
        return client, url

    return call


def _declared(operation: dict, status: int) -> dict:
    assert str(status) in operation["responses"], f"{status} is answered but not declared"
    return operation["responses"][str(status)]


def _assert_declared_headers(operation: dict, response) -> None:
    declared = _declared(operation, response.status_code).get("headers", {})
    missing = [name for name, header in declared.items() if header.get("required") and not response.has_header(name)]
    assert missing == [], f"declared as required, not sent: {missing}"


# --- conditional GET ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), GETS, ids=_ids(GETS))
def test_a_get_answers_its_own_etag_with_304_as_declared(world, method, path, operation, monkeypatch):
    client, url = world(path)
    url += QUERIES.get(path, "")
    # One moment for both reads: a body with an age in seconds (the moderation queue) is another body a
    # second later, and this tests the ETag's round trip, not the clock.
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    first = client.get(url)
    assert first.status_code == 200, first.content[:300]
    assert first.has_header("ETag") and "ETag" in _declared(operation, 200)["headers"]
    _assert_declared_headers(operation, first)
    assert any(p["in"] == "header" and p["name"] == "If-None-Match" for p in operation["parameters"])

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and "ETag" in _declared(operation, 304)["headers"]


@pytest.mark.parametrize(("method", "path", "operation"), NO_STORE_GETS, ids=_ids(NO_STORE_GETS))
def test_a_get_without_304_is_no_store_as_declared(world, method, path, operation):
    client, url = world(path)
    first = client.get(url)
    assert first.status_code == 200, first.content[:300]
    assert "no-store" in first["Cache-Control"] and not first.has_header("ETag")
    assert "Cache-Control" in _declared(operation, 200)["headers"]
    assert not any(p["name"] == "If-None-Match" for p in operation.get("parameters", []))
    _assert_declared_headers(operation, first)


# --- media types -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "operation"), WITH_BODY, ids=_ids(WITH_BODY))
def test_json_operations_take_json_only_and_uploads_multipart_only(method, path, operation):
    content = _body_media_types(operation)
    assert FORM not in content
    files = {media_type: _file_fields(body["schema"]) for media_type, body in content.items()}
    if JSON in files:
        assert files[JSON] == (set(), set()), "JSON cannot carry a file"
    if MULTIPART in files:
        assert files[MULTIPART][0], "multipart only where a file is uploaded"
        if files[MULTIPART][1]:  # the file is required: there is no JSON way to call it
            assert set(content) == {MULTIPART}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), WITH_BODY, ids=_ids(WITH_BODY))
def test_a_body_in_a_media_type_not_taken_is_415_as_declared(world, method, path, operation):
    client, url = world(path)
    send = getattr(client, method.lower())
    refused = [send(url, "title=x&kelurahan=1", content_type=FORM)]
    if JSON not in _body_media_types(operation):
        refused.append(send(url, {"title": "x"}, format="json"))
    for response in refused:
        assert response.status_code == 415, response.content[:300]
        assert response.json()["code"] == "unsupported_media_type"
        _declared(operation, 415)


BODILESS_IDEMPOTENT = [o for o in IDEMPOTENT if o not in WITH_BODY]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), BODILESS_IDEMPOTENT, ids=_ids(BODILESS_IDEMPOTENT))
def test_with_a_key_a_bodiless_create_reads_the_body_it_fingerprints_so_415_as_declared(world, method, path, operation):
    client, url = world(path)
    response = getattr(client, method.lower())(url, "a=b", content_type=FORM, HTTP_IDEMPOTENCY_KEY="key-1")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    _declared(operation, 415)


def test_415_is_our_error_shape_in_both_languages(api):
    body, form = "phone=081234567890&password=x", "application/x-www-form-urlencoded"
    indonesian = api.post("/api/v1/auth/token/", body, content_type=form)
    english = api.post("/api/v1/auth/token/", body, content_type=form, HTTP_ACCEPT_LANGUAGE="en")
    assert indonesian.status_code == english.status_code == 415
    assert indonesian.json() == {
        "code": "unsupported_media_type",
        "message": 'Jenis media "application/x-www-form-urlencoded" dalam permintaan ini tidak didukung.',
    }
    assert english.json() == {
        "code": "unsupported_media_type",
        "message": 'Unsupported media type "application/x-www-form-urlencoded" in request.',
    }


# --- idempotent creates ------------------------------------------------------------------------------------


def _create_body(path: str) -> tuple[dict, str]:
    """A body each idempotent create accepts, and its format."""
    photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
    bodies = {
        "/api/v1/devices/": ({"platform": "android", "token": "fcm-token-new"}, "json"),
        "/api/v1/proposals/": (
            {
                "title": "Pelatihan menjahit untuk ibu-ibu",
                "description": "Pelatihan menjahit selama tiga bulan agar ibu rumah tangga bisa membuka usaha.",
                "category": category("pendidikan").pk,
                "kelurahan": kelurahan("manggar").pk,
            },
            "json",
        ),
        "/api/v1/proposals/{id}/vote/": ({}, "json"),
        "/api/v1/proposals/{proposal_id}/flags/": ({"reason": "spam"}, "json"),
        "/api/v1/reports/{report_id}/flags/": ({"reason": "spam"}, "json"),
        "/api/v1/comments/{comment_id}/flags/": ({"reason": "spam"}, "json"),
        "/api/v1/proposals/{proposal_id}/comments/": ({"body": "Setuju sekali"}, "json"),
        "/api/v1/reports/{report_id}/comments/": ({"body": "Saya juga melihatnya"}, "json"),
        "/api/v1/proposals/{proposal_id}/photos/": ({"image": photo}, "multipart"),
        "/api/v1/reports/": (
            {"image": photo, "description": "Jalan berlubang", "category": category().pk, "kelurahan": kelurahan().pk},
            "multipart",
        ),
    }
    return bodies[path]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), IDEMPOTENT, ids=_ids(IDEMPOTENT))
def test_a_replay_says_so_and_a_reused_key_is_422_as_declared(world, method, path, operation):
    client, url = world(path)
    body, fmt = _create_body(path)
    send = getattr(client, method.lower())

    first = send(url, body, format=fmt, HTTP_IDEMPOTENCY_KEY="key-1")
    assert 200 <= first.status_code < 300, first.content[:300]
    for upload in body.values():
        if hasattr(upload, "seek"):
            upload.seek(0)
    replay = send(url, body, format=fmt, HTTP_IDEMPOTENCY_KEY="key-1")
    reused = send(url, {"other": "body"}, format=fmt, HTTP_IDEMPOTENCY_KEY="key-1")

    assert replay.status_code == first.status_code and replay["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" in _declared(operation, replay.status_code)["headers"]
    _assert_declared_headers(operation, replay)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    _declared(operation, 422)


# --- throttles ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), THROTTLED, ids=_ids(THROTTLED))
def test_past_its_limit_a_throttled_operation_is_429_with_its_declared_headers(
    world, monkeypatch, method, path, operation
):
    for scope in ScopedRateThrottle.THROTTLE_RATES:
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, scope, "1/hour")
    client, url = world(path)
    send = getattr(client, method.lower())

    counted = send(url)
    throttled = send(url)

    assert counted.status_code != 429
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    for response in (counted, throttled):
        declared = _declared(operation, response.status_code)["headers"]
        assert {"RateLimit-Policy", "RateLimit"} <= set(declared) and response.has_header("RateLimit")
    assert "Retry-After" in _declared(operation, 429)["headers"]


def test_only_throttled_operations_declare_429_unless_a_lockout_says_why():
    for method, path, operation in OPERATIONS:
        if "429" in operation["responses"] and (method, path, operation) not in THROTTLED:
            assert "too_many_failed_logins" in operation["responses"]["429"]["description"], (method, path)


def test_every_429_says_when_to_retry():
    for method, path, operation in OPERATIONS:
        if "429" in operation["responses"]:
            assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)


# --- authentication ----------------------------------------------------------------------------------------


NOT_AUTHENTICATED = [o for o in OPERATIONS if "401" not in o[2]["responses"]]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), NOT_AUTHENTICATED, ids=_ids(NOT_AUTHENTICATED))
def test_an_operation_declaring_no_401_ignores_a_bad_token(world, method, path, operation):
    _client, url = world(path)
    response = getattr(APIClient(), method.lower())(url, {}, format="json", HTTP_AUTHORIZATION="Bearer junk")
    assert response.status_code != 401
    _declared(operation, response.status_code)


def _api_view_methods():
    """(schema path, METHOD, the view's handler) for every view under /api/v1/, from the URL conf."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/v1/"):
                # A path converter <...:pk> is the schema's {id} (drf-spectacular's SCHEMA_COERCE_PATH_PK).
                path = "/" + re.sub(r"<\w+:(\w+)>", r"{\1}", prefix + str(pattern.pattern)).replace("{pk}", "{id}")
                view_class = pattern.callback.view_class
                for method in ("get", "post", "put", "patch", "delete"):
                    if hasattr(view_class, method):
                        found.append((path, method.upper(), getattr(view_class, method)))

    walk(get_resolver().url_patterns)
    return found


def test_every_idempotent_create_declares_its_key_and_only_those():
    # Every function @idempotent returns runs the decorator's one wrapper: its code object tells them apart.
    wrapper_code = idempotent(lambda view, request: None).__code__
    operations = {(method, path): operation for method, path, operation in OPERATIONS}
    idempotent_operations = {(method, path) for method, path, _operation in IDEMPOTENT}
    handled = {(method, path) for path, method, handler in _api_view_methods() if handler.__code__ is wrapper_code}
    assert handled and handled <= set(operations)
    assert handled == idempotent_operations
