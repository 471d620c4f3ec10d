"""Push delivery behind one small interface, chosen by settings.PUSH_BACKEND.

A backend sends one message to one device and says what happened: sent, the token is invalid (the
device is deactivated, never retried), or a failure worth retrying (the push service is down, a
timeout). Retrying, backoff and bookkeeping live in notifications/services.py (push_deliveries_send), not here.

- `LoggingPushBackend` (the default) only logs: `make run` needs no credentials.
- `DjangoPushNotificationsBackend` delivers through django-push-notifications: FCM for android
  (firebase-admin's default app, started from FCM_CREDENTIALS_FILE), APNs for ios (aioapns, token key from
  the APNS_* settings). Tested down to the network transport in tests/notifications/test_push_backend.py.
"""

import enum
import logging
import threading
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifications.models import Device, DevicePlatform

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    data: dict = field(default_factory=dict)  # plain strings only: both FCM and APNs carry it as-is


class Outcome(enum.Enum):
    SENT = "sent"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an outcome, not a secret
    RETRY = "retry"


@dataclass(frozen=True)
class PushResult:
    outcome: Outcome
    error: str = ""


class PushBackend:
    def send(self, *, device: Device, message: PushMessage) -> PushResult:
        raise NotImplementedError


class LoggingPushBackend(PushBackend):
    """Development: write the push to the log and call it sent."""

    def send(self, *, device: Device, message: PushMessage) -> PushResult:
        logger.info("push to %s device %s: %s | %s", device.platform, device.pk, message.title, message.body)
        return PushResult(Outcome.SENT)


# APNs reasons that mean "this token will never work again" (Apple's error table; the same list
# push_notifications.apns_async deactivates its own devices on).
_APNS_INVALID = ("Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic")


class DjangoPushNotificationsBackend(PushBackend):
    """Production: FCM and APNs through django-push-notifications' device models (never saved: the token
    lives in notifications.Device, which keeps one id space for the API and the delivery records)."""

    def send(self, *, device: Device, message: PushMessage) -> PushResult:
        if device.platform == DevicePlatform.ANDROID:
            return self._send_fcm(device, message)
        return self._send_apns(device, message)

    def _send_fcm(self, device: Device, message: PushMessage) -> PushResult:
        from push_notifications.models import GCMDevice

        target = GCMDevice(registration_id=device.token, cloud_message_type="FCM")
        try:
            _firebase_default_app()
            # The library calls messaging.send_each: a refused message comes back as the exception of its
            # SendResponse; an exception raised here means the call itself failed (credentials, network).
            response = target.send_message(message.body, title=message.title, extra=dict(message.data))
        except Exception as exc:
            return _retry(exc)
        (result,) = response.responses
        if result.exception is None:
            return PushResult(Outcome.SENT)
        if _fcm_token_is_dead(result.exception):
            return PushResult(Outcome.INVALID_TOKEN, f"FCM: {result.exception}")
        return _retry(result.exception)  # unavailable, internal, quota: FCM asks to retry with backoff

    def _send_apns(self, device: Device, message: PushMessage) -> PushResult:
        from push_notifications.exceptions import APNSError
        from push_notifications.models import APNSDevice

        target = APNSDevice(registration_id=device.token)
        try:
            target.send_message({"title": message.title, "body": message.body}, extra=dict(message.data))
        except APNSError as exc:
            # apns_async never returns a rejection: it raises APNSError("... errors: <reason>") with APNs'
            # reason ("BadDeviceToken", "ServiceUnavailable", ...) or its own "TimeoutError" /
            # "CommunicationError: ..." when the request did not get through (connection errors included).
            reason = exc.message.rpartition("errors: ")[2]
            outcome = Outcome.INVALID_TOKEN if reason in _APNS_INVALID else Outcome.RETRY
            return PushResult(outcome, f"APNs: {reason}")
        except Exception as exc:  # missing key or settings: recorded on the delivery, retried until fixed
            return _retry(exc)
        return PushResult(Outcome.SENT)


def _fcm_token_is_dead(error: Exception) -> bool:
    """UNREGISTERED (app uninstalled, token expired) and SENDER_ID_MISMATCH (token of another Firebase
    project) never recover. INVALID_ARGUMENT only when it is about the token: it is also FCM's answer to a
    payload problem (e.g. a message too big), which must not switch a phone off. django-push-notifications'
    own check (_validate_exception_for_deactivation) takes every INVALID_ARGUMENT as a dead token."""
    from firebase_admin import exceptions, messaging

    if isinstance(error, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return True
    return isinstance(error, exceptions.InvalidArgumentError) and "registration token" in str(error)


def _retry(exc: Exception) -> PushResult:
    return PushResult(Outcome.RETRY, f"{type(exc).__name__}: {exc}")


_firebase_lock = threading.Lock()


def _firebase_default_app() -> None:
    """django-push-notifications sends through firebase-admin's default app (without an application_id it
    ignores PUSH_NOTIFICATIONS_SETTINGS["FIREBASE_APP"]): start it once, from the service-account file."""
    import firebase_admin
    from firebase_admin import credentials

    with _firebase_lock:  # two threads must not both initialise it (the second would raise)
        try:
            firebase_admin.get_app()
        except ValueError:
            if not settings.FCM_CREDENTIALS_FILE:
                raise ImproperlyConfigured("FCM_CREDENTIALS_FILE is not set: no FCM credentials") from None
            firebase_admin.initialize_app(credentials.Certificate(settings.FCM_CREDENTIALS_FILE))


@cache
def _backend(path: str) -> PushBackend:
    return import_string(path)()


def get_push_backend() -> PushBackend:
    return _backend(settings.PUSH_BACKEND)
