"""Flagged comments on the moderators' workbench in a real browser: the Comments filter, hide (h, with the
reason its author is told) and restore (p) with the keyboard only, rows leaving live, a newly flagged comment
arriving live, and axe-core on the page with a comment's panel open.

One daphne server for the module (tests/browser/server.py) and the `chromium` of tests/browser/conftest.py.
"""

import json
import urllib.request

import pytest

from tests.browser import server
from tests.browser.axe import axe_violations, describe

pytestmark = pytest.mark.browser

SEED = """
import json
from datetime import timedelta
from django.conf import settings
from django.test import Client
from django.utils import timezone
from aspirasi.models import Category, Kecamatan, Kelurahan, Proposal, User
from aspirasi.services.accounts import tokens_for, user_assign_role
from aspirasi.services.comments import comment_create, comment_flag

timur = Kecamatan.objects.get(code="64.71.01")
lamaru = Kelurahan.objects.get(slug="lamaru")
old = timezone.now() - timedelta(days=30)

def person(phone, name):
    return User.objects.create_user(
        phone=phone, password=PASSWORD, display_name=name, kelurahan=lamaru, phone_verified_at=old, date_joined=old
    )

moderator = user_assign_role(user=person("+6281311110001", "Moderator Timur"), role="moderator", kecamatan=[timur])
author = person("+6281311110002", "Budi Penulis")
flaggers = [person(f"+62813111101{n:02d}", f"Warga {n}") for n in range(settings.FLAG_REVIEW_THRESHOLD)]
proposal = Proposal.objects.create(
    author=person("+6281311110003", "Siti Pengusul"), title="Perbaikan drainase Jalan Mulawarman",
    description="Saluran tersumbat setiap hujan.", category=Category.objects.get(slug="infrastruktur"),
    kelurahan=lamaru, status="published",
)

def flagged(body):
    comment = comment_create(author=author, proposal=proposal, body=body)
    for flagger in flaggers:
        comment_flag(comment=comment, flagger=flagger, reason="spam")
    return comment.pk

spam = flagged("Jual pulsa murah, hubungi 0812-0000-0000!")
fine = flagged("Saya setuju, gang kami juga banjir setiap hujan.")
later = comment_create(author=author, proposal=proposal, body="Iklan obat herbal, pesan sekarang").pk
client = Client()
client.force_login(moderator)
print(json.dumps({
    "session": client.cookies["sessionid"].value, "spam": spam, "fine": fine, "later": later,
    "proposal": proposal.pk, "flagger_tokens": [tokens_for(flagger)["access"] for flagger in flaggers],
}))
"""

CHECK = """
import json
from aspirasi.models import AuditEntry, Comment, CommentFlag
from notifications.models import Notification
out = {}
for name, pk in IDS.items():
    comment = Comment.objects.get(pk=pk)
    out[name] = {
        "state": comment.state,
        "reason": comment.hidden_reason,
        "audit": list(AuditEntry.objects.filter(item_type="comment", item_id=pk, actor__isnull=False)
                      .order_by("pk").values_list("action", flat=True)),
        "outcomes": sorted(set(CommentFlag.objects.filter(comment_id=pk).values_list("outcome", flat=True))),
        "notified": [n.kind for n in Notification.objects.filter(data__comment_id=pk, recipient=comment.author)],
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def site(asgi_database_template, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("comment-workbench")
    env = server.server_env(server.copy_database(asgi_database_template, tmp / "db"))
    seed = json.loads(
        server.manage(env, "shell", stdin=f"PASSWORD = {server.PASSWORD!r}\n{SEED}").strip().splitlines()[-1]
    )
    with server.daphne(env, log=tmp / "daphne.log") as url:
        yield url, env, seed


def feedback(page, text: str):
    page.wait_for_function(
        "text => ((document.querySelector('[data-panel-status]') || {}).textContent || '').includes(text)", arg=text
    )


def _flag(url: str, token: str, comment_id: int) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own test server
        f"{url}/api/v1/comments/{comment_id}/flags/",
        data=json.dumps({"reason": "spam"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201


def panel_shows(page, pk: int):
    page.wait_for_selector(f"[data-decision-panel] .decision-panel[data-item-type='comment'][data-item-id='{pk}']")


def test_a_moderator_hides_and_keeps_flagged_comments_with_the_keyboard(chromium, site):
    url, env, seed = site
    context = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": seed["session"], "url": url}])
    page = context.new_page()
    page.set_default_timeout(5000)
    page.on("pageerror", lambda error: print("pageerror:", error))
    keys = page.keyboard
    try:
        page.goto(f"{url}/admin/moderation/live/?type=comment")
        page.wait_for_selector("#moderation-live[data-connected='1']")
        rows = page.locator("#live-queue tbody tr")
        assert rows.count() == 2
        assert page.locator("[data-counter='flagged'] .count").inner_text() == "2"

        keys.press("j")
        panel_shows(page, seed["spam"])
        assert "Jual pulsa murah" in page.locator(".decision-panel .panel-description").inner_text()
        keys.press("h")  # hide: the reason's field has the focus
        page.wait_for_selector("details.decision-hide[open]")
        # Typed before the focus moves, the letters would be the workbench's shortcuts.
        page.wait_for_function("() => document.activeElement?.closest('details.decision-hide[open]')")
        keys.type("Iklan, bukan bagian dari diskusi usulan.")
        violations = axe_violations(page)
        assert not violations, describe(violations)
        keys.press("Enter")
        feedback(page, f"Comment #{seed['spam']} “")
        feedback(page, "” hidden.")
        page.wait_for_selector(f"#item-comment-{seed['spam']}", state="detached")  # left the queue, live
        page.wait_for_function("() => document.querySelector(\"[data-counter='flagged'] .count\").textContent === '1'")

        keys.press("j")
        panel_shows(page, seed["fine"])
        keys.press("p")  # restore: keep it, its flags dismissed
        page.wait_for_selector("details.decision-restore[open]")
        keys.press("Enter")
        feedback(page, "” restored.")
        page.wait_for_selector(f"#item-comment-{seed['fine']}", state="detached")

        # A comment flagged past the threshold meanwhile (through the API, as the app does) arrives live.
        for token in seed["flagger_tokens"]:
            _flag(url, token, seed["later"])
        page.wait_for_selector(f"#item-comment-{seed['later']}")
        assert "Iklan obat herbal" in page.locator(f"#item-comment-{seed['later']}").inner_text()
    finally:
        context.close()

    ids = {"spam": seed["spam"], "fine": seed["fine"]}
    check = f"IDS = {json.dumps(ids)}\n{CHECK}"
    state = json.loads(server.manage(env, "shell", stdin=check).strip().splitlines()[-1])
    assert state["spam"]["state"] == "hidden" and state["spam"]["reason"] == "Iklan, bukan bagian dari diskusi usulan."
    assert state["spam"]["audit"] == ["hide"] and state["spam"]["outcomes"] == ["hidden"]
    assert state["spam"]["notified"] == ["comment_hidden"]  # the author was told why
    assert state["fine"]["state"] == "visible" and state["fine"]["audit"] == ["restore"]
    assert state["fine"]["outcomes"] == ["restored"] and state["fine"]["notified"] == []
