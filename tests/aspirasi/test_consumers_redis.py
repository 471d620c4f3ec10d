"""Cross-process delivery: an event published in this process reaches a socket served by another (daphne)
process through the Redis channel layer."""

import asyncio
import json

import pytest
from django.conf import settings
from websockets.asyncio.client import connect

from realtime import events
from tests.browser import server
from tests.browser.server import asgi_database_template, asgi_server  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
]


async def test_event_from_this_process_reaches_a_socket_in_the_daphne_process(asgi_server):  # noqa: F811
    url, env = asgi_server
    people = await asyncio.to_thread(server.seed_people, env)
    socket_url = url.replace("http://", "ws://") + "/ws/moderation/"
    headers = {"Authorization": f"Bearer {people['moderator_token']}"}
    payload = {"proposal_id": 424242, "title": "Dari proses lain", "kelurahan_id": people["kelurahan_id"]}
    message = events.build_message(events.PROPOSAL_SUBMITTED, payload)

    async with connect(socket_url, additional_headers=headers) as socket:
        # Another area's event must not arrive; this area's must.
        other = events.build_message(events.PROPOSAL_SUBMITTED, {"proposal_id": 1, "kelurahan_id": 0})
        await asyncio.to_thread(events.send_now, [events.moderation_kelurahan_group(0)], other)
        await asyncio.to_thread(events.send_now, events.moderation_groups(people["kelurahan_id"]), message)
        received = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))

    assert received == message


async def test_resident_socket_is_closed_with_4403_by_the_server(asgi_server):  # noqa: F811
    url, env = asgi_server
    people = await asyncio.to_thread(server.seed_people, env)
    socket_url = url.replace("http://", "ws://") + "/ws/moderation/"
    headers = {"Authorization": f"Bearer {people['resident_token']}"}
    async with connect(socket_url, additional_headers=headers) as socket:
        await asyncio.wait_for(socket.wait_closed(), timeout=5)
    assert socket.close_code == 4403


async def test_a_burst_of_sockets_joining_their_groups_at_once_is_served():
    """Clients reconnecting together (after a deploy) join their groups at the same moment: the layer's
    pool must not run out (redis-py 8 raises past its default of 100 connections instead of waiting)."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    names = [await layer.new_channel() for _ in range(250)]
    try:
        await asyncio.gather(*(layer.group_add("burst-test", name) for name in names))
    finally:
        await asyncio.gather(*(layer.group_discard("burst-test", name) for name in names))
        await layer.close_pools()


async def test_an_idle_socket_outlives_the_layers_blocking_read():
    """A consumer waits for its next message in a blocking pop that Redis answers empty after
    `brpop_timeout` seconds. redis-py 8 reads every reply within 5 s by default, the same 5 s: the client
    gave up first and raised, which tore down every idle moderator's socket every few seconds."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    name = await layer.new_channel()
    try:
        receiving = asyncio.ensure_future(layer.receive(name))
        await asyncio.sleep(layer.brpop_timeout + 1.5)  # past one empty pop: still waiting, not failed
        assert not receiving.done(), receiving.exception()
        await layer.send(name, {"type": "still.here"})
        assert await asyncio.wait_for(receiving, timeout=5) == {"type": "still.here"}
    finally:
        await layer.close_pools()
