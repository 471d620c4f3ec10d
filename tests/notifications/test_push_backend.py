"""The production push backend, through the real django-push-notifications, firebase-admin and aioapns code:
only the network transport is mocked (`firebase_admin.messaging.send_each` for FCM, aioapns'
`APNs.send_notification` for APNs). Credentials are freshly generated keys in temporary files."""

import contextlib
import json
from functools import cache
from unittest import mock

import firebase_admin
import pytest
from aioapns import APNs
from aioapns import ConnectionError as APNsConnectionError
from aioapns.common import NotificationResult
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from firebase_admin import exceptions as fcm_errors
from firebase_admin import messaging
from push_notifications.settings import PUSH_NOTIFICATIONS_SETTINGS

from aspirasi.models import ProposalStatus
from aspirasi.services.status import proposal_change_status
from notifications.models import DeliveryStatus, Device, PushDelivery
from notifications.push import DjangoPushNotificationsBackend, Outcome, PushMessage
from notifications.services import push_deliveries_send
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

TOPIC = "id.go.balikpapan.aspirasi"
TOKENS = {"android": "fcm-token-1", "ios": "ab" * 32}
MESSAGE = PushMessage(
    title="Usulan Anda diterbitkan",
    body="Perbaikan drainase Jl. Mulawarman",
    data={"notification_id": "7", "kind": "proposal_published", "target_type": "proposal", "target_id": "42"},
)


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@cache
def _rsa_pem() -> str:  # a service-account key; generated once per run (RSA takes a moment)
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


# --- FCM -----------------------------------------------------------------------------------------------


def fcm_ok() -> messaging.BatchResponse:
    return messaging.BatchResponse([messaging.SendResponse({"name": "projects/aspirasi-test/messages/1"}, None)])


def fcm_refused(error: Exception) -> messaging.BatchResponse:
    """What send_each returns when FCM answers the one message with an error: it does not raise."""
    return messaging.BatchResponse([messaging.SendResponse(None, error)])


@pytest.fixture
def fcm(settings, tmp_path):
    """A service-account file the backend starts firebase-admin's default app from, and the mocked
    transport: set `fcm.side_effect` / `fcm.return_value` to what FCM answers."""
    account = {
        "type": "service_account",
        "project_id": "aspirasi-test",
        "private_key_id": "test-key",
        "private_key": _rsa_pem(),
        "client_email": "push@aspirasi-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path = tmp_path / "firebase.json"
    path.write_text(json.dumps(account))
    settings.FCM_CREDENTIALS_FILE = str(path)
    _delete_default_firebase_app()
    with mock.patch("firebase_admin.messaging.send_each", return_value=fcm_ok()) as send_each:
        yield send_each
    _delete_default_firebase_app()


def _delete_default_firebase_app():
    with contextlib.suppress(ValueError):  # not started
        firebase_admin.delete_app(firebase_admin.get_app())


@pytest.fixture
def android(resident):
    return Device.objects.create(user=resident, platform="android", token=TOKENS["android"])


def test_fcm_delivers_title_body_and_data_to_the_token(fcm, android):
    assert DjangoPushNotificationsBackend().send(device=android, message=MESSAGE).outcome == Outcome.SENT

    ((messages,), kwargs) = fcm.call_args
    assert kwargs["app"] is None  # the default app, started from FCM_CREDENTIALS_FILE
    assert firebase_admin.get_app().project_id == "aspirasi-test"
    (sent,) = messages
    assert sent.token == TOKENS["android"]
    assert (sent.android.notification.title, sent.android.notification.body) == (MESSAGE.title, MESSAGE.body)
    assert sent.data == MESSAGE.data
    # The JSON firebase-admin would post (its own encoder validates it: data values must be strings).
    encoded = messaging._MessagingService.encode_message(sent)
    assert encoded["token"] == TOKENS["android"] and encoded["data"] == MESSAGE.data
    assert encoded["android"]["notification"] == {"title": MESSAGE.title, "body": MESSAGE.body}


@pytest.mark.parametrize(
    "error",
    [
        messaging.UnregisteredError("Requested entity was not found."),
        messaging.SenderIdMismatchError("SenderId mismatch"),
        fcm_errors.InvalidArgumentError("The registration token is not a valid FCM registration token"),
    ],
    ids=["unregistered", "sender-id-mismatch", "malformed-token"],
)
def test_fcm_refusing_the_token_is_an_invalid_token(fcm, android, error):
    fcm.return_value = fcm_refused(error)
    result = DjangoPushNotificationsBackend().send(device=android, message=MESSAGE)
    assert result.outcome == Outcome.INVALID_TOKEN
    assert str(error) in result.error


@pytest.mark.parametrize(
    "error",
    [
        fcm_errors.UnavailableError("The service is currently unavailable."),
        fcm_errors.InternalError("Internal error encountered."),
        messaging.QuotaExceededError("Quota exceeded for quota metric"),
        # INVALID_ARGUMENT about the payload: the phone is fine, it must stay on.
        fcm_errors.InvalidArgumentError("Message is too big"),
    ],
    ids=["unavailable", "internal", "quota", "payload-invalid"],
)
def test_fcm_transient_or_payload_errors_are_retried(fcm, android, error):
    fcm.return_value = fcm_refused(error)
    result = DjangoPushNotificationsBackend().send(device=android, message=MESSAGE)
    assert result.outcome == Outcome.RETRY
    assert type(error).__name__ in result.error


def test_fcm_call_failing_as_a_whole_is_retried(fcm, android):
    # send_each raises (rather than answering per message) when e.g. the access token cannot be fetched.
    fcm.side_effect = fcm_errors.UnknownError("Unknown error while making remote service calls: timed out")
    result = DjangoPushNotificationsBackend().send(device=android, message=MESSAGE)
    assert (result.outcome, result.error.split(":")[0]) == (Outcome.RETRY, "UnknownError")


def test_fcm_without_credentials_is_retried_and_says_why(fcm, settings, android):
    settings.FCM_CREDENTIALS_FILE = ""
    result = DjangoPushNotificationsBackend().send(device=android, message=MESSAGE)
    assert result.outcome == Outcome.RETRY and "FCM_CREDENTIALS_FILE" in result.error
    fcm.assert_not_called()


# --- APNs ----------------------------------------------------------------------------------------------


def apns_answer(status: str, reason: str | None = None) -> NotificationResult:
    return NotificationResult(notification_id="n-1", status=status, description=reason)


@pytest.fixture
def apns(tmp_path):
    """A token key (.p8) and the APNS_* settings django-push-notifications reads, and the mocked transport:
    set `apns.side_effect` to what APNs answers. The mock is autospecced: its first argument is the client."""
    key = tmp_path / "AuthKey_TEST123456.p8"
    key.write_text(_pem(ec.generate_private_key(ec.SECP256R1())))
    # django-push-notifications copied settings.PUSH_NOTIFICATIONS_SETTINGS at import: patch its dict.
    apns_settings = {
        "APNS_AUTH_KEY_PATH": str(key),
        "APNS_AUTH_KEY_ID": "TEST123456",
        "APNS_TEAM_ID": "TEAM123456",
        "APNS_TOPIC": TOPIC,
        "APNS_USE_SANDBOX": True,
    }
    with (
        mock.patch.dict(PUSH_NOTIFICATIONS_SETTINGS, apns_settings),
        mock.patch.object(APNs, "send_notification", autospec=True, return_value=apns_answer("200")) as send,
    ):
        yield send


@pytest.fixture
def iphone(resident):
    return Device.objects.create(user=resident, platform="ios", token=TOKENS["ios"])


def test_apns_delivers_title_body_and_data_to_the_token(apns, iphone):
    assert DjangoPushNotificationsBackend().send(device=iphone, message=MESSAGE).outcome == Outcome.SENT

    ((client, request),) = [call.args for call in apns.call_args_list]
    assert request.device_token == TOKENS["ios"]
    assert request.message["aps"]["alert"] == {"title": MESSAGE.title, "body": MESSAGE.body}
    assert {key: request.message[key] for key in MESSAGE.data} == MESSAGE.data  # custom keys beside "aps"
    # The client was built from the APNS_* settings: token key, team, topic, sandbox.
    pool = client.pool
    assert (pool.key_id, pool.team_id, pool.apns_topic) == ("TEST123456", "TEAM123456", TOPIC)
    assert "BEGIN PRIVATE KEY" in pool.key and pool.protocol_class.__name__ == "APNsDevelopmentClientProtocol"


@pytest.mark.parametrize(
    ("status", "reason"), [("400", "BadDeviceToken"), ("410", "Unregistered"), ("400", "DeviceTokenNotForTopic")]
)
def test_apns_refusing_the_token_is_an_invalid_token(apns, iphone, status, reason):
    apns.return_value = apns_answer(status, reason)
    result = DjangoPushNotificationsBackend().send(device=iphone, message=MESSAGE)
    assert (result.outcome, result.error) == (Outcome.INVALID_TOKEN, f"APNs: {reason}")


@pytest.mark.parametrize(
    "answer",
    [
        apns_answer("503", "ServiceUnavailable"),
        apns_answer("500", "InternalServerError"),
        apns_answer("429", "TooManyRequests"),
        APNsConnectionError(),
        OSError("Network is unreachable"),
    ],
    ids=["unavailable", "internal", "too-many", "connection-error", "network-down"],
)
def test_apns_transient_failures_are_retried(apns, iphone, answer):
    apns.side_effect = [answer]
    result = DjangoPushNotificationsBackend().send(device=iphone, message=MESSAGE)
    assert result.outcome == Outcome.RETRY
    assert result.error.startswith("APNs: ")


def test_apns_without_settings_is_retried_and_says_why(apns, iphone):
    with mock.patch.dict(PUSH_NOTIFICATIONS_SETTINGS):
        del PUSH_NOTIFICATIONS_SETTINGS["APNS_AUTH_KEY_PATH"]
        result = DjangoPushNotificationsBackend().send(device=iphone, message=MESSAGE)
    assert result.outcome == Outcome.RETRY and "ImproperlyConfigured" in result.error
    apns.assert_not_called()


# --- End to end: the delivery task with the real backend ----------------------------------------------


def publish_a_proposal_of(resident, moderator):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    proposal_change_status(proposal=proposal, to_status=ProposalStatus.PUBLISHED, actor=moderator)


@pytest.fixture
def production_push(use_push, fcm, apns):
    """settings.PUSH_BACKEND is the real DjangoPushNotificationsBackend (use_push clears the cached
    instance); returns the mocked transport of each platform."""
    use_push(DjangoPushNotificationsBackend)
    return {"android": fcm, "ios": apns}


@pytest.mark.usefixtures("immediate_tasks")
@pytest.mark.parametrize(
    ("platform", "refusal"),
    [
        ("android", fcm_refused(messaging.UnregisteredError("Requested entity was not found."))),
        ("ios", apns_answer("400", "BadDeviceToken")),
    ],
)
def test_delivery_of_a_refused_token_deactivates_the_device(
    production_push, resident, moderator_manggar, django_capture_on_commit_callbacks, platform, refusal
):
    phone = Device.objects.create(user=resident, platform=platform, token=TOKENS[platform])
    transport = production_push[platform]
    transport.return_value = refusal
    with django_capture_on_commit_callbacks(execute=True):
        publish_a_proposal_of(resident, moderator_manggar)

    assert transport.call_count == 1
    phone.refresh_from_db()
    assert phone.active is False
    delivery = PushDelivery.objects.get()
    assert delivery.status == DeliveryStatus.INVALID_TOKEN
    assert ("Requested entity was not found" if platform == "android" else "BadDeviceToken") in delivery.last_error


@pytest.mark.usefixtures("immediate_tasks")
@pytest.mark.parametrize(
    ("platform", "outage", "recovered"),
    [
        ("android", fcm_refused(fcm_errors.UnavailableError("The service is currently unavailable.")), fcm_ok()),
        ("ios", APNsConnectionError(), apns_answer("200")),
    ],
)
def test_delivery_through_an_outage_is_retried_and_sent_when_the_service_recovers(
    production_push, resident, moderator_manggar, django_capture_on_commit_callbacks, platform, outage, recovered
):
    phone = Device.objects.create(user=resident, platform=platform, token=TOKENS[platform])
    transport = production_push[platform]
    transport.side_effect = [outage, recovered]
    with django_capture_on_commit_callbacks(execute=True):
        publish_a_proposal_of(resident, moderator_manggar)

    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.last_error
    assert push_deliveries_send(now=delivery.next_attempt_at)["sent"] == 1  # the retry sweep, when due
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    phone.refresh_from_db()
    assert phone.active is True
    assert transport.call_count == 2
