"""Every string, list and id a client sends has a bound that the served schema states, and the server holds it:
an oversize value is a 400 `validation_error` naming the field, refused before any per-item work.

The first tests walk the schema itself, so a new field without a bound fails here. The others send values
one past each stated bound (and lists of 50,000 items) to the key endpoints, reading the bound from the schema.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aspirasi.models import Proposal, ProposalStatus, TargetGroup
from notifications.models import NotificationKind
from tests.factories import ProposalFactory, category, kelurahan

pytestmark = pytest.mark.django_db

HUGE = 50_000


@pytest.fixture
def schema(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _unbounded(schema: dict, node: dict, where: str, *, body: bool, seen: frozenset = frozenset()) -> list[str]:
    """Where `node` (and what it nests) lacks a bound: strings maxLength, arrays maxItems, maps maxProperties;
    in bodies also integers and numbers both limits. Read-only properties are never sent."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(schema, _resolve(schema, node), where, body=body, seen=seen | {name})
    found = []
    for key in ("allOf", "oneOf", "anyOf"):
        for part in node.get(key, []):
            found += _unbounded(schema, part, where, body=body, seen=seen)
    kind = node.get("type")
    if kind == "string" and "enum" not in node and node.get("format") != "binary" and "maxLength" not in node:
        found.append(f"{where}: string without maxLength")
    elif kind == "array":
        if "maxItems" not in node:
            found.append(f"{where}: array without maxItems")
        found += _unbounded(schema, node["items"], f"{where}[]", body=body, seen=seen)
    elif kind in ("integer", "number") and body and not ("minimum" in node and "maximum" in node):
        found.append(f"{where}: {kind} without minimum and maximum")
    elif kind == "object" and isinstance(node.get("additionalProperties"), dict):
        if "maxProperties" not in node:
            found.append(f"{where}: map without maxProperties")
        found += _unbounded(schema, node["additionalProperties"], f"{where}{{}}", body=body, seen=seen)
    for name, prop in node.get("properties", {}).items():
        if not prop.get("readOnly"):
            found += _unbounded(schema, prop, f"{where}.{name}", body=body, seen=seen)
    return found


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_every_request_body_states_its_bounds(schema):
    unbounded = []
    for name, operation in _operations(schema):
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            unbounded += _unbounded(schema, content["schema"], f"{name} ({media_type})", body=True)
    assert unbounded == []


def test_every_text_or_list_query_parameter_states_its_bounds(schema):
    unbounded = []
    for name, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                unbounded += _unbounded(schema, parameter["schema"], f"{name} ?{parameter['name']}", body=False)
    assert unbounded == []


def test_the_walk_finds_an_unbounded_field():
    """The walk itself: a body with an unbounded string, list, map or integer is reported, nested too."""
    schema = {"components": {"schemas": {"Inner": {"type": "object", "properties": {"note": {"type": "string"}}}}}}
    body = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}},
            "kinds": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "count": {"type": "integer", "minimum": 0},
            "inner": {"$ref": "#/components/schemas/Inner"},
            "id": {"type": "integer", "readOnly": True},
        },
    }
    assert _unbounded(schema, body, "X", body=True) == [
        "X.tags: array without maxItems",
        "X.kinds: map without maxProperties",
        "X.count: integer without minimum and maximum",
        "X.inner.note: string without maxLength",
    ]


# --- oversize values at the key endpoints -----------------------------------------------------------------


def _property(schema: dict, component: str, name: str) -> dict:
    return _resolve(schema, schema["components"]["schemas"][component]["properties"][name])


def _max_length(schema, component, name) -> int:
    prop = _property(schema, component, name)
    return prop.get("maxLength") or next(part["maxLength"] for part in prop["oneOf"] if part.get("maxLength"))


def _proposal_body(**overrides) -> dict:
    return {
        "title": "Pelatihan menjahit untuk ibu-ibu",
        "description": "Pelatihan menjahit selama tiga bulan agar ibu rumah tangga bisa membuka usaha.",
        "category": category("pendidikan").pk,
        "kelurahan": kelurahan("manggar").pk,
        **overrides,
    }


def _refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"], body


@pytest.mark.parametrize("field", ["title", "description", "unit"])
def test_proposal_text_one_past_its_bound_is_refused(as_resident, schema, field):
    limit = _max_length(schema, "ProposalCreateInputRequest", field)
    _refused(as_resident.post("/api/v1/proposals/", _proposal_body(**{field: "a" * (limit + 1)}), format="json"), field)
    assert not Proposal.objects.exists()


def test_target_groups_are_capped_deduplicated_and_read_in_one_query(
    as_resident, schema, django_assert_max_num_queries
):
    limit = _property(schema, "ProposalCreateInputRequest", "target_groups")["maxItems"]
    assert TargetGroup.objects.count() <= limit  # every group of the reference data fits
    url = "/api/v1/proposals/"
    for size in (limit + 1, HUGE):
        # The caller, the idempotency and throttle bookkeeping: the same few queries whatever the size.
        with django_assert_max_num_queries(6):
            _refused(
                as_resident.post(url, _proposal_body(target_groups=["women"] * size), format="json"), "target_groups"
            )
    every = list(TargetGroup.objects.values_list("slug", flat=True))
    response = as_resident.post(url, _proposal_body(target_groups=["women", *every, "women"][:limit]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["target_groups"].count("women") == 1
    _refused(as_resident.post(url, _proposal_body(target_groups=["women", "aliens"]), format="json"), "target_groups")


def test_target_groups_of_an_edit_fail_before_any_lookup(as_resident, resident, django_assert_max_num_queries):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    with django_assert_max_num_queries(8):
        response = as_resident.patch(
            f"/api/v1/proposals/{proposal.pk}/", {"target_groups": ["women"] * HUGE}, format="json"
        )
    _refused(response, "target_groups")


@pytest.mark.parametrize("value", [2.5, "2.5", True, False, 2**63, 0, "dua"])
def test_an_id_is_a_whole_number_in_range(as_resident, value):
    _refused(as_resident.post("/api/v1/proposals/", _proposal_body(kelurahan=value), format="json"), "kelurahan")
    _refused(as_resident.patch("/api/v1/me/", {"kelurahan": value}, format="json"), "kelurahan")


def test_an_integral_id_is_read_as_that_id(as_resident):
    """JSON Schema's integer includes 2.0; a string of digits is read too (as query strings are)."""
    manggar = kelurahan("manggar").pk
    for value in (float(manggar), str(manggar)):
        response = as_resident.post("/api/v1/proposals/", _proposal_body(kelurahan=value), format="json")
        assert response.status_code == 201 and response.json()["kelurahan"]["id"] == manggar


@pytest.mark.parametrize("field", ["phone", "password", "display_name"])
def test_registration_text_one_past_its_bound_is_refused(api, schema, field):
    body = {"phone": "081234567890", "password": "rahasia-sekali-123", "display_name": "Siti", "kelurahan": 1}
    body[field] = "1" * (_max_length(schema, "RegisterInputRequest", field) + 1)
    _refused(api.post("/api/v1/auth/register/", body, format="json"), field)


def test_bulk_decisions_refuse_too_many_items_before_any(as_moderator, schema, django_assert_max_num_queries):
    limit = _property(schema, "BulkDecisionInputRequest", "items")["maxItems"]
    for size in (limit + 1, HUGE):
        body = {"action": "publish", "items": [{"type": "proposal", "id": 1}] * size}
        with django_assert_max_num_queries(4):
            _refused(as_moderator.post("/api/v1/moderation/decisions/bulk/", body, format="json"), "items")
    message = "a" * (_max_length(schema, "BulkDecisionInputRequest", "message") + 1)
    body = {"action": "publish", "items": [{"type": "proposal", "id": 1}], "message": message}
    _refused(as_moderator.post("/api/v1/moderation/decisions/bulk/", body, format="json"), "message")


def test_a_rejection_message_one_past_its_bound_is_refused(as_moderator, schema):
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"), status=ProposalStatus.SUBMITTED)
    message = "a" * (_max_length(schema, "RejectDecisionInputRequest", "message") + 1)
    body = {"action": "reject", "reason": "other", "message": message}
    _refused(as_moderator.post(f"/api/v1/moderation/proposals/{proposal.pk}/decision/", body, format="json"), "message")


def test_notification_settings_refuse_more_kinds_than_exist(as_resident, schema, django_assert_max_num_queries):
    limit = _property(schema, "PatchedNotificationSettingsInputRequest", "kinds")["maxProperties"]
    assert limit == len(NotificationKind.values)
    for size in (limit + 1, HUGE):
        with django_assert_max_num_queries(2):
            response = as_resident.patch(
                "/api/v1/me/notification-settings/", {"kinds": {f"k{i}": True for i in range(size)}}, format="json"
            )
        _refused(response, "kinds")


def test_a_push_token_one_past_its_bound_is_refused(as_resident, schema):
    token = "a" * (_max_length(schema, "DeviceInputRequest", "token") + 1)
    _refused(as_resident.post("/api/v1/devices/", {"platform": "android", "token": token}, format="json"), "token")


def test_a_report_description_one_past_its_bound_is_refused(as_resident, schema):
    description = "a" * (_max_length(schema, "ReportCreateInputRequest", "description") + 1)
    body = {"image": SimpleUploadedFile("a.jpg", b"x"), "description": description, "category": category().pk}
    _refused(as_resident.post("/api/v1/reports/", body, format="multipart"), "description")


def _query_max_length(schema, path: str, name: str) -> int:
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return parameter["schema"]["maxLength"]


@pytest.mark.parametrize("name", ["q", "near", "category", "kecamatan", "target_group"])
def test_a_list_filter_one_past_its_bound_is_refused(api, schema, name):
    limit = _query_max_length(schema, "/api/v1/proposals/", name)
    _refused(api.get("/api/v1/proposals/", {name: "1" * (limit + 1)}), name)


def test_a_similar_title_one_past_its_bound_is_refused(api, schema):
    limit = _query_max_length(schema, "/api/v1/proposals/similar/", "title")
    _refused(api.get("/api/v1/proposals/similar/", {"title": "a" * (limit + 1)}), "title")
