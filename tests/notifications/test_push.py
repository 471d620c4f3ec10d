"""Push delivery: after commit, through a task, retried with backoff, invalid tokens switched off."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aspirasi.models import ProposalStatus
from aspirasi.services.status import proposal_change_status
from notifications.models import DeliveryStatus, Device, NotificationSettings, PushDelivery
from notifications.services import push_deliveries_send, retry_delay
from tests.factories import ProposalFactory
from tests.notifications.fakes import FlakyPushBackend, InvalidTokenPushBackend, RecordingPushBackend

pytestmark = pytest.mark.django_db
P = ProposalStatus


def publish(proposal, actor):
    proposal_change_status(proposal=proposal, to_status=P.PUBLISHED, actor=actor)


@pytest.fixture
def phone(resident):
    return Device.objects.create(user=resident, platform="android", token="fcm-1")


@pytest.mark.usefixtures("immediate_tasks")
def test_push_is_sent_after_commit_with_the_notification_text(
    resident, phone, moderator_manggar, use_push, django_capture_on_commit_callbacks
):
    use_push(RecordingPushBackend)
    proposal = ProposalFactory(author=resident, status=P.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(proposal, moderator_manggar)
    assert RecordingPushBackend.sent == []  # nothing leaves before commit
    for callback in callbacks:
        callback()
    ((token, message),) = RecordingPushBackend.sent
    assert token == "fcm-1" and message.title == resident.notifications.get().title
    assert message.data["kind"] == "proposal_published"
    assert PushDelivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.usefixtures("immediate_tasks")
def test_push_service_down_retries_with_backoff_until_it_recovers(
    resident, phone, moderator_manggar, use_push, django_capture_on_commit_callbacks
):
    use_push(FlakyPushBackend)  # fails 3 times
    with django_capture_on_commit_callbacks(execute=True):
        publish(ProposalFactory(author=resident, status=P.SUBMITTED), moderator_manggar)
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "FCM is down" in delivery.last_error

    delays = []
    for _ in range(3):
        before = delivery.next_attempt_at
        assert push_deliveries_send(now=before - timedelta(seconds=1)) == {}  # not due yet: untouched
        push_deliveries_send(now=before)
        delivery.refresh_from_db()
        delays.append(delivery.next_attempt_at - before)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 4 and delivery.sent_at
    assert delays[:2] == [retry_delay(2), retry_delay(3)]
    assert retry_delay(3) == 2 * retry_delay(2)


@pytest.mark.usefixtures("immediate_tasks")
def test_a_push_that_never_gets_through_is_marked_failed(
    settings, resident, phone, moderator_manggar, use_push, django_capture_on_commit_callbacks
):
    settings.PUSH_MAX_ATTEMPTS = 2
    use_push(FlakyPushBackend)
    with django_capture_on_commit_callbacks(execute=True):
        publish(ProposalFactory(author=resident, status=P.SUBMITTED), moderator_manggar)
    push_deliveries_send(now=timezone.now() + timedelta(days=1))
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.notification.read_at is None  # the notification itself stays in the inbox


@pytest.mark.usefixtures("immediate_tasks")
def test_an_invalid_token_deactivates_the_device_and_is_not_retried(
    resident, phone, moderator_manggar, use_push, django_capture_on_commit_callbacks
):
    use_push(InvalidTokenPushBackend)
    with django_capture_on_commit_callbacks(execute=True):
        publish(ProposalFactory(author=resident, status=P.SUBMITTED), moderator_manggar)
    phone.refresh_from_db()
    assert phone.active is False
    assert PushDelivery.objects.get().status == DeliveryStatus.INVALID_TOKEN

    with django_capture_on_commit_callbacks(execute=True):
        publish(ProposalFactory(author=resident, status=P.SUBMITTED), moderator_manggar)
    assert PushDelivery.objects.count() == 1  # no delivery for a dead device


def test_push_off_means_no_delivery_but_the_notification_exists(resident, phone, moderator_manggar):
    NotificationSettings.objects.create(user=resident, push_enabled=False)
    publish(ProposalFactory(author=resident, status=P.SUBMITTED), moderator_manggar)
    assert resident.notifications.count() == 1
    assert not PushDelivery.objects.exists()


def test_delivery_waits_for_the_worker(
    resident, phone, moderator_manggar, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(ProposalFactory(author=resident, status=P.SUBMITTED), moderator_manggar)
    (result,) = dummy_tasks.results
    assert result.task.name == "notifications_dispatch"
    assert PushDelivery.objects.get().status == DeliveryStatus.PENDING  # survives until a worker runs it


def test_a_worker_that_died_mid_batch_leaves_its_claim_to_the_next_sweep(settings, resident, phone, use_push):
    from notifications.services import _deliveries_claim

    use_push(RecordingPushBackend)
    notification = resident.notifications.create(kind="proposal_published", title="t")
    PushDelivery.objects.create(notification=notification, device=phone, next_attempt_at=timezone.now())
    assert len(_deliveries_claim(notification_ids=None, now=timezone.now())) == 1  # ...then the worker dies
    assert push_deliveries_send() == {}  # leased: nobody sends it twice
    later = timezone.now() + timedelta(seconds=settings.PUSH_LEASE_SECONDS + 1)
    assert push_deliveries_send(now=later)["sent"] == 1
