"""The OPD inbox live: the ws/opd/ socket (as strict as ws/moderation/) and the admin page /admin/opd/inbox/."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from aspirasi.models import Disposition, Opd, ReportStatus
from aspirasi.services import dispositions
from aspirasi.services.accounts import tokens_for, user_assign_role
from backend.asgi import application
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import UserFactory, kelurahan
from tests.notifications.test_ws_auth import _session_cookie


async def _socket(user, *, origin=b"http://127.0.0.1", cookie=None):
    headers = [(b"origin", origin)]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    elif user is not None:
        token = await database_sync_to_async(tokens_for)(user)
        headers.append((b"authorization", f"Bearer {token['access']}".encode()))
    communicator = WebsocketCommunicator(application, "ws/opd/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def _close_code(communicator) -> int | None:
    try:
        message = await communicator.receive_output(timeout=10)
        return message["code"] if message["type"] == "websocket.close" else None
    finally:
        await communicator.disconnect()


@database_sync_to_async
def _persona(role, **extra):
    user = UserFactory(display_name=f"Tester {role}")
    if role == "opd":
        return user_assign_role(user=user, role="opd", opd=Opd.objects.get(slug=extra.get("opd", "dinkes")))
    if role == "moderator":
        return user_assign_role(user=user, role="moderator", kelurahan=[kelurahan("manggar")])
    return user


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_anonymous_4401_and_non_officers_4403():
    communicator, connected = await _socket(None)
    assert connected and await _close_code(communicator) == 4401
    for role in ("resident", "moderator"):
        communicator, connected = await _socket(await _persona(role))
        assert connected and await _close_code(communicator) == 4403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_officers_session_from_a_foreign_origin_is_not_an_officer():
    officer = await _persona("opd")
    cookie = await _session_cookie(officer)
    communicator, connected = await _socket(None, origin=b"https://evil.example.com", cookie=cookie)
    if connected:
        assert await _close_code(communicator) in (4401, 4403)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_officers_hear_their_opds_dispositions_only():
    officer = await _persona("opd")
    other = await _persona("opd", opd="dpu")
    moderator = await _persona("moderator")
    mine, _ = await _socket(officer)
    theirs, _ = await _socket(other)
    try:

        def forward():
            report = ReportFactory(status=ReportStatus.VERIFIED)
            with transaction.atomic():
                dispositions.report_dispose(report=report, actor=moderator, opd=officer.opd)
            return report

        report = await database_sync_to_async(forward)()
        message = await mine.receive_json_from(timeout=10)
        assert message["type"] == "disposition.updated"
        assert message["payload"]["item_id"] == report.pk and message["payload"]["state"] == "forwarded"
        assert message["payload"]["sla_state"] == "on_time"
        assert await theirs.receive_nothing(timeout=0.3)
    finally:
        await mine.disconnect()
        await theirs.disconnect()


@pytest.mark.django_db
def test_the_admin_inbox_shows_deadlines_and_records_a_follow_up(client, opd_officer, moderator_manggar):
    report = ReportFactory(status=ReportStatus.VERIFIED)
    dispositions.report_dispose(report=report, actor=moderator_manggar, opd=opd_officer.opd, note="Cek timbangan")
    disposition = Disposition.objects.get(report=report)
    client.force_login(opd_officer)
    page = client.get("/admin/opd/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="disposition-{disposition.pk}"' in html and "Cek timbangan" in html
    assert "sla-on_time" in html and 'aria-live="polite"' in html and 'data-socket-path="/ws/opd/"' in html
    response = client.post(f"/admin/opd/inbox/{disposition.pk}/follow-up/", {f"d{disposition.pk}-state": "accepted"})
    assert response.status_code == 302
    disposition.refresh_from_db()
    assert disposition.state == "accepted"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["moderator_manggar", "planner"])
def test_the_admin_inbox_is_for_officers(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/admin/opd/inbox/").status_code == 403


@pytest.mark.django_db
def test_an_officer_cannot_answer_another_opds_item_from_the_admin(client, moderator_manggar):
    dpu_officer = user_assign_role(user=UserFactory(), role="opd", opd=Opd.objects.get(slug="dpu"))
    report = ReportFactory(status=ReportStatus.VERIFIED)
    dispositions.report_dispose(report=report, actor=moderator_manggar, opd=Opd.objects.get(slug="dinkes"))
    disposition = Disposition.objects.get(report=report)
    client.force_login(dpu_officer)
    response = client.post(f"/admin/opd/inbox/{disposition.pk}/follow-up/", {f"d{disposition.pk}-state": "accepted"})
    assert response.status_code == 404
    disposition.refresh_from_db()
    assert disposition.state == "forwarded"
