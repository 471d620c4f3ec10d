"""Verified, established residents flag public items once each, within a rate; enough distinct flaggers
send an item to moderators' review, never out of public view, and a moderator's decision is final for them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import NotAResident
from aspirasi.models import AuditEntry, Flag, ProposalStatus, ReportStatus
from aspirasi.services.flags import proposal_flag
from realtime import events
from tests.aspirasi.factories_moderation import ReportFactory
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def established(**fields):
    """A verified resident who registered two days ago: old enough to flag (FLAG_MIN_ACCOUNT_AGE_HOURS 24)."""
    return UserFactory(date_joined=timezone.now() - timedelta(days=2), **fields)


def newcomer(**fields):
    """A verified resident who registered an hour ago."""
    return UserFactory(date_joined=timezone.now() - timedelta(hours=1), **fields)


@pytest.fixture
def sent(monkeypatch):
    """The live events that left after commit, as (type, payload, groups)."""
    messages = []
    monkeypatch.setattr(events, "send_now", lambda groups, message: messages.append((message, groups)))
    return lambda: [(m["type"], m["payload"], groups) for m, groups in messages]


def flag(client, item, kind="proposals", **body):
    return client.post(f"/api/v1/{kind}/{item.pk}/flags/", {"reason": "spam", **body}, format="json")


def test_resident_flags_a_public_proposal(as_resident, resident):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    response = flag(as_resident, proposal, reason="offensive", message="Kata kasar")
    assert response.status_code == 201
    assert response.json()["reason"] == "offensive"
    assert Flag.objects.get().flagger == resident


def test_flagging_twice_is_already_flagged(as_resident):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert flag(as_resident, proposal).status_code == 201
    response = flag(as_resident, proposal, reason="duplicate")
    assert response.status_code == 409 and response.json()["code"] == "already_flagged"
    assert Flag.objects.count() == 1


def test_bad_reason_anonymous_and_missing_item(as_resident, api):
    published = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert flag(as_resident, published, reason="ugly").json()["code"] == "validation_error"
    assert flag(api, published).status_code == 401
    assert as_resident.post("/api/v1/proposals/999999/flags/", {"reason": "spam"}).status_code == 404


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    "kind, make",
    [
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.SUBMITTED)),
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.IN_REVIEW)),
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.REJECTED)),
        ("proposals", lambda: ProposalFactory(status=ProposalStatus.PUBLISHED, is_hidden=True)),
        ("reports", lambda: ReportFactory(status=ReportStatus.NEW)),
        ("reports", lambda: ReportFactory(status=ReportStatus.VERIFIED, is_hidden=True)),
    ],
)
def test_an_item_that_is_not_public_is_answered_as_a_missing_one(resident, kind, make, language):
    """Nothing tells a flagger that a hidden or unpublished item exists: the same 404 as a missing id."""
    client = client_for(resident, language=language)
    not_public = flag(client, make(), kind=kind)
    absent = client.post(f"/api/v1/{kind}/999999/flags/", {"reason": "spam"}, format="json")
    assert not_public.status_code == absent.status_code == 404
    assert not_public.json() == absent.json() == {"code": "not_found", "message": absent.json()["message"]}
    assert Flag.objects.count() == 0


def test_a_merged_proposal_is_public_but_not_flaggable(as_resident):
    target = ProposalFactory(status=ProposalStatus.PUBLISHED)
    merged = ProposalFactory(status=ProposalStatus.MERGED, merged_into=target)
    response = flag(as_resident, merged)
    assert response.status_code == 409 and response.json()["code"] == "not_flaggable"


@pytest.mark.parametrize("staff", ["moderator_manggar", "moderator_barat", "planner", "admin_user"])
@pytest.mark.parametrize("kind", ["proposals", "reports"])
def test_only_residents_flag(request, staff, kind):
    if kind == "proposals":
        item = ProposalFactory(status=ProposalStatus.PUBLISHED)
    else:
        item = ReportFactory(status=ReportStatus.VERIFIED)
    response = flag(client_for(request.getfixturevalue(staff)), item, kind=kind)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Flag.objects.count() == 0


def test_staff_cannot_flag_through_the_service_either(planner):
    with pytest.raises(NotAResident):
        proposal_flag(proposal=ProposalFactory(status=ProposalStatus.PUBLISHED), flagger=planner, reason="spam")


def test_an_unverified_resident_cannot_flag(resident):
    unverified = UserFactory(phone_verified_at=None, date_joined=timezone.now() - timedelta(days=30))
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    report = ReportFactory(status=ReportStatus.VERIFIED)
    for kind, item in (("proposals", proposal), ("reports", report)):
        response = flag(client_for(unverified, language="en"), item, kind=kind)
        assert response.status_code == 403 and response.json()["code"] == "phone_not_verified"
        assert "Verify your phone number" in response.json()["message"]
    assert Flag.objects.count() == 0


@pytest.mark.parametrize("language, words", [("en", "too new"), ("id", "terlalu baru")])
def test_an_account_younger_than_the_setting_cannot_flag(language, words):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    response = flag(client_for(newcomer(), language=language), proposal)
    assert response.status_code == 403 and response.json()["code"] == "account_too_new_to_flag"
    assert words in response.json()["message"]
    assert Flag.objects.count() == 0


def test_the_account_age_is_a_setting(settings):
    settings.FLAG_MIN_ACCOUNT_AGE_HOURS = 0
    assert flag(client_for(newcomer()), ProposalFactory(status=ProposalStatus.PUBLISHED)).status_code == 201
    settings.FLAG_MIN_ACCOUNT_AGE_HOURS = 72
    response = flag(client_for(established()), ProposalFactory(status=ProposalStatus.PUBLISHED))
    assert response.json()["code"] == "account_too_new_to_flag"


def test_three_new_accounts_cannot_hide_anything_from_public_view(settings, api, as_moderator, committed, sent):
    settings.FLAG_REVIEW_THRESHOLD = 3
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)

    for _ in range(3):
        response = flag(client_for(newcomer()), proposal)
        assert response.status_code == 403 and response.json()["code"] == "account_too_new_to_flag"
    assert as_moderator.get("/api/v1/moderation/queue/").json()["results"] == []

    with committed():
        for _ in range(3):
            assert flag(client_for(established()), proposal).status_code == 201

    # Still public, for everyone: in the list and at its address.
    assert api.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200
    assert proposal.pk in [item["id"] for item in api.get("/api/v1/proposals/").json()["results"]]
    # In the moderators' queue, marked for review.
    (queued,) = as_moderator.get("/api/v1/moderation/queue/").json()["results"]
    assert (queued["id"], queued["is_hidden"], queued["flag_count"]) == (proposal.pk, False, 3)
    assert queued["flag_review_requested_at"] is not None
    entry = AuditEntry.objects.get(item_type="proposal", item_id=proposal.pk)
    assert (entry.action, entry.actor, entry.actor_role) == ("flag_review_requested", None, "system")
    assert entry.after["flag_count"] == 3 and entry.kelurahan_id == proposal.kelurahan_id
    review = [(payload, groups) for kind, payload, groups in sent() if kind == "flag.review_requested"]
    assert review == [
        (
            {
                "item_type": "proposal",
                "item_id": proposal.pk,
                "kelurahan_id": proposal.kelurahan_id,
                "flag_count": 3,
                "review_requested_at": entry.after["flag_review_requested_at"],
            },
            events.moderation_groups(proposal.kelurahan_id),
        )
    ]


def test_the_review_is_requested_once(settings, committed, sent):
    settings.FLAG_REVIEW_THRESHOLD = 2
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    with committed():
        for _ in range(4):
            assert flag(client_for(established()), proposal).status_code == 201
    assert AuditEntry.objects.filter(action="flag_review_requested").count() == 1
    kinds = [kind for kind, _payload, _groups in sent()]
    assert kinds.count("flag.review_requested") == 1 and kinds.count("flag.raised") == 4
    assert [p["review_requested"] for k, p, _g in sent() if k == "flag.raised"] == [False, True, True, True]


def _review_requested(settings, item, kind="proposals", flaggers=2):
    settings.FLAG_REVIEW_THRESHOLD = flaggers
    people = [established() for _ in range(flaggers)]
    for person in people:
        assert flag(client_for(person), item, kind=kind).status_code == 201
    item.refresh_from_db()
    assert item.flag_review_requested_at is not None
    return people


def decide(client, item, kind="proposals", **body):
    return client.post(f"/api/v1/moderation/{kind}/{item.pk}/decision/", body, format="json")


def test_restore_keeps_the_item_public_and_is_final_for_its_flags(settings, api, as_moderator, moderator_manggar):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    first, _second = _review_requested(settings, proposal)

    response = decide(as_moderator, proposal, action="publish", message="Bukan spam")

    assert response.status_code == 200
    assert response.json()["flag_review_requested_at"] is None and response.json()["is_hidden"] is False
    assert set(Flag.objects.values_list("outcome", "resolved_by", flat=False)) == {("restored", moderator_manggar.pk)}
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="publish", item_id=proposal.pk)
    assert entry.before["flag_review_requested_at"] is not None and entry.after["flag_review_requested_at"] is None
    assert entry.after["flags_resolved"] == 2 and entry.message == "Bukan spam"
    assert as_moderator.get("/api/v1/moderation/queue/").json()["results"] == []
    assert api.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200

    # Its flaggers cannot flag it again; new flaggers need the whole threshold again.
    assert flag(client_for(first), proposal).json()["code"] == "already_flagged"
    flag(client_for(established()), proposal)
    proposal.refresh_from_db()
    assert proposal.flag_review_requested_at is None
    assert [i["flag_count"] for i in as_moderator.get("/api/v1/moderation/queue/").json()["results"]] == [1]
    flag(client_for(established()), proposal)
    proposal.refresh_from_db()
    assert proposal.flag_review_requested_at is not None and not proposal.is_hidden


def test_hide_removes_the_item_from_public_view_and_resolves_its_flags(
    settings, api, as_moderator, moderator_manggar, committed, sent
):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    _review_requested(settings, proposal)

    with committed():
        response = decide(as_moderator, proposal, action="hide", message="Data pribadi")

    assert response.status_code == 200 and response.json()["is_hidden"] is True
    assert api.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert set(Flag.objects.values_list("outcome", "resolved_by")) == {("hidden", moderator_manggar.pk)}
    entry = AuditEntry.objects.get(action="hide")
    assert entry.actor == moderator_manggar and entry.before["is_hidden"] is False and entry.after["is_hidden"] is True
    assert entry.after["flags_resolved"] == 2 and entry.after["flag_review_requested_at"] is None
    assert as_moderator.get("/api/v1/moderation/queue/").json()["results"] == []
    updated = [payload for kind, payload, _groups in sent() if kind == "proposal.updated"]
    assert updated[-1]["proposal_id"] == proposal.pk and updated[-1]["is_hidden"] is True
    # Hidden, it takes no flags (it is not public) and, being decided, waits for nothing.
    assert flag(client_for(established()), proposal).status_code == 404


def test_hide_is_a_decision_on_flags_only(as_moderator):
    unflagged = ProposalFactory(status=ProposalStatus.PUBLISHED)
    submitted = ProposalFactory(status=ProposalStatus.SUBMITTED)
    for item in (unflagged, submitted):
        response = decide(as_moderator, item, action="hide")
        assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    assert not AuditEntry.objects.exists()


def test_a_moderator_of_another_area_cannot_decide_the_flags(settings, as_other_moderator):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    _review_requested(settings, proposal)
    assert decide(as_other_moderator, proposal, action="hide").status_code == 404
    proposal.refresh_from_db()
    assert not proposal.is_hidden and not Flag.objects.filter(resolved_at__isnull=False).exists()


def test_reports_go_to_review_and_are_restored_or_hidden(settings, api, as_moderator):
    kept, hidden = ReportFactory(status=ReportStatus.VERIFIED), ReportFactory(status=ReportStatus.VERIFIED)
    _review_requested(settings, kept, kind="reports")
    _review_requested(settings, hidden, kind="reports")
    assert api.get(f"/api/v1/reports/{hidden.pk}/").status_code == 200  # in review, still public
    assert {i["id"] for i in as_moderator.get("/api/v1/moderation/queue/").json()["results"]} == {kept.pk, hidden.pk}

    assert decide(as_moderator, kept, kind="reports", action="verify").status_code == 200
    assert decide(as_moderator, hidden, kind="reports", action="hide").status_code == 200

    assert api.get(f"/api/v1/reports/{kept.pk}/").status_code == 200
    assert api.get(f"/api/v1/reports/{hidden.pk}/").status_code == 404
    assert dict(Flag.objects.values_list("report", "outcome").distinct()) == {kept.pk: "restored", hidden.pk: "hidden"}
    assert as_moderator.get("/api/v1/moderation/queue/").json()["results"] == []
    assert flag(client_for(established()), ReportFactory(), kind="reports").json()["code"] == "not_found"


def test_rejecting_a_flagged_item_resolves_its_flags_as_rejected(settings, as_moderator, moderator_manggar):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    _review_requested(settings, proposal)
    decide(as_moderator, proposal, action="reject", reason="offensive", message="Kata kasar")
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.flag_review_requested_at is None
    assert set(Flag.objects.values_list("outcome", "resolved_by")) == {("rejected", moderator_manggar.pk)}


def test_the_admin_hides_a_flagged_item_through_the_same_service(settings, moderator_manggar):
    from django.test import Client

    proposal, unflagged = ProposalFactory(status=ProposalStatus.PUBLISHED), ProposalFactory()
    _review_requested(settings, proposal)
    browser = Client()
    browser.force_login(moderator_manggar)
    response = browser.post(
        reverse("admin:aspirasi_proposal_changelist"),
        {"action": "hide_selected", "_selected_action": [proposal.pk, unflagged.pk]},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    unflagged.refresh_from_db()
    assert proposal.is_hidden and not unflagged.is_hidden  # the unflagged one: illegal_transition, reported
    assert AuditEntry.objects.filter(action="hide").get().item_id == proposal.pk


def test_flags_are_limited_per_resident(monkeypatch, as_resident, as_other_resident):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "flag", "2/min")
    items = ProposalFactory.create_batch(3, status=ProposalStatus.PUBLISHED)
    first = flag(as_resident, items[0])
    assert first.status_code == 201
    assert first["RateLimit-Policy"] == '"flag";q=2;w=60' and first["RateLimit"].startswith('"flag";r=1;')
    assert flag(as_resident, items[1]).status_code == 201
    limited = flag(as_resident, items[2])
    assert limited.status_code == 429 and limited.json()["code"] == "throttled" and limited["Retry-After"]
    assert flag(as_other_resident, items[2]).status_code == 201  # per resident, not per item or address
    assert Flag.objects.count() == 3


def test_bulk_hide_decides_each_flagged_item_on_its_own(settings, as_moderator):
    flagged, unflagged = ProposalFactory(status=ProposalStatus.PUBLISHED), ProposalFactory()
    report = ReportFactory(status=ReportStatus.VERIFIED)
    _review_requested(settings, flagged)
    _review_requested(settings, report, kind="reports")
    items = [{"type": "proposal", "id": flagged.pk}, {"type": "proposal", "id": unflagged.pk}]
    items.append({"type": "report", "id": report.pk})
    response = as_moderator.post(
        "/api/v1/moderation/decisions/bulk/", {"action": "hide", "items": items}, format="json"
    )
    results = [(r["id"], r["ok"], r["code"]) for r in response.json()["results"]]
    assert results == [(flagged.pk, True, None), (unflagged.pk, False, "illegal_transition"), (report.pk, True, None)]
    assert AuditEntry.objects.filter(action="hide").count() == 2


def test_a_decided_item_awaits_nothing_more(settings, as_moderator, admin_user):
    hidden, restored = (
        ProposalFactory(status=ProposalStatus.PUBLISHED),
        ProposalFactory(status=ProposalStatus.PUBLISHED),
    )
    _review_requested(settings, hidden)
    _review_requested(settings, restored)
    decide(as_moderator, hidden, action="hide")
    decide(as_moderator, restored, action="publish")
    for item, action in ((hidden, "publish"), (hidden, "hide"), (restored, "hide"), (restored, "publish")):
        response = decide(client_for(admin_user), item, action=action)
        assert response.json()["code"] == "illegal_transition", (item, action)
    hidden.refresh_from_db()
    assert hidden.is_hidden


def test_an_item_hidden_by_the_former_rule_still_awaits_its_decision(as_moderator):
    """Migration 0017 marked items the old automatic rule hid: they wait, hidden, for a restore or a hide."""
    upheld = ProposalFactory(status=ProposalStatus.PUBLISHED, is_hidden=True, flag_review_requested_at=timezone.now())
    restored = ProposalFactory(status=ProposalStatus.PUBLISHED, is_hidden=True, flag_review_requested_at=timezone.now())
    assert {i["id"] for i in as_moderator.get("/api/v1/moderation/queue/").json()["results"]} == {
        upheld.pk,
        restored.pk,
    }
    assert decide(as_moderator, upheld, action="hide").status_code == 200
    assert decide(as_moderator, restored, action="publish").json()["is_hidden"] is False
    assert as_moderator.get("/api/v1/moderation/queue/").json()["results"] == []
