"""ws/proposals/<id>/: a proposal's discussion live; anonymous readers for public proposals, the Origin checked
as on every socket without a token, payloads that name no one, events after commit only."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from aspirasi.models import Kelurahan, ProposalStatus
from aspirasi.services.account_data import account_erase
from aspirasi.services.accounts import tokens_for
from aspirasi.services.comments import comment_create, comment_delete
from backend.asgi import application
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ORIGIN = (b"origin", b"http://127.0.0.1")


async def _connect(proposal_id, *, user=None, headers=(ORIGIN,)):
    headers = list(headers)
    if user is not None:
        token = await database_sync_to_async(tokens_for)(user)
        headers.append((b"authorization", f"Bearer {token['access']}".encode()))
    communicator = WebsocketCommunicator(application, f"ws/proposals/{proposal_id}/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def _close_code(communicator) -> int | None:
    message = await communicator.receive_output(timeout=10)
    return message["code"] if message["type"] == "websocket.close" else None


@database_sync_to_async
def _proposal(status=ProposalStatus.PUBLISHED, author=None):
    return ProposalFactory(status=status, **({"author": author} if author else {}))


@database_sync_to_async
def _resident(name="Siti Warga"):
    return UserFactory(display_name=name, kelurahan=Kelurahan.objects.get(slug="manggar"))


async def test_an_anonymous_reader_gets_new_comments_without_anyones_name():
    proposal = await _proposal()
    author = await _resident("Nama Rahasia")
    communicator, connected = await _connect(proposal.pk)
    assert connected
    try:
        comment = await database_sync_to_async(comment_create)(author=author, proposal=proposal, body="<b>halo</b>")
        event = await communicator.receive_json_from(timeout=10)
        assert event["type"] == "comment.created"
        payload = event["payload"]
        assert payload["comment_id"] == comment.pk and payload["body"] == "<b>halo</b>"
        assert payload["comment_count"] == 1 and payload["author_role"] == "resident"
        assert "Nama Rahasia" not in str(event) and str(author.phone) not in str(event)
        assert not {"author", "author_id", "author_name"} & set(payload)
        await database_sync_to_async(comment_delete)(comment=comment, actor=author)
        removed = await communicator.receive_json_from(timeout=10)
        assert removed["type"] == "comment.updated" and removed["payload"]["state"] == "deleted"
        assert removed["payload"]["body"] == "" and removed["payload"]["comment_count"] == 0
    finally:
        await communicator.disconnect()


@pytest.mark.parametrize(
    "headers",
    [
        (),  # neither token nor cookie, and no Origin: refused like every cookie socket without one
        ((b"origin", b"https://evil.example"),),
    ],
)
async def test_a_handshake_without_token_is_origin_checked(headers):
    proposal = await _proposal()
    communicator, connected = await _connect(proposal.pk, headers=headers)
    assert not connected
    await communicator.disconnect()


async def test_a_bearer_socket_needs_no_origin_and_a_bad_token_is_refused():
    proposal = await _proposal()
    communicator, connected = await _connect(proposal.pk, user=await _resident(), headers=())
    assert connected
    await communicator.disconnect()
    communicator, connected = await _connect(proposal.pk, headers=[(b"authorization", b"Bearer garbage")])
    assert connected and await _close_code(communicator) == 4401
    await communicator.disconnect()


async def test_a_non_public_proposal_is_its_authors_only():
    author = await _resident()
    proposal = await _proposal(status=ProposalStatus.SUBMITTED, author=author)
    anonymous, _ = await _connect(proposal.pk)
    assert await _close_code(anonymous) == 4401
    await anonymous.disconnect()
    other, _ = await _connect(proposal.pk, user=await _resident("Budi"))
    assert await _close_code(other) == 4403
    await other.disconnect()
    own, connected = await _connect(proposal.pk, user=author)
    assert connected
    assert await own.receive_nothing(timeout=0.3)  # stays open
    await own.disconnect()
    missing, _ = await _connect(10**9)
    assert await _close_code(missing) == 4401
    await missing.disconnect()


async def test_a_rolled_back_comment_reaches_no_one():
    proposal = await _proposal()
    author = await _resident()
    communicator, connected = await _connect(proposal.pk)
    assert connected

    @database_sync_to_async
    def write_and_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            comment_create(author=author, proposal=proposal, body="batal")
            raise RuntimeError

    try:
        await write_and_roll_back()
        assert await communicator.receive_nothing(timeout=0.3)
    finally:
        await communicator.disconnect()


async def test_an_erasure_blanks_the_persons_comment_on_open_screens_too():
    proposal = await _proposal()
    erased, other = await _resident("Akan Dihapus"), await _resident("Budi")
    theirs = await database_sync_to_async(comment_create)(author=erased, proposal=proposal, body="HP saya 0812")
    await database_sync_to_async(comment_create)(author=other, proposal=proposal, body="Setuju")
    communicator, connected = await _connect(proposal.pk)
    assert connected
    try:
        await database_sync_to_async(account_erase)(user=erased, password="rahasia-sekali-123")
        event = await communicator.receive_json_from(timeout=10)
        assert event["type"] == "comment.updated"
        assert event["payload"]["comment_id"] == theirs.pk and event["payload"]["state"] == "deleted"
        assert event["payload"]["body"] == "" and event["payload"]["comment_count"] == 1
        assert "0812" not in str(event) and "Akan Dihapus" not in str(event)
        assert await communicator.receive_nothing(timeout=0.3)  # the other person's comment is untouched
    finally:
        await communicator.disconnect()
