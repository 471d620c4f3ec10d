"""Domain events, published to WebSocket groups after commit. The ONLY module that calls group_send.

Services call `publish(...)` inside their transaction; the message leaves only when the transaction
commits, so a rolled-back write never reaches anyone's screen. Payloads are plain JSON. Event names and
group names live here; docs/realtime.md documents them.
"""

import asyncio
import logging
import threading
import uuid

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# --- Event names ------------------------------------------------------------------------------------
PROPOSAL_SUBMITTED = "proposal.submitted"
PROPOSAL_UPDATED = "proposal.updated"
REPORT_SUBMITTED = "report.submitted"
REPORT_UPDATED = "report.updated"
ITEM_CLAIMED = "item.claimed"
FLAG_RAISED = "flag.raised"
FLAG_REVIEW_REQUESTED = "flag.review_requested"
VOTE_TALLY = "vote.tally"
COMMENT_CREATED = "comment.created"
COMMENT_UPDATED = "comment.updated"  # edited, deleted by its author, hidden or restored by a moderator
NOTIFICATION_CREATED = "notification.created"
NOTIFICATION_UNREAD_COUNT = "notification.unread_count"
# The OPD loop (aspirasi/services/dispositions.py): a step of a disposition, an overdue item escalated.
DISPOSITION_UPDATED = "disposition.updated"
SLA_ESCALATED = "sla.escalated"

# The consumer methods group messages are dispatched to (Channels maps "event.message" -> event_message):
# one event, or several for one group in one channel-layer message (send_each). Consumers forward both as
# one WebSocket frame per event (EventForwarding), so clients see the same frames either way.
HANDLER = "event.message"
BATCH_HANDLER = "event.batch"
BATCH_MAX = 200  # events per channel-layer message: bounds its size (a vote.tally is ~170 bytes)


# --- Group names ------------------------------------------------------------------------------------
def moderation_kelurahan_group(kelurahan_id: int) -> str:
    return f"moderation.kelurahan.{kelurahan_id}"


MODERATION_ALL_GROUP = "moderation.all"  # admins: every area


def opd_group(opd_id: int) -> str:
    """Everyone in one OPD's inbox (ws/opd/)."""
    return f"opd.{opd_id}"


def proposal_thread_group(proposal_id: int) -> str:
    """Readers of a proposal's discussion (ws/proposals/<id>/), anonymous ones included."""
    return f"proposal.{proposal_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def moderation_groups(kelurahan_id: int) -> list[str]:
    """Everyone who moderates an item of this kelurahan: its moderators and the admins."""
    return [moderation_kelurahan_group(kelurahan_id), MODERATION_ALL_GROUP]


def build_message(event: str, payload: dict) -> dict:
    """The wire format of every event: a unique `id`, the `type`, when it happened, a plain-JSON payload."""
    return {"type": event, "id": str(uuid.uuid4()), "occurred_at": timezone.now().isoformat(), "payload": payload}


def publish(event: str, *, groups: list[str], payload: dict) -> None:
    """Send `event` to `groups` once the current transaction commits (at once outside a transaction)."""
    message = build_message(event, payload)
    transaction.on_commit(lambda: send_now(groups, message))


def publish_each(event: str, items: list[tuple[list[str], dict]]) -> None:
    """publish() for many independent payloads, each (groups, payload): sent together after commit, in no
    particular order (the live tallies of a round, one per proposal)."""
    messages = [(groups, build_message(event, payload)) for groups, payload in items]
    transaction.on_commit(lambda: send_each(messages))


def send_now(groups: list[str], message: dict) -> None:
    """Deliver a built message. A channel layer outage must not fail the write that caused it."""
    _deliver(_group_send_all, groups, message, what=message["type"])


def send_each(messages: list[tuple[list[str], dict]]) -> None:
    """Deliver built messages together: one trip through the event loop, and one group send per group with
    that group's messages in it (not one per message and group)."""
    if messages:
        _deliver(_send_each, messages, what=f"{len(messages)} x {messages[0][1]['type']}")


# Seconds a publisher waits for the channel layer before giving the events up (logged). A hung Redis (one
# that accepts and never answers) would otherwise hold the request that published for the layer's read
# timeout (settings), per group.
PUBLISH_TIMEOUT = 2.0


def _deliver(send, *args, what: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # Its queues belong to the consumers' event loop: async_to_sync sends on that loop.
            async_to_sync(send)(layer, *args)
        else:
            _thread_loop().run_until_complete(asyncio.wait_for(send(layer, *args), PUBLISH_TIMEOUT))
    except Exception:
        logger.warning("live event %s not delivered", what, exc_info=True)


async def _group_send_all(layer, groups: list[str], message: dict) -> None:
    event = {"type": HANDLER, "message": message}
    for group in groups:
        await layer.group_send(group, event)


SEND_EACH_CONCURRENCY = 16  # group sends in flight at once: each may hold one Redis connection of the pool


def _layer_messages(messages: list[tuple[list[str], dict]]) -> list[tuple[str, dict]]:
    """(group, channel-layer message) for `messages`: each group's events in order, BATCH_MAX at a time."""
    by_group: dict[str, list[dict]] = {}
    for groups, message in messages:
        for group in groups:
            by_group.setdefault(group, []).append(message)
    sends = []
    for group, group_messages in by_group.items():
        for start in range(0, len(group_messages), BATCH_MAX):
            batch = group_messages[start : start + BATCH_MAX]
            if len(batch) == 1:
                sends.append((group, {"type": HANDLER, "message": batch[0]}))
            else:
                sends.append((group, {"type": BATCH_HANDLER, "messages": batch}))
    return sends


async def _send_each(layer, messages: list[tuple[list[str], dict]]) -> None:
    slots = asyncio.Semaphore(SEND_EACH_CONCURRENCY)

    async def one(group, layer_message):
        async with slots:
            await layer.group_send(group, layer_message)

    sends = _layer_messages(messages)
    results = await asyncio.gather(*(one(group, message) for group, message in sends), return_exceptions=True)
    failed = [result for result in results if isinstance(result, Exception)]
    if failed:
        raise failed[0]  # logged by _deliver; the others were delivered


_thread = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's own long-lived event loop for publishing: channels_redis keeps a connection pool per
    event loop, and async_to_sync starts a new loop for every call from a WSGI thread (a new Redis
    connection per event; docs/benchmarks.md)."""
    loop = getattr(_thread, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread.loop = asyncio.new_event_loop()
    return loop
