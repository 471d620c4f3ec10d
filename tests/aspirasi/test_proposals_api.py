"""Submitting, reading, editing and withdrawing proposals through the API; privacy and visibility."""

import pytest

from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.models import Proposal, ProposalStatus, Vote
from realtime import events
from tests.factories import ProposalFactory, category, kelurahan

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/"


def _payload(**overrides):
    body = {
        "title": "Pelatihan menjahit untuk ibu-ibu",
        "description": "Pelatihan menjahit selama tiga bulan agar ibu rumah tangga bisa membuka usaha.",
        "category": category("pendidikan").pk,
        "kelurahan": kelurahan("manggar").pk,
        "rt": "012",
        "rw": "03",
        "latitude": -1.2133,
        "longitude": 116.9701,
        "target_groups": ["women", "low_income"],
        "estimated_beneficiaries": 20,
        "estimated_poor_households": 12,
        "volume": 20,
        "unit": "peserta",
        "estimated_cost": 45_000_000,
    }
    body.update(overrides)
    return body


@pytest.fixture
def sent(monkeypatch):
    """Live events actually sent (after commit)."""
    messages = []
    monkeypatch.setattr(events, "send_now", lambda groups, message: messages.append((groups, message)))
    return messages


def test_resident_submits_proposal_with_timeline_and_live_event(
    as_resident, resident, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_resident.post(URL, _payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["kecamatan"]["slug"] == "balikpapan-timur"
    assert body["target_groups"] == ["women", "low_income"]
    assert body["latitude"] == pytest.approx(-1.2133)
    assert body["volume"] == 20 and body["unit"] == "peserta" and body["estimated_cost"] == 45_000_000
    assert body["author_name"] == "Siti Warga" and body["is_own"] is True
    [entry] = body["timeline"]
    assert {k: entry[k] for k in ("actor_role", "from", "to", "message")} == {
        "actor_role": "author",
        "from": "",
        "to": "submitted",
        "message": "",
    }
    proposal = Proposal.objects.get(pk=body["id"])
    assert proposal.author == resident
    [(groups, message)] = sent
    assert groups == events.moderation_groups(proposal.kelurahan_id)
    assert message["type"] == events.PROPOSAL_SUBMITTED
    assert message["payload"]["proposal_id"] == proposal.pk and message["payload"]["status"] == "submitted"


def test_anonymous_caller_cannot_submit(api):
    assert api.post(URL, _payload(), format="json").status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": -3.0, "longitude": 116.9}, "latitude"),  # outside Balikpapan
        ({"latitude": -1.2, "longitude": 117.5}, "longitude"),  # each coordinate is checked on its own
        ({"latitude": -1.2, "longitude": None}, "latitude"),  # only one half of the point
        ({"longitude": None, "latitude": None, "title": ""}, "title"),
        ({"target_groups": ["aliens"]}, "target_groups"),
        ({"estimated_cost": -1}, "estimated_cost"),
        ({"rt": "12a"}, "rt"),
        ({"category": 99999}, "category"),
    ],
)
def test_bad_input_is_refused_field_by_field(as_resident, overrides, field):
    response = as_resident.post(URL, _payload(**overrides), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert not Proposal.objects.exists()


def test_nan_coordinates_are_refused(as_resident):
    raw = '{"title": "Jalan rusak", "description": "Jalan berlubang besar", "latitude": NaN, "longitude": 116.9}'
    response = as_resident.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    # A number in a string is read as one: "nan" is not a number either.
    text = as_resident.post(URL, {**_payload(), "latitude": "nan"}, format="json")
    assert text.status_code == 400 and "latitude" in text.json()["fields"]
    assert not Proposal.objects.exists()


def test_point_is_optional(as_resident):
    response = as_resident.post(URL, _payload(latitude=None, longitude=None), format="json")
    assert response.status_code == 201
    assert response.json()["latitude"] is None


def test_retry_with_same_idempotency_key_creates_nothing(as_resident):
    first = as_resident.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = as_resident.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Proposal.objects.count() == 1
    other = as_resident.post(URL, _payload(title="Judul yang lain sama sekali"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Proposal.objects.count() == 1


def test_creates_are_throttled_per_user(as_resident, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "create", "2/min")
    codes = [as_resident.post(URL, _payload(), format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    response = as_resident.post(URL, _payload(), format="json")
    assert response.json()["code"] == "throttled"
    assert Proposal.objects.count() == 2


def test_public_output_never_shows_phone_or_account_ids(api, as_other_resident, resident):
    proposal = ProposalFactory(author=resident)
    for client in (api, as_other_resident):
        text = client.get(f"{URL}{proposal.pk}/").content.decode() + client.get(URL).content.decode()
        assert resident.phone not in text
        assert '"author"' not in text and '"author_id"' not in text


def test_anonymous_proposal_shows_warga_of_kelurahan(api, resident):
    proposal = ProposalFactory(author=resident, anonymous=True)
    body = api.get(f"{URL}{proposal.pk}/").json()
    assert body["author_name"] == "Warga Manggar"
    assert resident.display_name not in str(body)


@pytest.mark.parametrize("client_fixture", ["as_moderator", "as_planner", "as_admin"])
def test_staff_see_the_author_of_an_anonymous_proposal(request, client_fixture, resident):
    proposal = ProposalFactory(author=resident, anonymous=True)
    client = request.getfixturevalue(client_fixture)
    detail = client.get(f"{URL}{proposal.pk}/").json()
    assert detail["author"] == {"id": resident.pk, "display_name": "Siti Warga", "phone": resident.phone}
    assert client.get(URL).json()["results"][0]["author"]["id"] == resident.pk


def test_unpublished_and_hidden_proposals_are_not_public(api, as_other_resident, as_resident, resident):
    submitted = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    hidden = ProposalFactory(author=resident, is_hidden=True)
    public = ProposalFactory(author=resident)
    for client in (api, as_other_resident):
        assert [p["id"] for p in client.get(URL).json()["results"]] == [public.pk]
        assert client.get(f"{URL}{submitted.pk}/").status_code == 404
        assert client.get(f"{URL}{hidden.pk}/").status_code == 404
    # The author sees their own in every state.
    assert as_resident.get(f"{URL}{submitted.pk}/").json()["status"] == "submitted"
    mine = as_resident.get("/api/v1/me/proposals/").json()["results"]
    assert {p["id"] for p in mine} == {submitted.pk, hidden.pk, public.pk}


def test_status_filter_accepts_public_statuses_only(api):
    assert api.get(URL, {"status": "submitted"}).json()["code"] == "validation_error"
    assert api.get(URL, {"status": "accepted"}).status_code == 200


def test_moderator_sees_a_submitted_proposal_of_their_area(as_moderator, as_other_moderator):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)  # in Manggar
    assert as_moderator.get(f"{URL}{proposal.pk}/").status_code == 200
    assert as_other_moderator.get(f"{URL}{proposal.pk}/").status_code == 404


def test_author_edits_while_in_review(as_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.IN_REVIEW)
    response = as_resident.patch(
        f"{URL}{proposal.pk}/", {"title": "Judul diperbaiki", "target_groups": ["youth"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Judul diperbaiki"
    assert response.json()["target_groups"] == ["youth"]
    proposal.refresh_from_db()
    assert proposal.title == "Judul diperbaiki" and proposal.unit == "peserta"


def test_patch_needs_both_halves_of_a_point(as_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    response = as_resident.patch(f"{URL}{proposal.pk}/", {"latitude": -1.2}, format="json")
    assert response.status_code == 400 and "latitude" in response.json()["fields"]


@pytest.mark.parametrize("state", [ProposalStatus.PUBLISHED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN])
def test_author_cannot_edit_or_withdraw_after_review(as_resident, resident, state):
    proposal = ProposalFactory(author=resident, status=state)
    patch = as_resident.patch(f"{URL}{proposal.pk}/", {"title": "Judul baru sekali"}, format="json")
    delete = as_resident.delete(f"{URL}{proposal.pk}/")
    assert patch.status_code == delete.status_code == 409
    assert patch.json()["code"] == delete.json()["code"] == "not_editable"
    proposal.refresh_from_db()
    assert proposal.status == state and proposal.title != "Judul baru sekali"


def test_other_resident_cannot_change_a_public_proposal(as_other_resident):
    proposal = ProposalFactory()
    assert as_other_resident.patch(f"{URL}{proposal.pk}/", {"title": "Bukan punyaku"}).status_code == 403
    assert as_other_resident.delete(f"{URL}{proposal.pk}/").status_code == 403
    unpublished = ProposalFactory(status=ProposalStatus.SUBMITTED)
    assert as_other_resident.delete(f"{URL}{unpublished.pk}/").status_code == 404


def test_author_withdraws_with_a_timeline_entry(as_resident, resident, sent, django_capture_on_commit_callbacks):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_resident.delete(f"{URL}{proposal.pk}/")
    assert response.status_code == 204
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    timeline = as_resident.get(f"{URL}{proposal.pk}/").json()["timeline"]
    last = timeline[-1]
    assert (last["from"], last["to"], last["actor_role"]) == ("submitted", "withdrawn", "author")
    assert [m["type"] for _g, m in sent] == [events.PROPOSAL_UPDATED]


def test_merged_and_rejected_outputs(as_resident, resident, api):
    target = ProposalFactory()
    merged = ProposalFactory(status=ProposalStatus.MERGED, merged_into=target)
    rejected = ProposalFactory(
        author=resident, status=ProposalStatus.REJECTED, rejection_reason="duplicate", rejection_message="Sudah ada"
    )
    assert api.get(f"{URL}{merged.pk}/").json()["merged_into"] == target.pk
    body = as_resident.get(f"{URL}{rejected.pk}/").json()
    assert (body["rejection_reason"], body["rejection_message"]) == ("duplicate", "Sudah ada")


def test_detail_answers_304_to_its_etag(api):
    proposal = ProposalFactory()
    first = api.get(f"{URL}{proposal.pk}/")
    again = api.get(f"{URL}{proposal.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_has_voted_is_true_only_for_the_voter(as_resident, as_other_resident, resident):
    proposal = ProposalFactory()
    Vote.objects.create(proposal=proposal, voter=resident)
    assert as_resident.get(URL).json()["results"][0]["has_voted"] is True
    assert as_other_resident.get(URL).json()["results"][0]["has_voted"] is False
    assert as_resident.get(f"{URL}{proposal.pk}/").json()["has_voted"] is True
