"""A decision on a proposal with thousands of supporters stays a bounded amount of work in the request."""

import math
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aspirasi.models import ProposalStatus, User, Vote
from aspirasi.services.status import proposal_change_status
from notifications.models import Device, Notification, NotificationKind, PushDelivery
from tests.factories import ProposalFactory, kelurahan

pytestmark = pytest.mark.django_db
VOTERS = 5000


def supporters(proposal, count: int) -> list[User]:
    area = kelurahan()
    users = User.objects.bulk_create(
        User(phone=f"+62813{i:08d}", display_name=f"Warga {i}", kelurahan=area, language="en" if i % 2 else "id")
        for i in range(count)
    )
    Vote.objects.bulk_create(Vote(proposal=proposal, voter=user) for user in users)
    return users


def test_accepting_a_proposal_with_5000_voters_is_bounded(
    settings, planner, dummy_tasks, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    users = supporters(proposal, VOTERS)
    Device.objects.bulk_create(Device(user=user, platform="android", token=f"tok-{user.pk}") for user in users[:300])

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        proposal_change_status(proposal=proposal, to_status=ProposalStatus.ACCEPTED, actor=planner)
    elapsed = time.perf_counter() - started
    print(f"\n5000-voter fan-out: {len(queries)} queries, {elapsed:.2f}s on {connection.vendor}")

    assert Notification.objects.filter(kind=NotificationKind.SUPPORTED_ACCEPTED).count() == VOTERS
    assert PushDelivery.objects.count() == 300
    batches = math.ceil(VOTERS / settings.NOTIFICATION_BATCH_SIZE)
    # the change itself, the recipients, then per batch: insert notifications, find devices, insert deliveries
    # (SQLite splits big inserts by its variable limit, so the bound leaves room for that).
    assert len(queries) <= 20 + batches * 12
    # one task per batch of voters (live events + pushes); the author (no device) is published inline
    assert len(dummy_tasks.results) == batches
    assert {r.task.name for r in dummy_tasks.results} == {"notifications_dispatch"}
    assert all(len(r.kwargs["notification_ids"]) <= settings.NOTIFICATION_BATCH_SIZE for r in dummy_tasks.results)
