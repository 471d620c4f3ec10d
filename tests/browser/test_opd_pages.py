"""The OPD inbox and the SLA report in headless Chromium: accessible (axe-core) in Indonesian and English, and
the inbox updates live when a moderator forwards an item (ws/opd/)."""

import json
from pathlib import Path

import pytest

from tests.browser import server
from tests.browser.axe import axe_violations, describe

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

SEED_OPD = """
import json
from aspirasi.models import Opd, ReportStatus, User
from aspirasi.services import dispositions
from aspirasi.services.accounts import user_assign_role
from tests.aspirasi.factories_moderation import ReportFactory
officer = User.objects.create_user(phone="+6281211110009", password=PASSWORD, display_name="Petugas Dinkes")
user_assign_role(user=officer, role="opd", opd=Opd.objects.get(slug="dinkes"))
moderator = User.objects.get(phone="+6281211110001")
report = ReportFactory(status=ReportStatus.VERIFIED, description="Timbangan posyandu rusak")
dispositions.report_dispose(report=report, actor=moderator, opd=officer.opd, note="Mohon dicek")
waiting = ReportFactory(status=ReportStatus.VERIFIED, description="Obat puskesmas habis")
from aspirasi.models import Report
from open311.models import ApiKey
from open311.services import api_key_issue, service_request_create
api_key = ApiKey(name="Aplikasi kecamatan")
api_key_issue(api_key=api_key, actor=moderator)
filed = service_request_create(
    api_key=api_key, category=report.category, kelurahan=report.kelurahan, description="Saluran tersumbat",
    latitude=None, longitude=None, address_string="Jl. Mulawarman RT 12", media_url="https://example.com/foto.jpg",
    filer={},
)
Report.objects.filter(pk=filed.report_id).update(status=ReportStatus.VERIFIED)
dispositions.report_dispose(report=filed.report, actor=moderator, opd=officer.opd)
print(json.dumps({"officer": officer.phone, "waiting": waiting.pk}))
"""


@pytest.fixture(scope="module")
def site(asgi_database_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("opd-pages")
    env = server.server_env(server.copy_database(asgi_database_template, root / "db"))
    script = f"PASSWORD = {server.PASSWORD!r}\n{server.SEED_PEOPLE}\n{SEED_OPD}"
    *_, people, ids = server.manage(env, "shell", stdin=script).strip().splitlines()
    with server.daphne(env, log=root / "daphne.log") as url:
        yield url, {**json.loads(ids), **json.loads(people)}, env


@pytest.fixture(scope="module")
def chromium():
    assert CHROMIUM.exists(), "Chromium is required at /usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _sign_in(chromium, url, phone, locale):
    context = chromium.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{url}/admin/login/?next=/admin/")
    page.fill("#id_username", phone)
    page.fill("#id_password", server.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")
    return context, page


@pytest.mark.parametrize("locale", ["id-ID", "en-US"])
def test_the_inbox_is_accessible_and_updates_live(site, chromium, locale):
    url, ids, _env = site
    context, page = _sign_in(chromium, url, ids["officer"], locale)
    try:
        page.goto(f"{url}/admin/opd/inbox/")
        assert page.get_attribute("html", "lang") == locale[:2]
        table = page.locator("#opd-inbox-table").inner_text()
        assert "Timbangan posyandu rusak" in table and "Jl. Mulawarman RT 12" in table  # an Open311 request's address
        assert page.locator("#opd-inbox-table a[href='https://example.com/foto.jpg']").get_attribute("rel") == (
            "noopener noreferrer nofollow"
        )
        assert page.locator("#content a[href='/admin/opd/sla/']").count() == 1
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        if locale == "en-US":  # forward the second report once, from the other run's page
            page.wait_for_function("document.getElementById('opd-inbox-status').textContent.includes('Tersambung')")
            # The moderator forwards it through the API of the same server (its channel layer).
            answer = context.request.post(
                f"{url}/api/v1/moderation/reports/{ids['waiting']}/decision/",
                headers={"Authorization": f"Bearer {ids['moderator_token']}"},
                data={"action": "dispose", "opd": "dinkes"},
            )
            assert answer.status == 200, answer.text()
            page.wait_for_function(
                "document.getElementById('opd-inbox-table').textContent.includes('Obat puskesmas habis')",
                timeout=15000,
            )
            assert page.locator("#opd-inbox-status").inner_text()
    finally:
        context.close()


def test_the_sla_report_is_accessible(site, chromium):
    url, _ids, _env = site
    context, page = _sign_in(chromium, url, "+6281211110001", "id-ID")
    try:
        page.goto(f"{url}/admin/opd/sla/")
        assert "Dinas Kesehatan" in page.locator("#opd-sla-table").inner_text()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        context.close()


def test_an_officer_reads_the_sla_report_of_their_opd_from_the_inbox(site, chromium):
    url, ids, _env = site
    context, page = _sign_in(chromium, url, ids["officer"], "id-ID")
    try:
        page.goto(f"{url}/admin/opd/inbox/")
        page.click("#content a[href='/admin/opd/sla/']")
        page.wait_for_url(f"{url}/admin/opd/sla/")
        rows = page.locator("#opd-sla-table tbody th").all_inner_texts()
        assert rows == ["Dinas Kesehatan"]
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        context.close()


def test_a_bad_period_is_an_accessible_form_error(site, chromium):
    url, _ids, _env = site
    context, page = _sign_in(chromium, url, "+6281211110001", "id-ID")
    try:
        response = page.goto(f"{url}/admin/opd/sla/?start=2026-02-31&end=9999-12-31")
        assert response.status == 200
        assert page.locator("#opd-sla .errorlist").count() >= 1
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        context.close()
