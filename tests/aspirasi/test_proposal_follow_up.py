"""A forwarded proposal's OPD follow-up in its detail (issue #23): `opd`, `follow_up_state` and `sla`, like a
report's, current on every read although the detail is cached (api/proposals.py ProposalDetailView.get)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aspirasi.models import Disposition, Kelurahan, Opd
from aspirasi.services import dispositions
from notifications.models import MutedKind, Notification
from tests.aspirasi.test_disposition_loop import _photo
from tests.conftest import client_for
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _url(proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/"


@pytest.fixture
def accepted():
    return ProposalFactory(status="accepted", kelurahan=Kelurahan.objects.get(slug="manggar"))


def _forward(proposal, moderator, committed):
    with committed():
        dispositions.proposal_dispose(proposal=proposal, actor=moderator, opd=Opd.objects.get(slug="dinkes"))
    return Disposition.objects.filter(proposal=proposal).latest("id")


def _due_in(disposition, delta):
    Disposition.objects.filter(pk=disposition.pk).update(due_at=timezone.now() + delta)


def test_a_proposal_never_forwarded_shows_nulls(api, accepted):
    body = api.get(_url(accepted)).json()
    assert (body["opd"], body["follow_up_state"], body["sla"]) == (None, None, None)


def test_a_forwarded_proposal_shows_its_opd_state_and_deadline(api, accepted, moderator_manggar, committed):
    disposition = _forward(accepted, moderator_manggar, committed)
    body = api.get(_url(accepted)).json()
    assert body["opd"] == {"id": disposition.opd_id, "slug": "dinkes", "name": disposition.opd.name}
    assert body["follow_up_state"] == "forwarded"
    assert body["sla"]["stage"] == "follow_up" and body["sla"]["state"] == "on_time"
    assert body["sla"]["due_at"] == api.get(_url(accepted)).json()["sla"]["due_at"]
    assert timezone.datetime.fromisoformat(body["sla"]["due_at"]) == disposition.due_at


def test_the_sla_state_follows_the_clock_through_the_cache(api, accepted, moderator_manggar, committed):
    """Time and dispositions move no content version: the cached detail must still show the state of now."""
    disposition = _forward(accepted, moderator_manggar, committed)
    soon = timedelta(hours=settings.SLA_DUE_SOON_HOURS)
    for delta, state in [
        (soon + timedelta(hours=2), "on_time"),
        (soon - timedelta(minutes=5), "due_soon"),
        (-timedelta(minutes=1), "overdue"),
    ]:
        _due_in(disposition, delta)
        for _ in range(2):  # built, then served from the cache
            assert api.get(_url(accepted)).json()["sla"]["state"] == state


def test_forwarding_after_a_first_read_shows_at_once(api, as_resident, accepted, moderator_manggar, committed):
    assert api.get(_url(accepted)).json()["sla"] is None
    assert as_resident.get(_url(accepted)).json()["follow_up_state"] is None
    _forward(accepted, moderator_manggar, committed)
    assert api.get(_url(accepted)).json()["follow_up_state"] == "forwarded"
    assert as_resident.get(_url(accepted)).json()["sla"]["state"] == "on_time"


def test_done_stops_the_clock_and_a_new_forward_counts(api, accepted, moderator_manggar, opd_officer, committed):
    disposition = _forward(accepted, moderator_manggar, committed)
    api.get(_url(accepted))
    with committed():
        dispositions.follow_up_record(disposition=disposition, actor=opd_officer, state="not_ours", reason="Bukan")
    body = api.get(_url(accepted)).json()
    assert (body["follow_up_state"], body["sla"]) == ("not_ours", None)
    again = _forward(accepted, moderator_manggar, committed)  # the open one counts, not the older
    assert api.get(_url(accepted)).json()["follow_up_state"] == "forwarded"
    with committed():
        dispositions.follow_up_record(
            disposition=again, actor=opd_officer, state="done", note="Sudah dikerjakan", photo=_photo()
        )
    body = api.get(_url(accepted)).json()
    assert (body["follow_up_state"], body["sla"]) == ("done", None)
    assert body["opd"]["slug"] == "dinkes"


@pytest.mark.parametrize("persona", ["staff", "author"])
def test_the_uncached_details_show_it_too(request, accepted, moderator_manggar, committed, persona):
    _forward(accepted, moderator_manggar, committed)
    user = moderator_manggar if persona == "staff" else accepted.author
    body = client_for(user).get(_url(accepted)).json()
    assert body["follow_up_state"] == "forwarded" and body["sla"]["state"] == "on_time"


def test_the_detail_reads_its_follow_up_in_one_query(
    api, accepted, moderator_manggar, opd_officer, committed, django_assert_num_queries
):
    disposition = _forward(accepted, moderator_manggar, committed)
    api.get(_url(accepted))
    with django_assert_num_queries(2):  # the follow-up, the versions: the rest of the detail is kept whole
        assert api.get(_url(accepted)).json()["follow_up_state"] == "forwarded"
    staff = client_for(moderator_manggar)  # never cached: every read builds it
    staff.get(_url(accepted))  # the caller is kept from here on (api/authentication.py)
    with CaptureQueriesContext(connection) as one:
        staff.get(_url(accepted))
    with committed():
        dispositions.follow_up_record(disposition=disposition, actor=opd_officer, state="not_ours", reason="Bukan")
    _forward(accepted, moderator_manggar, committed)
    with CaptureQueriesContext(connection) as two:
        assert staff.get(_url(accepted)).json()["follow_up_state"] == "forwarded"
    assert len(two) == len(one)  # as many with two dispositions as with one


def _author_notes(proposal):
    return list(Notification.objects.filter(recipient=proposal.author).order_by("id").values_list("kind", "title"))


def test_the_author_hears_of_every_step_with_proposal_kinds(accepted, moderator_manggar, opd_officer, committed):
    accepted.author.language = "en"
    accepted.author.save(update_fields=["language"])
    disposition = _forward(accepted, moderator_manggar, committed)
    for state, extra in [("accepted", {}), ("in_progress", {}), ("not_ours", {"reason": "Bukan kami"})]:
        with committed():
            dispositions.follow_up_record(disposition=disposition, actor=opd_officer, state=state, **extra)
    again = _forward(accepted, moderator_manggar, committed)
    with committed():
        dispositions.follow_up_record(
            disposition=again, actor=opd_officer, state="done", note="Sudah dibangun", photo=_photo()
        )
    notes = _author_notes(accepted)
    assert [kind for kind, _ in notes] == [
        "proposal_forwarded",
        "proposal_opd_accepted",
        "proposal_opd_in_progress",
        "proposal_opd_returned",
        "proposal_forwarded",
        "proposal_opd_done",
    ]
    opd = disposition.opd.name
    assert notes[0][1] == f"Your proposal was forwarded to {opd}"
    assert notes[3][1] == "Your proposal goes to another OPD"
    done = Notification.objects.filter(recipient=accepted.author, kind="proposal_opd_done").get()
    assert done.body == f"“{accepted.title}”: Sudah dibangun"
    assert (done.target_type, done.target_id, done.data["step"]) == ("proposal", accepted.pk, "done")


def test_the_texts_are_indonesian_by_default(accepted, moderator_manggar, committed):
    accepted.author.language = "id"
    accepted.author.save(update_fields=["language"])
    _forward(accepted, moderator_manggar, committed)
    [(kind, title)] = _author_notes(accepted)
    assert (kind, title) == ("proposal_forwarded", "Usulan Anda didisposisikan ke Dinas Kesehatan")


def test_a_muted_proposal_kind_is_not_created_and_the_report_kinds_stay_apart(
    accepted, moderator_manggar, opd_officer, committed
):
    MutedKind.objects.create(user=accepted.author, kind="proposal_opd_accepted")
    MutedKind.objects.create(user=accepted.author, kind="report_forwarded")  # a report's kind: no effect here
    disposition = _forward(accepted, moderator_manggar, committed)
    with committed():
        dispositions.follow_up_record(disposition=disposition, actor=opd_officer, state="accepted")
    assert [kind for kind, _ in _author_notes(accepted)] == ["proposal_forwarded"]


def test_the_preferences_list_the_proposal_kinds(accepted):
    body = client_for(accepted.author).get("/api/v1/me/notification-settings/").json()
    for kind in ["proposal_forwarded", "proposal_opd_accepted", "proposal_opd_in_progress", "proposal_opd_done"]:
        assert body["kinds"][kind] is True
    response = client_for(accepted.author).patch(
        "/api/v1/me/notification-settings/", {"kinds": {"proposal_opd_returned": False}}, format="json"
    )
    assert response.status_code == 200 and response.json()["kinds"]["proposal_opd_returned"] is False
