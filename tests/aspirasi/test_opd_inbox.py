"""The OPD inbox over the API: who sees what, in deadline order, in a constant number of queries."""

import pytest

from aspirasi.models import Disposition, Opd, ReportStatus
from aspirasi.services import dispositions
from aspirasi.services.accounts import user_assign_role
from tests.aspirasi.factories_moderation import ReportFactory
from tests.conftest import client_for
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/opd/inbox/"


def _forwarded(moderator, opd, n):
    for _ in range(n):
        report = ReportFactory(status=ReportStatus.VERIFIED)
        dispositions.report_dispose(report=report, actor=moderator, opd=opd)


def test_officers_see_their_opds_items_only_nearest_deadline_first(opd_officer, opd_head, moderator_manggar):
    dinkes, dpu = Opd.objects.get(slug="dinkes"), Opd.objects.get(slug="dpu")
    _forwarded(moderator_manggar, dinkes, 3)
    _forwarded(moderator_manggar, dpu, 2)
    for officer in (opd_officer, opd_head):
        results = client_for(officer).get(URL).json()["results"]
        assert len(results) == 3 and {item["opd"]["slug"] for item in results} == {"dinkes"}
        due = [item["due_at"] for item in results]
        assert due == sorted(due)


def test_done_items_leave_the_open_inbox_but_stay_in_all(opd_officer, moderator_manggar):
    from tests.aspirasi.test_disposition_loop import _photo

    _forwarded(moderator_manggar, opd_officer.opd, 2)
    first = Disposition.objects.order_by("id").first()
    dispositions.follow_up_record(disposition=first, actor=opd_officer, state="done", note="Beres", photo=_photo())
    client = client_for(opd_officer)
    assert len(client.get(URL).json()["results"]) == 1
    assert len(client.get(URL, {"state": "all"}).json()["results"]) == 2


@pytest.mark.parametrize("persona", ["resident", "moderator_manggar", "planner"])
def test_anyone_but_an_officer_is_refused(request, persona):
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 403


def test_anonymous_is_refused(api):
    assert api.get(URL).status_code == 401


def test_an_officer_without_the_role_any_more_sees_nothing(opd_officer, moderator_manggar):
    _forwarded(moderator_manggar, opd_officer.opd, 1)
    user_assign_role(user=opd_officer, role="resident")
    assert client_for(opd_officer).get(URL).status_code == 403


def test_query_count_is_constant_whatever_the_page_size(opd_officer, moderator_manggar, django_assert_num_queries):
    _forwarded(moderator_manggar, opd_officer.opd, 6)
    proposal = ProposalFactory(status="accepted", kelurahan=ReportFactory.build().kelurahan)
    dispositions.proposal_dispose(proposal=proposal, actor=moderator_manggar, opd=opd_officer.opd)
    client = client_for(opd_officer)
    client.get(URL)  # the caller is kept from here on (api/authentication.py)
    # the page (dispositions with their report or proposal, category, kelurahan, OPD)
    with django_assert_num_queries(1):
        small = client.get(URL, {"page_size": 2})
    with django_assert_num_queries(1):
        large = client.get(URL, {"page_size": 50})
    assert len(small.json()["results"]) == 2 and len(large.json()["results"]) == 7
    assert {item["item"]["type"] for item in large.json()["results"]} == {"report", "proposal"}


def test_follow_up_of_an_unknown_disposition_is_404(opd_officer):
    response = client_for(opd_officer).post("/api/v1/opd/dispositions/999999/follow-up/", {"state": "accepted"})
    assert response.status_code == 404


def test_a_moderator_outside_the_area_cannot_dispose(moderator_barat):
    from aspirasi.errors import OutsideModeratedArea

    report = ReportFactory(status=ReportStatus.VERIFIED)  # Manggar, not Balikpapan Barat
    with pytest.raises(OutsideModeratedArea):
        dispositions.report_dispose(report=report, actor=moderator_barat, opd=Opd.objects.get(slug="dpu"))


def test_routing_suggests_the_kecamatans_override_over_the_default():
    from aspirasi.models import Category, Kecamatan, RoutingRule
    from aspirasi.selectors.opd import routing_suggest

    category = Category.objects.first()
    manggar_kecamatan = ReportFactory.build().kelurahan.kecamatan
    other = Kecamatan.objects.exclude(pk=manggar_kecamatan.pk).first()
    RoutingRule.objects.create(category=category, opd=Opd.objects.get(slug="dinsos"))
    RoutingRule.objects.create(category=category, kecamatan=manggar_kecamatan, opd=Opd.objects.get(slug="dpu"))
    assert routing_suggest(category_id=category.pk, kecamatan_id=manggar_kecamatan.pk).slug == "dpu"
    assert routing_suggest(category_id=category.pk, kecamatan_id=other.pk).slug == "dinsos"
    assert routing_suggest(category_id=category.pk + 999, kecamatan_id=other.pk) is None
