"""Real responses of the main endpoints against the served schema: what the server sends is what the schema
says, field by field, nulls included, and nothing the schema does not name.

Each response is validated with jsonschema against the schema its operation declares for that status, read
from /api/schema/. The OpenAPI 3.0 dialect is turned into JSON Schema first (`nullable`, boolean
`exclusiveMaximum`), and every object is closed (`additionalProperties: false`), so a field renamed, retyped,
left out or sent null where the schema says otherwise fails here.
"""

import copy
import json

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from aspirasi.models import Opd, Program, ProgramUpdate, ProposalStatus, Report, ReportStatus, TargetGroup
from aspirasi.services.status import proposal_change_status
from notifications.models import Notification, NotificationKind
from tests.aspirasi.planning_fixtures import make_cycle
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory, VoteFactory, category, kelurahan

pytestmark = pytest.mark.django_db


def _json_schema(node):
    """An OpenAPI 3.0 schema object as JSON Schema 2020-12, with every object closed."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    for bound in ("Maximum", "Minimum"):
        if node.pop(f"exclusive{bound}", False) is True:
            node[f"exclusive{bound}"] = node.pop(bound.lower())
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def served_schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def components(served_schema):
    return _json_schema(served_schema["components"])


@pytest.fixture
def conforms(served_schema, components):
    """conforms(response, template, method): the response's JSON is what its operation declares."""

    def check(response, template: str, method: str = "get") -> dict:
        declared = served_schema["paths"][template][method]["responses"][str(response.status_code)]
        root = {
            "components": components,
            **_json_schema(copy.deepcopy(declared["content"]["application/json"]["schema"])),
        }
        body = response.json()
        validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
        assert errors == [], f"{method.upper()} {template} ({response.status_code})"
        return body

    return check


def test_the_check_catches_a_renamed_field_and_an_unexpected_null(components):
    """The converter itself: a closed object, nullability as declared."""
    schema = _json_schema(
        {
            "type": "object",
            "properties": {"to": {"type": "string"}, "volume": {"type": "number", "nullable": True}},
            "required": ["to"],
        }
    )
    assert Draft202012Validator(schema).is_valid({"to": "published", "volume": None})
    assert not Draft202012Validator(schema).is_valid({"to_status": "published"})
    assert not Draft202012Validator(schema).is_valid({"to": None})


@pytest.fixture
def proposals(resident, moderator_manggar):
    """A bare proposal (every optional field empty) and a full one, both public and with a timeline."""
    bare = ProposalFactory(
        author=resident, status=ProposalStatus.SUBMITTED, volume=None, unit="", estimated_beneficiaries=None
    )
    full = ProposalFactory(
        author=resident,
        status=ProposalStatus.SUBMITTED,
        latitude="-1.213300",
        longitude="116.970100",
        volume="12.50",
        estimated_cost=45_000_000,
        estimated_poor_households=3,
        rt="012",
        rw="03",
        anonymous=True,
    )
    for proposal in (bare, full):
        proposal_change_status(proposal=proposal, to_status=ProposalStatus.PUBLISHED, actor=moderator_manggar)
    full.target_groups.set(TargetGroup.objects.all()[:2])
    VoteFactory(proposal=full)
    return bare, full


def test_proposal_list_detail_and_similar(api, as_resident, proposals, conforms):
    bare, full = proposals
    for client in (api, as_resident):
        page = conforms(client.get("/api/v1/proposals/"), "/api/v1/proposals/")
        assert {item["id"] for item in page["results"]} == {bare.pk, full.pk}
        conforms(client.get("/api/v1/proposals/", {"near": "-1.2133,116.9701"}), "/api/v1/proposals/")
        for proposal in (bare, full):
            detail = conforms(client.get(f"/api/v1/proposals/{proposal.pk}/"), "/api/v1/proposals/{id}/")
            assert [(entry["from"], entry["to"]) for entry in detail["timeline"]] == [
                ("", "submitted"),
                ("submitted", "published"),
            ][-len(detail["timeline"]) :]
    assert next(item for item in page["results"] if item["id"] == bare.pk)["volume"] is None
    similar = conforms(
        api.get("/api/v1/proposals/similar/", {"title": full.title, "latitude": -1.2133, "longitude": 116.9701}),
        "/api/v1/proposals/similar/",
    )
    assert similar and similar[0]["kelurahan"]["slug"] == "manggar"
    conforms(as_resident.get("/api/v1/me/proposals/"), "/api/v1/me/proposals/")


def test_proposal_create_and_edit(as_resident, conforms):
    body = {
        "title": "Pelatihan menjahit untuk ibu-ibu",
        "description": "Pelatihan menjahit selama tiga bulan agar ibu rumah tangga bisa membuka usaha.",
        "category": category().pk,
        "kelurahan": kelurahan().pk,
    }
    created = conforms(as_resident.post("/api/v1/proposals/", body, format="json"), "/api/v1/proposals/", "post")
    assert created["volume"] is None and created["latitude"] is None
    edited = as_resident.patch(f"/api/v1/proposals/{created['id']}/", {"volume": 2.5}, format="json")
    assert conforms(edited, "/api/v1/proposals/{id}/", "patch")["volume"] == 2.5


def _report(author, **fields):
    return Report.objects.create(
        author=author,
        description="Saluran air tersumbat",
        category=category(),
        kelurahan=kelurahan(),
        location_source=fields.pop("location_source", "kelurahan"),
        status=fields.pop("status", ReportStatus.VERIFIED),
        image="reports/2025/01/a.jpg",
        thumbnail_small="reports/2025/01/a_s.jpg",
        thumbnail_large="reports/2025/01/a_l.jpg",
        width=64,
        height=48,
        **fields,
    )


def test_reports_list_detail_and_own(api, as_resident, resident, conforms):
    bare = _report(resident)
    located = _report(resident, latitude="-1.213300", longitude="116.970100", location_source="given")
    for client in (api, as_resident):
        page = conforms(client.get("/api/v1/reports/"), "/api/v1/reports/")
        assert len(page["results"]) == 2
        for report in (bare, located):
            conforms(client.get(f"/api/v1/reports/{report.pk}/"), "/api/v1/reports/{report_id}/")
    conforms(as_resident.get("/api/v1/me/reports/"), "/api/v1/me/reports/")


def test_me_of_a_resident_and_of_staff_without_a_kelurahan(as_resident, conforms):
    assert conforms(as_resident.get("/api/v1/me/"), "/api/v1/me/")["kelurahan"]["slug"] == "manggar"
    staff = client_for(UserFactory(kelurahan=None))
    assert conforms(staff.get("/api/v1/me/"), "/api/v1/me/")["kelurahan"] is None


def test_notifications(as_resident, resident, conforms):
    Notification.objects.create(recipient=resident, kind=NotificationKind.PROPOSAL_PUBLISHED, title="Terbit")
    Notification.objects.create(
        recipient=resident,
        kind=NotificationKind.PROPOSAL_PUBLISHED,
        title="Terbit",
        body="Usulan Anda terbit",
        target_type="proposal",
        target_id=1,
        read_at=timezone.now(),
    )
    assert len(conforms(as_resident.get("/api/v1/notifications/"), "/api/v1/notifications/")["results"]) == 2
    conforms(as_resident.get("/api/v1/notifications/unread-count/"), "/api/v1/notifications/unread-count/")
    conforms(as_resident.get("/api/v1/me/notification-settings/"), "/api/v1/me/notification-settings/")


def test_planning_priorities_cycles_and_programs(api, as_planner, resident, conforms):
    cycle = make_cycle(phase="deliberation")
    ProposalFactory(cycle=cycle, author=resident, volume=None, estimated_beneficiaries=None)
    located = ProposalFactory(cycle=cycle, author=resident, volume="3.25", latitude="-1.2133", longitude="116.9701")
    carry = {"proposal": located.pk, "level": "kecamatan", "rank": 1}
    conforms(
        as_planner.post("/api/v1/planning/priorities/carry/", carry, format="json"),
        "/api/v1/planning/priorities/carry/",
        "post",
    )
    for level, count in (("kelurahan", 2), ("kecamatan", 1), ("city", 0)):
        page = conforms(
            as_planner.get("/api/v1/planning/priorities/", {"level": level}), "/api/v1/planning/priorities/"
        )
        assert page["count"] == count
    conforms(api.get("/api/v1/planning/cycles/"), "/api/v1/planning/cycles/")
    program = Program.objects.create(
        name="Pelatihan menjahit 2027",
        opd=Opd.objects.first() or Opd.objects.create(slug="dinas-pendidikan", name="Dinas Pendidikan"),
        category=category(),
        budget=150_000_000,
        period_start="2027-01-01",
        period_end="2027-12-31",
    )
    ProgramUpdate.objects.create(program=program, date="2027-02-01", note="Mulai")
    ProposalFactory(author=resident, program=program)
    conforms(api.get("/api/v1/programs/"), "/api/v1/programs/")
    detail = conforms(api.get(f"/api/v1/programs/{program.pk}/"), "/api/v1/programs/{program_id}/")
    assert detail["proposals"][0]["kelurahan"]["slug"] == "manggar"


def test_moderation_queue(as_moderator, resident, conforms):
    ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    _report(resident, status=ReportStatus.NEW)
    assert len(conforms(as_moderator.get("/api/v1/moderation/queue/"), "/api/v1/moderation/queue/")["results"]) == 2


def test_vote_and_reference_data(api, as_resident, conforms):
    proposal = ProposalFactory()
    conforms(as_resident.post(f"/api/v1/proposals/{proposal.pk}/vote/"), "/api/v1/proposals/{id}/vote/", "post")
    for path in ("/api/v1/areas/", "/api/v1/categories/", "/api/v1/target-groups/"):
        conforms(api.get(path), path)


def _request_bodies(served_schema):
    components = served_schema["components"]["schemas"]
    for path, operations in served_schema["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                refs = [content["schema"], *content["schema"].get("oneOf", [])]
                for ref in (r["$ref"].rsplit("/", 1)[-1] for r in refs if "$ref" in r):
                    yield method, path, ref, components[ref]


def test_request_bodies_require_nothing_the_server_defaults(served_schema):
    """openapi-typescript (defaultNonNullable, on by default in 7.x) makes a property that states a `default`
    required in a request component: a server default is left out of the schema, and only what has none is
    required. A PATCH body requires nothing."""
    defaults, required_in_patch = [], []
    for method, path, name, component in _request_bodies(served_schema):
        defaults += [
            f"{name}.{prop}" for prop, schema in component.get("properties", {}).items() if "default" in schema
        ]
        if method == "patch" and component.get("required"):
            required_in_patch.append(f"PATCH {path}: {name} requires {component['required']}")
    assert defaults == []
    assert required_in_patch == []


def test_account_export_tokens_and_an_erased_author(api, as_resident, as_moderator, resident, proposals, conforms):
    from aspirasi.models import Flag
    from notifications.models import Device
    from tests.aspirasi.factories_moderation import ReportFactory

    _bare, full = proposals
    ReportFactory(author=resident, status=ReportStatus.REJECTED, rejection_reason="spam")
    VoteFactory(proposal=ProposalFactory(vote_count=1), voter=resident)  # counted, as vote_cast would
    Flag.objects.create(proposal=ProposalFactory(), flagger=resident, reason="spam")
    Notification.objects.create(recipient=resident, kind=NotificationKind.PROPOSAL_PUBLISHED, title="Terbit")
    Device.objects.create(user=resident, platform="ios", token="apns-token")
    export = conforms(as_resident.get("/api/v1/me/export/"), "/api/v1/me/export/")
    assert len(export["proposals"]) == 2 and export["reports"] and export["votes"] and export["flags"]
    bare_account = UserFactory(kelurahan=None, email="")
    conforms(client_for(bare_account).get("/api/v1/me/export/"), "/api/v1/me/export/")
    login = api.post("/api/v1/auth/token/", {"phone": resident.phone, "password": "rahasia-sekali-123"})
    pair = conforms(login, "/api/v1/auth/token/", "post")
    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    conforms(refreshed, "/api/v1/auth/token/refresh/", "post")
    changed = as_resident.post(
        "/api/v1/auth/password/change/",
        {"old_password": "rahasia-sekali-123", "new_password": "kebun-mangga-di-teritip"},
        format="json",
    )
    conforms(changed, "/api/v1/auth/password/change/", "post")
    erased = client_for(resident).delete("/api/v1/me/", {"password": "kebun-mangga-di-teritip"}, format="json")
    assert erased.status_code == 204
    staff = conforms(as_moderator.get(f"/api/v1/proposals/{full.pk}/"), "/api/v1/proposals/{id}/")
    assert staff["author"] is None
    conforms(as_moderator.get("/api/v1/proposals/"), "/api/v1/proposals/")
