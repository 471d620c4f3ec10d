"""ws/notifications/: each user hears only their own notifications, and only after commit."""

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from aspirasi.models import ProposalStatus
from aspirasi.services.accounts import tokens_for
from aspirasi.services.status import proposal_change_status
from backend.routing import websocket_urlpatterns
from realtime import events
from realtime.auth import WebSocketAuthMiddleware
from tests.factories import ProposalFactory, UserFactory
from tests.notifications.fakes import DUMMY

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
app = WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns))


@pytest.fixture(autouse=True)
def _no_worker(settings):
    settings.TASKS = DUMMY  # pushes only recorded; live events of small fan-outs leave from the request


async def connect(user=None, headers=()):
    headers = list(headers)
    if user is not None:
        token = await database_sync_to_async(tokens_for)(user)
        headers = [(b"authorization", f"Bearer {token['access']}".encode())]
    communicator = WebsocketCommunicator(app, "ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.mark.parametrize(
    "headers",
    [[(b"authorization", b"Bearer not-a-token")], [(b"origin", b"http://127.0.0.1:8000")]],
    ids=["bad-bearer", "no-session-cookie"],
)
async def test_anonymous_is_refused_with_4401(headers):
    communicator, connected, _subprotocol = await connect(headers=headers)
    # Accepted, then closed with the code, so the app can read it (as on ws/moderation/).
    assert connected
    assert await communicator.receive_output(timeout=10) == {"type": "websocket.close", "code": 4401}
    await communicator.disconnect()


async def test_my_notification_reaches_me_and_nobody_else():
    author = await database_sync_to_async(UserFactory)()
    stranger = await database_sync_to_async(UserFactory)()
    moderator = await database_sync_to_async(UserFactory)(is_superuser=True)
    proposal = await database_sync_to_async(ProposalFactory)(author=author, status=ProposalStatus.SUBMITTED)

    mine, connected, _ = await connect(author)
    theirs, other_connected, _ = await connect(stranger)
    try:
        assert connected and other_connected
        hello = await mine.receive_json_from()
        assert hello["type"] == events.NOTIFICATION_UNREAD_COUNT and hello["payload"] == {"unread": 0}
        await theirs.receive_json_from()  # the stranger's own greeting

        await database_sync_to_async(proposal_change_status)(
            proposal=proposal, to_status=ProposalStatus.PUBLISHED, actor=moderator
        )

        created = await mine.receive_json_from(timeout=10)
        assert created["type"] == events.NOTIFICATION_CREATED
        assert created["payload"]["kind"] == "proposal_published"
        assert created["payload"]["target_id"] == proposal.pk
        count = await mine.receive_json_from(timeout=10)
        assert (count["type"], count["payload"]) == (events.NOTIFICATION_UNREAD_COUNT, {"unread": 1})
        assert await theirs.receive_nothing(timeout=0.3)
    finally:
        await mine.disconnect()
        await theirs.disconnect()


async def test_reading_everything_pushes_the_new_unread_count():
    user = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(user.notifications.create)(kind="proposal_published", title="t")
    communicator, _connected, _ = await connect(user)
    try:
        assert (await communicator.receive_json_from())["payload"] == {"unread": 1}
        from notifications.services import notifications_mark_all_read

        await database_sync_to_async(notifications_mark_all_read)(user=user)
        message = await communicator.receive_json_from(timeout=10)
        assert (message["type"], message["payload"]) == (events.NOTIFICATION_UNREAD_COUNT, {"unread": 0})
    finally:
        await communicator.disconnect()
