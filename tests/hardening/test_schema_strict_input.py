"""Request bodies and query strings are read as strictly as the schema states them (issue 19).

What schemathesis found in a `--checks all` run, each as a plain test: JSON types (a number where a string
is declared, 0 where a boolean is), page sizes, patterns (phone, near, push token), bounds checked whatever
else the query holds, and declarations (an empty optional query parameter, 406, the Idempotency-Key's
length, the staff `author`, the priorities export's JSON, the notification kinds, bulk `reject`).
"""

import json

import pytest
from django.test import RequestFactory
from django.urls import resolve

from aspirasi.models import ProposalStatus
from tests.factories import ProposalFactory, kelurahan

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    response = resolve("/api/schema/").func(RequestFactory().get("/api/schema/", {"format": "json"}))
    return json.loads(response.render().content)


def _component(schema, name):
    return schema["components"]["schemas"][name]


def _parameter(schema, path, method, name):
    return next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == name)


def _field_codes(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    return [error["code"] for error in body["fields"][field]]


# --- JSON types ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 5, 1.5, True, ["Ani"], {"a": 1}])
def test_a_string_field_takes_no_other_json_type(as_resident, value):
    response = as_resident.patch("/api/v1/me/", {"display_name": value}, format="json")
    assert _field_codes(response, "display_name") == ["invalid"]


def test_a_push_token_must_be_a_string(as_resident):
    response = as_resident.post("/api/v1/devices/", {"platform": "android", "token": 5}, format="json")
    assert _field_codes(response, "token") == ["invalid"]


def test_a_bulk_message_must_be_a_string(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    body = {"items": [{"type": "proposal", "id": proposal.pk}], "action": "review", "message": 0}
    response = as_moderator.post("/api/v1/moderation/decisions/bulk/", body, format="json")
    assert _field_codes(response, "message") == ["invalid"]


@pytest.mark.parametrize("value", [0, 1, "yes", "true"])
def test_a_boolean_field_takes_only_true_or_false(as_resident, value):
    response = as_resident.patch("/api/v1/me/notification-settings/", {"push_enabled": value}, format="json")
    assert _field_codes(response, "push_enabled") == ["invalid"]
    response = as_resident.patch(
        "/api/v1/me/notification-settings/", {"kinds": {"proposal_published": value}}, format="json"
    )
    assert response.status_code == 400


def test_true_and_false_are_still_booleans(as_resident):
    response = as_resident.patch("/api/v1/me/notification-settings/", {"push_enabled": False}, format="json")
    assert response.status_code == 200 and response.json()["push_enabled"] is False


def test_the_type_error_is_in_indonesian_by_default(resident):
    from tests.conftest import client_for

    response = client_for(resident, language="id").patch("/api/v1/me/", {"display_name": 0}, format="json")
    assert response.json()["fields"]["display_name"][0]["message"] == "Bukan teks yang valid."


def test_a_proposal_anonymous_flag_takes_no_number(as_resident):
    body = {
        "title": "Lampu jalan di gang",
        "description": "Gang gelap sekali pada malam hari.",
        "category": ProposalFactory().category_id,
        "kelurahan": kelurahan("manggar").pk,
        "anonymous": 0,
    }
    response = as_resident.post("/api/v1/proposals/", body, format="json")
    assert _field_codes(response, "anonymous") == ["invalid"]


@pytest.mark.parametrize("value", [0, 12])
def test_rt_and_rw_take_only_strings_of_ascii_digits(resident, as_resident, value):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    response = as_resident.patch(f"/api/v1/proposals/{proposal.pk}/", {"rw": value}, format="json")
    assert _field_codes(response, "rw") == ["invalid"]
    response = as_resident.patch(f"/api/v1/proposals/{proposal.pk}/", {"rw": "١٢"}, format="json")
    assert _field_codes(response, "rw") == ["invalid"]


# --- page sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/proposals/", "/api/v1/reports/"])
@pytest.mark.parametrize("page_size", ["0", "101", "1000", "null", "x", "2.5"])
def test_a_page_size_it_cannot_serve_is_refused(api, url, page_size):
    response = api.get(url, {"page_size": page_size})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error" and "page_size" in response.json()["fields"]


@pytest.mark.parametrize("page_size", ["", "1", "100"])
def test_a_page_size_in_range_or_empty_is_served(api, page_size):
    assert api.get("/api/v1/proposals/", {"page_size": page_size}).status_code == 200


def test_the_schema_states_the_page_size_bounds(schema):
    parameter = _parameter(schema, "/api/v1/proposals/", "get", "page_size")
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}


# --- empty query parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [("/api/v1/reports/", "status"), ("/api/v1/proposals/", "status"), ("/api/v1/proposals/", "kelurahan")],
)
def test_an_empty_optional_query_parameter_is_absent_and_the_schema_says_so(api, schema, url, name):
    assert api.get(url, {name: ""}).status_code == 200
    assert _parameter(schema, url, "get", name)["allowEmptyValue"] is True


def test_every_optional_query_parameter_allows_an_empty_value(schema):
    for item in schema["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    assert parameter.get("allowEmptyValue") is True, parameter["name"]


# --- patterns and bounds ------------------------------------------------------------------------------


def _register(api, phone):
    body = {
        "phone": phone,
        "password": "rahasia-sekali-42",
        "display_name": "Ani",
        "kelurahan": kelurahan("manggar").pk,
    }
    return api.post("/api/v1/auth/register/", body, format="json")


@pytest.mark.parametrize("phone", ["0812 3456 7890", "+62 812-3456-7891", "6281234567892"])
def test_a_phone_number_the_pattern_admits_registers(api, phone):
    assert _register(api, phone).status_code == 202


@pytest.mark.parametrize("phone", ["0812#3456#7890", "(0812) 3456 7890", "0800 0000 000"])
def test_a_phone_number_outside_the_pattern_is_invalid_phone(api, phone):
    response = _register(api, phone)
    assert response.status_code == 400 and response.json()["code"] == "invalid_phone"


def test_the_schema_states_the_phone_pattern_and_password_length(schema):
    properties = _component(schema, "RegisterInputRequest")["properties"]
    assert properties["phone"]["pattern"].startswith("^(\\+62 ?|62 ?|0)8")
    assert properties["password"]["minLength"] == 8


@pytest.mark.parametrize("near", ["1e1,116", "inf,116", "-1.2, 116.9", "+1.2,116.9", "91,116", "-1.2,181"])
def test_a_near_outside_its_pattern_is_refused(api, schema, near):
    assert _field_codes(api.get("/api/v1/proposals/", {"near": near}), "near") == ["invalid"]
    assert "pattern" in _parameter(schema, "/api/v1/proposals/", "get", "near")["schema"]


def test_a_near_in_its_pattern_is_served(api):
    assert api.get("/api/v1/proposals/", {"near": "-1.25,116.85"}).status_code == 200


@pytest.mark.parametrize("radius", ["-5", "0", "51"])
def test_radius_km_is_checked_even_without_near(api, radius):
    assert "radius_km" in api.get("/api/v1/proposals/", {"radius_km": radius}).json()["fields"]


@pytest.mark.parametrize("token", ["a b", "tok\u00e9n", "tab\there"])
def test_a_push_token_is_printable_ascii_without_spaces(as_resident, schema, token):
    response = as_resident.post("/api/v1/devices/", {"platform": "android", "token": token}, format="json")
    assert _field_codes(response, "token") == ["invalid_token"]
    assert _component(schema, "DeviceInputRequest")["properties"]["token"]["pattern"] == "^[!-~]+$"


def test_a_report_form_states_no_nullable_point(schema):
    properties = _component(schema, "ReportCreateInputRequest")["properties"]
    assert not any(properties[name].get("nullable") for name in ("latitude", "longitude", "kelurahan"))


# --- declarations -------------------------------------------------------------------------------------


def test_the_idempotency_key_states_its_length(schema):
    parameter = _parameter(schema, "/api/v1/proposals/", "post", "Idempotency-Key")
    assert parameter["schema"]["maxLength"] == 255


def test_an_unacceptable_accept_is_a_declared_406(api, schema):
    response = api.get("/api/v1/proposals/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert all("406" in operation["responses"] for item in schema["paths"].values() for operation in item.values())


def test_staff_answers_carry_an_optional_author_that_the_schema_declares(as_moderator, as_resident, schema):
    ProposalFactory(status=ProposalStatus.PUBLISHED)
    for name in ("ProposalOutput", "ProposalDetailOutput"):
        component = _component(schema, name)
        assert "author" in component["properties"] and "author" not in component["required"]
    assert "author" in as_moderator.get("/api/v1/proposals/").json()["results"][0]
    assert "author" not in as_resident.get("/api/v1/proposals/").json()["results"][0]


def test_the_priorities_json_is_a_page_or_the_export(schema):
    content = schema["paths"]["/api/v1/planning/priorities/"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/PrioritiesJsonOutput"}
    variants = {ref["$ref"].rsplit("/", 1)[1] for ref in _component(schema, "PrioritiesJsonOutput")["oneOf"]}
    assert variants == {"PrioritiesOutput", "PrioritiesExportOutput"}
    assert set(_component(schema, "PrioritiesExportOutput")["required"]) == {"meta", "results"}


def test_the_notification_kinds_are_a_closed_object(schema):
    kinds = _component(schema, "PatchedNotificationSettingsInputRequest")["properties"]["kinds"]
    assert kinds["additionalProperties"] is False and "proposal_published" in kinds["properties"]


def test_bulk_reject_is_its_own_variant_needing_reason_and_message(as_moderator, schema):
    variant = _component(schema, "BulkRejectInputRequest")
    assert {"reason", "message"} <= set(variant["required"])
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    body = {"items": [{"type": "proposal", "id": proposal.pk}], "action": "reject", "reason": "duplicate"}
    response = as_moderator.post("/api/v1/moderation/decisions/bulk/", {**body, "message": ""}, format="json")
    assert "message" in response.json()["fields"]


def test_a_decision_body_is_required_as_the_schema_states(as_moderator, schema):
    operation = schema["paths"]["/api/v1/moderation/decisions/bulk/"]["post"]
    assert operation["requestBody"]["required"] is True
    response = as_moderator.post("/api/v1/moderation/decisions/bulk/")
    assert response.status_code == 400 and "action" in response.json()["fields"]


def test_a_volume_past_two_decimals_is_cut_not_refused(resident, as_resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    for volume, expected in [(9999999999.999998, 9999999999.99), (0.1 + 0.2, 0.3)]:
        response = as_resident.patch(f"/api/v1/proposals/{proposal.pk}/", {"volume": volume}, format="json")
        assert response.status_code == 200 and response.json()["volume"] == expected
