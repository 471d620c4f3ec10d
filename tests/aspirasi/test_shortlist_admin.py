"""The planners' shortlist page (/admin/planning/shortlist/): the shortlist with its reasons per area, pins and
exclusions with a reason through the same services as the API, and the T-D.4 exports of what it shows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aspirasi.models import AreaBudget, AuditEntry, Kelurahan, ShortlistDecision
from tests.aspirasi.planning_fixtures import fast_passwords, make_cycle  # noqa: F401 - fixture
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

PAGE = "/admin/planning/shortlist/"
DECIDE = "/admin/planning/shortlist/decide/"


@pytest.fixture
def cycle():
    return make_cycle(phase="deliberation")


@pytest.fixture
def manggar():
    return Kelurahan.objects.get(slug="manggar")


@pytest.fixture
def browser(client, planner):
    client.force_login(planner)
    return client


def _pagu(cycle, kelurahan, amount):
    return AreaBudget.objects.create(cycle=cycle, level="kelurahan", kelurahan=kelurahan, amount=amount, source="apbd")


def _proposals(cycle, kelurahan):
    author = UserFactory()
    return [
        ProposalFactory(cycle=cycle, author=author, kelurahan=kelurahan, vote_count=votes, estimated_cost=cost)
        for votes, cost in ((10, 60_000_000), (9, 50_000_000), (8, 40_000_000), (7, None))
    ]


def test_a_planner_reads_each_proposals_reason_and_the_exports(browser, cycle, manggar):
    _pagu(cycle, manggar, 100_000_000)
    first, second, third, uncosted = _proposals(cycle, manggar)

    response = browser.get(PAGE, {"cycle": cycle.pk, "area": f"kelurahan:{manggar.pk}"})

    assert response.status_code == 200
    [area] = response.context["areas"]
    reasons = {item["id"]: item["reason"]["code"] for item in area["proposals"]}
    assert reasons == {first.pk: "fits", second.pk: "over_remaining_pagu", third.pk: "fits"}
    assert [item["id"] for item in area["without_cost_estimate"]] == [uncosted.pk]
    html = response.content.decode()
    assert "Muat dalam pagu." in html and "Tanpa perkiraan biaya" in html
    assert "Rp\xa0100.000.000" in html
    assert (
        f"/api/v1/planning/exports/td4/?list=shortlist&amp;cycle={cycle.pk}&amp;level=kelurahan&amp;area={manggar.pk}&amp;format=xlsx"
        in html
    )


def test_the_export_link_answers_the_planners_session(browser, cycle, manggar):
    _pagu(cycle, manggar, 100_000_000)
    _proposals(cycle, manggar)
    link = browser.get(PAGE, {"cycle": cycle.pk}).context["exports"]["shortlist"]["csv"]

    export = browser.get(link)

    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    lines = (
        b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig").splitlines()
    )
    assert lines[0].startswith("No. Prioritas") and len(lines) == 1 + 2  # the two that fit the pagu


def test_pin_with_a_reason_is_audited_and_the_page_shows_it_pinned(browser, planner, cycle, manggar):
    _pagu(cycle, manggar, 100_000_000)
    first, second, _third, _uncosted = _proposals(cycle, manggar)
    back = f"cycle={cycle.pk}&area=kelurahan%3A{manggar.pk}"

    response = browser.post(
        DECIDE,
        {
            "cycle": cycle.pk,
            "level": "kelurahan",
            "proposal": second.pk,
            "kind": "pin",
            "reason": "Jalan rusak berat",
            "back": back,
        },
    )

    assert response.status_code == 302 and response["Location"] == f"{PAGE}?{back}"
    decision = ShortlistDecision.objects.get()
    assert (decision.proposal, decision.kind, decision.reason) == (second, "pin", "Jalan rusak berat")
    assert AuditEntry.objects.filter(actor=planner, action="shortlist_pin", item_id=second.pk).exists()
    page = browser.get(response["Location"])
    items = {item["id"]: item for item in page.context["areas"][0]["proposals"]}
    assert items[second.pk]["reason"]["code"] == "pinned" and items[first.pk]["reason"]["code"] == "over_remaining_pagu"
    html = page.content.decode()
    assert "disematkan; daftar pendek dihitung ulang" in html and "Lepaskan sematan" in html

    cleared = browser.post(DECIDE, {"cycle": cycle.pk, "level": "kelurahan", "proposal": second.pk, "kind": "clear"})
    assert cleared.status_code == 302 and not ShortlistDecision.objects.exists()
    assert AuditEntry.objects.filter(action="shortlist_cleared", item_id=second.pk).exists()


def test_a_decision_without_a_reason_is_refused_and_says_why(browser, cycle, manggar):
    _pagu(cycle, manggar, 100_000_000)
    first, *_rest = _proposals(cycle, manggar)

    response = browser.post(
        DECIDE,
        {"cycle": cycle.pk, "level": "kelurahan", "proposal": first.pk, "kind": "exclude", "reason": "  "},
        follow=True,
    )

    assert not ShortlistDecision.objects.exists()
    assert "Sebutkan alasannya" in response.content.decode()


def test_a_proposal_not_on_the_levels_list_is_refused_not_a_crash(browser, cycle, manggar):
    elsewhere = ProposalFactory(kelurahan=manggar, estimated_cost=1)  # no cycle

    response = browser.post(
        DECIDE,
        {"cycle": cycle.pk, "level": "kelurahan", "proposal": elsewhere.pk, "kind": "pin", "reason": "x"},
        follow=True,
    )

    assert response.status_code == 200 and not ShortlistDecision.objects.exists()
    assert "Hanya usulan yang diperingkat pada tingkat ini" in response.content.decode()


def test_a_level_without_any_pagu_says_where_to_set_one(browser, cycle):
    html = browser.get(PAGE, {"cycle": cycle.pk, "area": "kecamatan:"}).content.decode()

    assert "Belum ada wilayah di tingkat ini yang memiliki pagu" in html
    assert 'href="/admin/aspirasi/areabudget/add/"' in html


def test_only_planners_and_admins(client, moderator_manggar, resident, cycle, manggar):
    _pagu(cycle, manggar, 100_000_000)
    first, *_rest = _proposals(cycle, manggar)
    client.force_login(moderator_manggar)
    assert client.get(PAGE).status_code == 403
    body = {"cycle": cycle.pk, "level": "kelurahan", "proposal": first.pk, "kind": "pin", "reason": "x"}
    assert client.post(DECIDE, body).status_code == 403
    client.force_login(resident)
    assert client.get(PAGE).status_code == 302  # not staff: the admin's login
    assert not ShortlistDecision.objects.exists()


def test_the_decision_form_needs_its_csrf_token(planner, cycle, manggar):
    _pagu(cycle, manggar, 100_000_000)
    first, *_rest = _proposals(cycle, manggar)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(planner)

    response = strict.post(
        DECIDE, {"cycle": cycle.pk, "level": "kelurahan", "proposal": first.pk, "kind": "pin", "reason": "x"}
    )

    assert response.status_code == 403 and not ShortlistDecision.objects.exists()


def test_the_page_reads_the_same_number_of_queries_for_one_area_or_many(browser, cycle):
    areas = list(Kelurahan.objects.order_by("pk")[:6])
    _pagu(cycle, areas[0], 100_000_000)
    _proposals(cycle, areas[0])
    with CaptureQueriesContext(connection) as one:
        browser.get(PAGE, {"cycle": cycle.pk})
    for kelurahan in areas[1:]:
        _pagu(cycle, kelurahan, 100_000_000)
        _proposals(cycle, kelurahan)
    with CaptureQueriesContext(connection) as six:
        response = browser.get(PAGE, {"cycle": cycle.pk})

    assert len(response.context["areas"]) == 6
    assert len(six) == len(one)
