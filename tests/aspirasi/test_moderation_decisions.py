"""Moderators' decisions on one proposal or report: effects, area scope, claims, illegal transitions, audit."""

import pytest

from aspirasi.models import AuditEntry, Flag, Opd, ProposalPhoto, ProposalStatus, ReportStatus
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, UserFactory, category, image_bytes, kelurahan

pytestmark = pytest.mark.django_db


def decide(client, proposal, **body):
    return client.post(f"/api/v1/moderation/proposals/{proposal.pk}/decision/", body, format="json")


def decide_report(client, report, fmt="json", **body):
    return client.post(f"/api/v1/moderation/reports/{report.pk}/decision/", body, format=fmt)


def test_review_claims_and_moves_to_in_review(as_moderator, moderator_manggar):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)

    response = decide(as_moderator, proposal, action="review")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_review"
    assert body["claimed_by"] == {"id": moderator_manggar.pk, "display_name": "Moderator Manggar"}
    proposal.refresh_from_db()
    assert proposal.claimed_by == moderator_manggar and proposal.claimed_at is not None
    entry = AuditEntry.objects.get(item_type="proposal", item_id=proposal.pk)
    assert entry.action == "review" and entry.actor == moderator_manggar and entry.actor_role == "moderator"
    assert entry.before["status"] == "submitted" and entry.after["status"] == "in_review"
    assert entry.after["claimed_by"] == moderator_manggar.pk
    assert entry.kelurahan_id == proposal.kelurahan_id


def test_claim_held_by_another_moderator_is_refused_but_admin_takes_over(as_moderator, as_admin, admin_user):
    holder = UserFactory()
    proposal = ProposalFactory(status=ProposalStatus.IN_REVIEW, claimed_by=holder)

    refused = decide(as_moderator, proposal, action="review")
    assert refused.status_code == 409 and refused.json()["code"] == "already_claimed"
    assert decide(as_moderator, proposal, action="publish").json()["code"] == "already_claimed"

    taken = decide(as_admin, proposal, action="review")
    assert taken.status_code == 200 and taken.json()["claimed_by"]["id"] == admin_user.pk


def test_publish_makes_public_and_clears_the_claim(as_moderator, moderator_manggar):
    proposal = ProposalFactory(status=ProposalStatus.IN_REVIEW, claimed_by=moderator_manggar)

    response = decide(as_moderator, proposal, action="publish")

    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "published" and proposal.published_at is not None
    assert proposal.claimed_by is None
    assert [e.to_status for e in proposal.timeline.all()] == ["published"]


def test_publishing_a_hidden_item_unhides_it_and_resolves_its_flags(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED, is_hidden=True)
    flag = Flag.objects.create(proposal=proposal, flagger=UserFactory(), reason="spam")

    assert decide(as_moderator, proposal, action="publish").status_code == 200

    proposal.refresh_from_db()
    flag.refresh_from_db()
    assert proposal.status == "published" and not proposal.is_hidden
    assert flag.resolved_at is not None
    entry = AuditEntry.objects.get(item_id=proposal.pk, action="publish")
    assert entry.before["is_hidden"] is True and entry.after["is_hidden"] is False


def test_publishing_a_published_item_is_an_illegal_transition(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    response = decide(as_moderator, proposal, action="publish")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    assert not AuditEntry.objects.exists()


def test_reject_needs_a_listed_reason_and_a_message(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)

    bad = decide(as_moderator, proposal, action="reject", reason="boring", message="x")
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    assert "message" in decide(as_moderator, proposal, action="reject", reason="duplicate").json()["fields"]

    ok = decide(as_moderator, proposal, action="reject", reason="not_in_scope", message="Bukan wewenang kota.")
    assert ok.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.rejection_reason == "not_in_scope"
    assert proposal.rejection_message == "Bukan wewenang kota."
    assert AuditEntry.objects.get(item_id=proposal.pk).message == "Bukan wewenang kota."


def test_rejecting_a_rejected_proposal_is_illegal(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.REJECTED)
    response = decide(as_moderator, proposal, action="reject", reason="other", message="lagi")
    assert response.json()["code"] == "illegal_transition"


def test_unknown_or_missing_action_is_a_validation_error(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    for body in ({"action": "explode"}, {}, {"action": "verify"}):
        response = decide(as_moderator, proposal, **body)
        assert response.status_code == 400
        assert "action" in response.json()["fields"]


def test_moderator_of_other_area_gets_404_and_planner_403(as_other_moderator, as_planner, as_resident):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    assert decide(as_other_moderator, proposal, action="publish").status_code == 404
    assert decide(as_planner, proposal, action="publish").status_code == 403
    assert decide(as_resident, proposal, action="publish").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_recategorize_and_assign_opd(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)

    assert decide(as_moderator, proposal, action="recategorize", category=category("kesehatan").pk).status_code == 200
    assert decide(as_moderator, proposal, action="assign_opd", opd="dinkes").status_code == 200
    assert decide(as_moderator, proposal, action="assign_opd", opd="nope").status_code == 400

    proposal.refresh_from_db()
    assert proposal.category.slug == "kesehatan" and proposal.opd == Opd.objects.get(slug="dinkes")
    actions = dict(AuditEntry.objects.filter(item_id=proposal.pk).values_list("action", "after"))
    assert actions["recategorize"] == {"category": category("kesehatan").pk}
    assert actions["assign_opd"] == {"opd": Opd.objects.get(slug="dinkes").pk}


def test_relocate_needs_both_areas(as_moderator, as_admin):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    outside = decide(as_moderator, proposal, action="relocate", kelurahan=kelurahan("teritip").pk)
    assert outside.status_code == 403 and outside.json()["code"] == "outside_moderated_area"

    assert decide(as_admin, proposal, action="relocate", kelurahan=kelurahan("teritip").pk).status_code == 200
    proposal.refresh_from_db()
    assert proposal.kelurahan.slug == "teritip"
    entry = AuditEntry.objects.get(item_id=proposal.pk, action="relocate")
    assert entry.before == {"kelurahan": kelurahan("manggar").pk} and entry.after == {
        "kelurahan": proposal.kelurahan_id
    }


def test_relocate_moves_the_point_too(as_admin):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, latitude=None, longitude=None)

    answer = decide(
        as_admin, proposal, action="relocate", kelurahan=kelurahan("teritip").pk, latitude=-1.1712344, longitude=116.98
    )

    assert answer.status_code == 200, answer.json()
    proposal.refresh_from_db()
    assert proposal.kelurahan.slug == "teritip"
    assert (str(proposal.latitude), str(proposal.longitude)) == ("-1.171234", "116.980000")
    entry = AuditEntry.objects.get(item_id=proposal.pk, action="relocate")
    assert entry.before["latitude"] is None and entry.after["latitude"] == "-1.171234"
    assert entry.after["longitude"] == "116.980000"


def test_relocate_without_a_point_keeps_it(as_admin):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, latitude="-1.200000", longitude="116.900000")
    assert decide(as_admin, proposal, action="relocate", kelurahan=kelurahan("teritip").pk).status_code == 200
    proposal.refresh_from_db()
    assert (str(proposal.latitude), str(proposal.longitude)) == ("-1.200000", "116.900000")


@pytest.mark.parametrize(
    ("point", "field", "code"),
    [
        ({"latitude": -1.2}, "longitude", "point_incomplete"),
        ({"longitude": 116.9}, "latitude", "point_incomplete"),
        ({"latitude": -6.2, "longitude": 106.8}, "latitude", "outside_balikpapan"),  # Jakarta
        ({"latitude": -1.2, "longitude": "NaN"}, "longitude", "invalid"),
    ],
)
def test_relocate_refuses_a_point_outside_the_city_or_half_a_point(as_admin, point, field, code):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    answer = decide(as_admin, proposal, action="relocate", kelurahan=kelurahan("teritip").pk, **point)
    assert answer.status_code == 400, answer.json()
    assert code in str(answer.json()) and field in str(answer.json())
    proposal.refresh_from_db()
    assert proposal.kelurahan.slug == "manggar" and not AuditEntry.objects.filter(action="relocate").exists()


def test_relocate_service_checks_the_point_itself(admin_user):
    from aspirasi.errors import InvalidPoint
    from aspirasi.services.moderation import proposal_relocate

    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    for latitude, longitude in ((-1.2, None), (-6.2, 106.8), (float("nan"), 116.9), (float("inf"), 116.9)):
        with pytest.raises(InvalidPoint):
            proposal_relocate(
                proposal=proposal,
                actor=admin_user,
                kelurahan=kelurahan("teritip"),
                latitude=latitude,
                longitude=longitude,
            )


# --- reports -------------------------------------------------------------------------------------------


def test_verify_then_resolve_a_report_with_a_proof_photo(as_moderator, moderator_manggar):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = ReportFactory()
    assert decide_report(as_moderator, report, action="verify").json()["status"] == "verified"

    photo = SimpleUploadedFile("fixed.jpg", image_bytes(), content_type="image/jpeg")
    response = as_moderator.post(
        f"/api/v1/moderation/reports/{report.pk}/resolution/",
        {"note": "Sudah diaspal.", "image": photo},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolution_note == "Sudah diaspal."
    assert report.resolution_image.name.startswith("reports/")
    assert list(AuditEntry.objects.filter(item_type="report").values_list("action", flat=True)) == [
        "resolve",
        "verify",
    ]


def test_resolving_a_new_report_is_illegal(as_moderator):
    report = ReportFactory()
    response = decide_report(as_moderator, report, action="resolve", note="x")
    assert response.json()["code"] == "illegal_transition"


def test_reject_a_report_with_reason(as_moderator):
    report = ReportFactory()
    response = decide_report(as_moderator, report, action="reject", reason="offensive", message="Foto tidak pantas.")
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == "rejected" and report.rejection_reason == "offensive"


def test_link_a_report_to_a_public_proposal_of_the_area(as_moderator):
    report = ReportFactory()
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    elsewhere = ProposalFactory(status=ProposalStatus.PUBLISHED, kelurahan=kelurahan("margasari"))
    draft = ProposalFactory(status=ProposalStatus.SUBMITTED)

    assert decide_report(as_moderator, report, action="link", proposal=elsewhere.pk).json()["code"] == (
        "invalid_link_target"
    )
    assert decide_report(as_moderator, report, action="link", proposal=draft.pk).json()["code"] == (
        "invalid_link_target"
    )
    assert decide_report(as_moderator, report, action="link", proposal=proposal.pk).status_code == 200
    report.refresh_from_db()
    assert report.status == "linked" and report.linked_proposal == proposal


def test_promote_creates_a_published_proposal_with_the_photo_and_location(as_moderator, moderator_manggar):
    report = ReportFactory(latitude="-1.250000", longitude="116.900000", location_source="given")

    response = decide_report(as_moderator, report, action="promote", title="Perbaikan jalan sekolah")

    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    proposal = report.linked_proposal
    assert report.status == "linked"
    assert proposal.status == "published" and proposal.source_report == report
    assert proposal.title == "Perbaikan jalan sekolah" and proposal.author_id == report.author_id
    assert (proposal.latitude, proposal.longitude, proposal.kelurahan_id) == (
        report.latitude,
        report.longitude,
        report.kelurahan_id,
    )
    photo = ProposalPhoto.objects.get(proposal=proposal)
    assert photo.image.name.startswith("proposals/") and photo.image.read() == report.image.open().read()
    assert AuditEntry.objects.get(item_type="report", action="promote").after["linked_proposal"] == proposal.pk


def test_promoting_a_report_located_by_its_photo_keeps_the_point_to_about_110_m(as_moderator):
    report = ReportFactory(latitude="-1.265432", longitude="116.831987", location_source="exif")
    assert decide_report(as_moderator, report, action="promote").status_code == 200
    report.refresh_from_db()
    proposal = report.linked_proposal
    assert (str(proposal.latitude), str(proposal.longitude)) == ("-1.265000", "116.832000")


def test_report_of_other_area_is_404(as_other_moderator):
    report = ReportFactory()
    assert decide_report(as_other_moderator, report, action="verify").status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


# --- bulk ----------------------------------------------------------------------------------------------


def test_bulk_decides_each_item_on_its_own(as_moderator):
    ok_proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    ok_report = ReportFactory()
    already = ProposalFactory(status=ProposalStatus.PUBLISHED)
    elsewhere = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("margasari"))
    items = [
        {"type": "proposal", "id": ok_proposal.pk},
        {"type": "report", "id": ok_report.pk},
        {"type": "proposal", "id": already.pk},
        {"type": "proposal", "id": elsewhere.pk},
    ]

    response = as_moderator.post("/api/v1/moderation/decisions/bulk/", {"items": items, "action": "publish"})

    assert response.status_code == 200
    results = [(r["id"], r["ok"], r["code"], r["status"]) for r in response.json()["results"]]
    assert results == [
        (ok_proposal.pk, True, None, "published"),
        (ok_report.pk, True, None, "verified"),
        (already.pk, False, "illegal_transition", None),
        (elsewhere.pk, False, "not_found", None),
    ]
    assert AuditEntry.objects.count() == 2
    elsewhere.refresh_from_db()
    assert elsewhere.status == "submitted"


def test_bulk_reject_requires_reason_and_message(as_moderator):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    items = [{"type": "proposal", "id": proposal.pk}]
    url = "/api/v1/moderation/decisions/bulk/"
    assert as_moderator.post(url, {"items": items, "action": "reject"}).status_code == 400
    response = as_moderator.post(url, {"items": items, "action": "reject", "reason": "duplicate", "message": "Sama."})
    assert response.json()["results"][0]["status"] == "rejected"


@pytest.mark.parametrize(
    "body",
    [
        ["publish"],
        {"action": "merge", "target": 2**70},
        {"action": "merge", "target": "abc"},
        {"action": "recategorize", "category": {"id": 1}},
        {"action": "assign_opd", "opd": None},
    ],
)
def test_malformed_decisions_are_validation_errors(as_moderator, body):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    response = as_moderator.post(f"/api/v1/moderation/proposals/{proposal.pk}/decision/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_malformed_bulk_items_are_validation_errors(as_moderator):
    url = "/api/v1/moderation/decisions/bulk/"
    for body in ({"items": [], "action": "publish"}, {"items": [{"type": "vote", "id": 1}], "action": "publish"}, []):
        response = as_moderator.post(url, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_release_gives_a_claim_back_only_by_its_holder(as_moderator, moderator_manggar, as_admin):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    report = ReportFactory()
    assert decide(as_moderator, proposal, action="release").json()["code"] == "illegal_transition"  # nobody holds it
    decide(as_moderator, proposal, action="review")
    decide_report(as_moderator, report, action="review")

    released = decide(as_moderator, proposal, action="release")

    assert released.status_code == 200 and released.json()["status"] == "submitted"
    assert released.json()["claimed_by"] is None
    entry = AuditEntry.objects.get(item_type="proposal", item_id=proposal.pk, action="release")
    assert entry.before["claimed_by"] == moderator_manggar.pk and entry.after["claimed_by"] is None
    other = UserFactory()
    ReportFactory._meta.model.objects.filter(pk=report.pk).update(claimed_by=other)
    assert decide_report(as_moderator, report, action="release").json()["code"] == "already_claimed"
    assert decide_report(as_admin, report, action="release").json()["claimed_by"] is None  # admins may
