"""Delivering live events: many at once (a round of vote tallies), through whichever channel layer runs."""

import asyncio
import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from realtime import events


async def _listen(layer, groups):
    channels = {}
    for group in groups:
        channels[group] = await layer.new_channel()
        await layer.group_add(group, channels[group])
    return channels


async def _received(layer, channel, n):
    """The first `n` events that reach `channel`, unpacked from the layer messages they travelled in."""
    got = []
    while len(got) < n:
        message = await asyncio.wait_for(layer.receive(channel), 3)
        got.extend(message["messages"] if message["type"] == events.BATCH_HANDLER else [message["message"]])
    return got


async def _leave(layer, channels):
    for group, channel in channels.items():
        await layer.group_discard(group, channel)


def _counting_group_sends(monkeypatch, layer) -> list[tuple[str, str]]:
    sent, real = [], layer.group_send

    async def counting(group, message):
        sent.append((group, message["type"]))
        await real(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    return sent


def test_send_each_delivers_every_message_to_each_of_its_groups_in_one_send_per_group(monkeypatch):
    layer = get_channel_layer()
    channels = async_to_sync(_listen)(layer, ["test.each.a", "test.each.b", "test.each.c"])
    sent = _counting_group_sends(monkeypatch, layer)
    messages = [
        (["test.each.a", "test.each.b"], events.build_message(events.VOTE_TALLY, {"proposal_id": n}))
        for n in range(40)  # more than are sent at once (SEND_EACH_CONCURRENCY)
    ]
    messages.append((["test.each.c"], events.build_message(events.VOTE_TALLY, {"proposal_id": 99})))
    try:
        events.send_each(messages)
        for group in ("test.each.a", "test.each.b"):
            got = async_to_sync(_received)(layer, channels[group], 40)
            assert [m["payload"]["proposal_id"] for m in got] == list(range(40))  # in order
        assert async_to_sync(_received)(layer, channels["test.each.c"], 1) == [messages[-1][1]]
        assert sorted(sent) == [
            ("test.each.a", events.BATCH_HANDLER),
            ("test.each.b", events.BATCH_HANDLER),
            ("test.each.c", events.HANDLER),  # alone in its group: the plain form
        ]
    finally:
        async_to_sync(_leave)(layer, channels)


def test_a_group_batch_is_at_most_batch_max_events(monkeypatch):
    layer = get_channel_layer()
    channels = async_to_sync(_listen)(layer, ["test.each.big"])
    monkeypatch.setattr(events, "BATCH_MAX", 3)
    sent = _counting_group_sends(monkeypatch, layer)
    messages = [(["test.each.big"], events.build_message(events.VOTE_TALLY, {"proposal_id": n})) for n in range(7)]
    try:
        events.send_each(messages)
        got = async_to_sync(_received)(layer, channels["test.each.big"], 7)
        assert sorted(m["payload"]["proposal_id"] for m in got) == list(range(7))
        assert sorted(kind for _group, kind in sent) == [events.BATCH_HANDLER, events.BATCH_HANDLER, events.HANDLER]
    finally:
        async_to_sync(_leave)(layer, channels)


def test_a_failed_send_is_logged_and_the_others_still_go(monkeypatch, caplog):
    layer = get_channel_layer()
    channels = async_to_sync(_listen)(layer, ["test.each.ok"])
    real = layer.group_send

    async def flaky(group, message):
        if group == "test.each.down":
            raise ConnectionError("layer down for this group")
        await real(group, message)

    monkeypatch.setattr(layer, "group_send", flaky)
    ok, down = (events.build_message(events.VOTE_TALLY, {"proposal_id": n}) for n in (1, 2))
    try:
        with caplog.at_level(logging.WARNING, logger="realtime.events"):
            events.send_each([(["test.each.down"], down), (["test.each.ok"], ok)])  # never raises
        assert async_to_sync(_received)(layer, channels["test.each.ok"], 1) == [ok]
        assert "not delivered" in caplog.text
    finally:
        async_to_sync(_leave)(layer, channels)


@pytest.mark.django_db
def test_publish_each_sends_only_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(events, "send_each", sent.extend)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        events.publish_each(events.VOTE_TALLY, [(["g"], {"proposal_id": 1}), (["g"], {"proposal_id": 2})])
    assert sent == []
    callbacks[0]()
    assert [(groups, m["type"], m["payload"]) for groups, m in sent] == [
        (["g"], events.VOTE_TALLY, {"proposal_id": 1}),
        (["g"], events.VOTE_TALLY, {"proposal_id": 2}),
    ]
