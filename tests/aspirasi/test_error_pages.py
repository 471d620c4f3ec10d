"""Error pages (aspirasi/api/errors.py): a person in the admin gets a page saying what to do next, in the
request's language; the apps and the admin's own fetch() calls keep the JSON shape."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
DASHBOARD = "/admin/planning/dashboard/"


def test_a_moderator_on_a_planners_page_reads_what_to_do_in_indonesian(client, moderator_manggar):
    client.force_login(moderator_manggar)

    response = client.get(DASHBOARD, **HTML)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Anda tidak berhak melakukan ini." in html
    assert "Masuk dengan akun yang memiliki peran ini" in html
    assert 'href="/admin/"' in html and 'role="alert"' in html
    assert "Administrasi Aspirasi Balikpapan" in html


def test_the_same_page_in_english_when_the_browser_asks(client, moderator_manggar):
    client.force_login(moderator_manggar)

    html = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en", **HTML).content.decode()

    assert "You do not have permission to do this." in html
    assert "Back to the admin home" in html


def test_the_admins_fetch_calls_and_the_api_keep_the_json_shape(client, moderator_manggar):
    client.force_login(moderator_manggar)

    from_script = client.get(DASHBOARD, HTTP_ACCEPT="*/*")
    unknown_api = client.get("/api/v1/no-such-thing/", **HTML)

    assert from_script.status_code == 403 and from_script.json()["code"] == "permission_denied"
    assert unknown_api.status_code == 404 and unknown_api.json()["code"] == "not_found"


def test_an_unknown_admin_address_is_a_page(client, moderator_manggar):
    client.force_login(moderator_manggar)

    response = client.get("/admin/aspirasi/no-such-model/", **HTML)

    assert response.status_code == 404
    assert "Item ini mungkin sudah dihapus atau dipindahkan." in response.content.decode()


def test_a_form_sent_without_its_csrf_token_says_it_was_not_saved(moderator_manggar):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator_manggar)

    response = browser.post("/admin/logout/", **HTML)

    assert response.status_code == 403
    assert "Formulir Anda belum tersimpan" in response.content.decode()
    assert browser.post("/admin/logout/", HTTP_ACCEPT="application/json").json()["code"] == "csrf_failed"
