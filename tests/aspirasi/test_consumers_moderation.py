"""ws/moderation/: moderators and admins only, area groups from the policy, events after commit only."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone

from aspirasi.models import Kecamatan, Kelurahan, ProposalStatus
from aspirasi.services.accounts import tokens_for, user_assign_role
from aspirasi.services.flags import proposal_flag
from aspirasi.services.moderation import proposal_claim, proposal_merge, proposal_publish
from backend.asgi import application
from realtime import events
from tests.factories import ProposalFactory, UserFactory, VoteFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@database_sync_to_async
def _user(role=None, *, kelurahan=(), kecamatan=()):
    user = UserFactory(display_name=f"Tester {role}")
    if role:
        user_assign_role(
            user=user,
            role=role,
            kelurahan=[Kelurahan.objects.get(slug=s) for s in kelurahan],
            kecamatan=[Kecamatan.objects.get(code=c) for c in kecamatan],
        )
    return user


async def _socket(user):
    headers = [(b"origin", b"http://127.0.0.1")]  # anonymous sockets pass the Origin check, then meet the policy
    if user is not None:
        token = await database_sync_to_async(tokens_for)(user)
        headers.append((b"authorization", f"Bearer {token['access']}".encode()))
    communicator = WebsocketCommunicator(application, "ws/moderation/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _close_code(user) -> int | None:
    communicator = await _socket(user)
    try:
        message = await communicator.receive_output(timeout=10)
        return message["code"] if message["type"] == "websocket.close" else None
    finally:
        await communicator.disconnect()


async def test_anonymous_is_refused_with_4401_sign_in_first():
    assert await _close_code(None) == 4401


@pytest.mark.parametrize(
    "role,areas",
    [("resident", {}), ("planner", {}), ("moderator", {})],
    ids=["resident", "planner", "moderator-of-nothing"],
)
async def test_signed_in_users_without_a_moderation_area_are_refused_with_4403(role, areas):
    user = await _user(role, **areas)
    assert await _close_code(user) == 4403


async def test_moderator_receives_events_of_their_kelurahan_only():
    moderator = await _user("moderator", kelurahan=["manggar"])
    communicator = await _socket(moderator)
    try:
        elsewhere = await database_sync_to_async(ProposalFactory)(
            status=ProposalStatus.SUBMITTED,
            kelurahan=await database_sync_to_async(Kelurahan.objects.get)(slug="teritip"),
        )
        mine = await database_sync_to_async(ProposalFactory)(status=ProposalStatus.SUBMITTED)
        admin = await _user("admin")
        await database_sync_to_async(proposal_publish)(proposal=elsewhere, actor=admin)
        await database_sync_to_async(proposal_publish)(proposal=mine, actor=moderator)

        message = await communicator.receive_json_from(timeout=10)
        assert message["type"] == "proposal.updated"
        assert message["payload"]["proposal_id"] == mine.pk and message["payload"]["status"] == "published"
        assert message["id"] and message["occurred_at"]
        assert await communicator.receive_nothing(timeout=0.2)
    finally:
        await communicator.disconnect()


async def test_kecamatan_moderator_and_admin_join_the_right_groups():
    barat = await _user("moderator", kecamatan=["64.71.02"])
    admin = await _user("admin")
    from aspirasi import policies

    groups = await database_sync_to_async(policies.moderation_socket_groups)(barat)
    barat_ids = await database_sync_to_async(
        lambda: sorted(Kelurahan.objects.filter(kecamatan__code="64.71.02").values_list("id", flat=True))
    )()
    assert groups == [events.moderation_kelurahan_group(pk) for pk in barat_ids]
    assert await database_sync_to_async(policies.moderation_socket_groups)(admin) == [events.MODERATION_ALL_GROUP]


async def test_admin_sees_claims_flags_and_vote_tallies_everywhere(settings):
    admin = await _user("admin")
    moderator = await _user("moderator", kelurahan=["manggar"])
    communicator = await _socket(admin)
    try:
        submitted = await database_sync_to_async(ProposalFactory)(status=ProposalStatus.SUBMITTED)
        await database_sync_to_async(proposal_claim)(proposal=submitted, actor=moderator)
        received = [await communicator.receive_json_from(timeout=10) for _ in range(2)]
        claimed = next(m for m in received if m["type"] == "item.claimed")
        assert claimed["payload"] == {
            "item_type": "proposal",
            "item_id": submitted.pk,
            "kelurahan_id": submitted.kelurahan_id,
            "status": "in_review",
            "claimed_by": {"id": moderator.pk, "display_name": moderator.display_name},
            "claimed_at": claimed["payload"]["claimed_at"],
        }
        assert {m["type"] for m in received} == {"item.claimed", "proposal.updated"}

        public = await database_sync_to_async(ProposalFactory)(status=ProposalStatus.PUBLISHED)
        settings.FLAG_REVIEW_THRESHOLD = 1
        flagger = await database_sync_to_async(UserFactory)(date_joined=timezone.now() - timedelta(days=2))
        await database_sync_to_async(proposal_flag)(proposal=public, flagger=flagger, reason="spam")
        received = {m["type"]: m for m in [await communicator.receive_json_from(timeout=10) for _ in range(2)]}
        flagged, review = received["flag.raised"], received["flag.review_requested"]
        assert flagged["payload"]["item_id"] == public.pk and flagged["payload"]["flag_count"] == 1
        assert flagged["payload"]["review_requested"] is True and flagged["payload"]["is_hidden"] is False
        assert review["payload"] == {
            "item_type": "proposal",
            "item_id": public.pk,
            "kelurahan_id": public.kelurahan_id,
            "flag_count": 1,
            "review_requested_at": review["payload"]["review_requested_at"],
        }

        source = await database_sync_to_async(ProposalFactory)(status=ProposalStatus.PUBLISHED)
        await database_sync_to_async(VoteFactory)(proposal=source)
        await database_sync_to_async(proposal_merge)(proposal=source, actor=admin, target_id=public.pk)
        received = [await communicator.receive_json_from(timeout=10) for _ in range(2)]
        tally = next(m for m in received if m["type"] == "vote.tally")
        assert tally["payload"] == {"proposal_id": public.pk, "kelurahan_id": public.kelurahan_id, "vote_count": 1}
    finally:
        await communicator.disconnect()


async def test_a_round_of_tallies_arrives_as_one_frame_per_tally():
    """send_each puts a group's events in one channel-layer message; the socket still sends each alone."""
    moderator = await _user("moderator", kelurahan=["manggar"])
    communicator = await _socket(moderator)
    manggar = await database_sync_to_async(Kelurahan.objects.get)(slug="manggar")
    tallies = [
        (events.moderation_groups(manggar.pk), events.build_message(events.VOTE_TALLY, {"proposal_id": n}))
        for n in range(3)
    ]
    try:
        await database_sync_to_async(events.send_each)(tallies)
        frames = [await communicator.receive_json_from(timeout=10) for _ in range(3)]
        assert frames == [message for _groups, message in tallies]
        assert await communicator.receive_nothing(timeout=0.2)
    finally:
        await communicator.disconnect()


async def test_no_event_leaves_a_rolled_back_decision():
    admin = await _user("admin")
    communicator = await _socket(admin)
    try:
        proposal = await database_sync_to_async(ProposalFactory)(status=ProposalStatus.SUBMITTED)

        def publish_then_fail():
            with transaction.atomic():
                proposal_publish(proposal=proposal, actor=admin)
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await database_sync_to_async(publish_then_fail)()
        assert await communicator.receive_nothing(timeout=0.3)
    finally:
        await communicator.disconnect()


async def test_client_messages_are_ignored_even_a_flood():
    admin = await _user("admin")
    communicator = await _socket(admin)
    try:
        for _ in range(200):
            await communicator.send_to(text_data="{not json")
        await communicator.send_to(bytes_data=b"\x00\xff")
        proposal = await database_sync_to_async(ProposalFactory)(status=ProposalStatus.SUBMITTED)
        await database_sync_to_async(proposal_publish)(proposal=proposal, actor=admin)
        message = await asyncio.wait_for(communicator.receive_json_from(timeout=10), 3)
        assert message["type"] == "proposal.updated"
    finally:
        await communicator.disconnect()


async def _socket_with_token(path: str, token: str) -> WebsocketCommunicator:
    headers = [(b"authorization", f"Bearer {token}".encode())]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.mark.parametrize("path", ["ws/moderation/", "ws/notifications/"])
async def test_a_socket_is_closed_at_its_maximum_age_with_4408_reconnect(path, settings):
    settings.WEBSOCKET_MAX_AGE_SECONDS = 1
    moderator = await _user("moderator", kelurahan=["manggar"])
    token = (await database_sync_to_async(tokens_for)(moderator))["access"]
    communicator = await _socket_with_token(path, token)
    try:
        while (message := await communicator.receive_output(timeout=10))["type"] != "websocket.close":
            assert message["type"] == "websocket.send"  # the notifications socket's unread count
        assert message["code"] == 4408
    finally:
        await communicator.disconnect()


async def test_a_socket_is_closed_when_its_token_expires_with_4401_refresh():
    """A token lives 30 minutes; the socket it opened must not outlive it (nor see events for hours after the
    account is deactivated)."""
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    moderator = await _user("moderator", kelurahan=["manggar"])
    token = AccessToken.for_user(moderator)
    # exp is whole seconds and a loaded machine is slow to connect: 5 s leaves the first second clearly inside it
    token.set_exp(lifetime=timedelta(seconds=5))
    communicator = await _socket_with_token("ws/moderation/", str(token))
    try:
        assert await communicator.receive_nothing(timeout=1)  # accepted, and open while the token is valid
        message = await communicator.receive_output(timeout=8)
        assert (message["type"], message["code"]) == ("websocket.close", 4401)
    finally:
        await communicator.disconnect()
