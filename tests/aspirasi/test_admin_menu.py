"""The admin's "My work" section (aspirasi/admin_site.py): each role starts from the pages it works in, on the
index and in every page's sidebar, and every page linked there opens for it."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "/admin/moderation/live/",
    "/admin/moderation/workload/",
    "/admin/opd/inbox/",
    "/admin/opd/sla/",
    "/admin/planning/dashboard/",
    "/admin/planning/shortlist/",
}


def _work_links(html: str) -> set[str]:
    section = re.search(r'<div class="app-work module.*?</table>', html, re.S)
    return set(re.findall(r'<th scope="row"[^>]*>\s*<a href="([^"]+)"', section.group(0))) if section else set()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("moderator_manggar", {"/admin/moderation/live/", "/admin/moderation/workload/", "/admin/opd/sla/"}),
        ("planner", {"/admin/planning/dashboard/", "/admin/planning/shortlist/", "/admin/opd/sla/"}),
        ("opd_officer", {"/admin/opd/inbox/", "/admin/opd/sla/"}),
        (
            "admin_user",
            {
                "/admin/moderation/live/",
                "/admin/moderation/workload/",
                "/admin/opd/sla/",
                "/admin/planning/dashboard/",
                "/admin/planning/shortlist/",
            },
        ),
    ],
)
def test_each_role_is_offered_exactly_the_pages_it_may_open(client, request, persona, expected):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    offered = _work_links(client.get("/admin/").content.decode())

    assert offered == expected
    for page in PAGES:
        status = client.get(page).status_code
        assert (status == 200) == (page in offered), (page, status)


def test_an_opd_officer_lands_on_a_way_to_the_inbox_not_a_refusal(client, opd_officer):
    client.force_login(opd_officer)

    html = client.get("/admin/").content.decode()

    assert "Pekerjaan saya" in html and "Kotak masuk OPD" in html and "SLA per OPD" in html
    assert "Anda tidak memiliki izin untuk melihat atau mengedit apa pun" not in html


def test_the_sidebar_of_a_page_offers_the_same_section(client, moderator_manggar):
    client.force_login(moderator_manggar)

    html = client.get("/admin/moderation/workload/").content.decode()

    assert _work_links(html) == {"/admin/moderation/live/", "/admin/moderation/workload/", "/admin/opd/sla/"}
    assert 'href="/admin/moderation/workload/" aria-current="page"' in html
