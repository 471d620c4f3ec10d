"""Domain events, published to WebSocket groups after commit. The ONLY module that calls group_send.

Services call `publish(...)` inside their transaction; the message leaves only when the transaction
commits, so a rolled-back write never reaches anyone's screen. Payloads are plain JSON. Event names and
group names live here; docs/realtime.md documents them.
"""

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
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
VOTE_TALLY = "vote.tally"
NOTIFICATION_CREATED = "notification.created"
NOTIFICATION_UNREAD_COUNT = "notification.unread_count"

# The consumer method every group message is dispatched to (Channels maps "event.message" -> event_message).
HANDLER = "event.message"


# --- Group names ------------------------------------------------------------------------------------
def moderation_kelurahan_group(kelurahan_id: int) -> str:
    return f"moderation.kelurahan.{kelurahan_id}"


MODERATION_ALL_GROUP = "moderation.all"  # admins: every area


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


def send_now(groups: list[str], message: dict) -> None:
    """Deliver a built message. A channel layer outage must not fail the write that caused it."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        for group in groups:
            async_to_sync(layer.group_send)(group, {"type": HANDLER, "message": message})
    except Exception:
        logger.warning("live event %s not delivered to %s", message["type"], groups, exc_info=True)
