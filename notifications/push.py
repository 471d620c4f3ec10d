"""Push delivery behind one small interface, chosen by settings.PUSH_BACKEND.

A backend sends one message to one device and says what happened: sent, the token is invalid (the
device is deactivated, never retried), or a failure worth retrying (the push service is down, a
timeout). Retrying, backoff and bookkeeping live in notifications/tasks.py, not here.

- `LoggingPushBackend` (the default) only logs: `make run` needs no credentials.
- `DjangoPushNotificationsBackend` delivers through django-push-notifications: FCM for android (needs
  `firebase-admin` and PUSH_NOTIFICATIONS_SETTINGS["FIREBASE_APP"]), APNs for ios (needs `aioapns` or
  `apns2` and the APNS_* settings).
"""

import enum
import logging
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
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


# APNs reasons that mean "this token will never work again" (see Apple's error table).
_APNS_INVALID = ("Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic")


class DjangoPushNotificationsBackend(PushBackend):
    """Production: FCM and APNs through django-push-notifications' device models (never saved: the token
    lives in notifications.Device, which keeps one id space for the API and the delivery records)."""

    def send(self, *, device: Device, message: PushMessage) -> PushResult:
        if device.platform == DevicePlatform.ANDROID:
            return self._send_fcm(device, message)
        return self._send_apns(device, message)

    def _send_fcm(self, device: Device, message: PushMessage) -> PushResult:
        from push_notifications.gcm import _validate_exception_for_deactivation
        from push_notifications.models import GCMDevice

        target = GCMDevice(registration_id=device.token, cloud_message_type="FCM")
        try:
            _firebase_default_app()
            response = target.send_message(message.body, title=message.title, extra=dict(message.data))
        except Exception as exc:  # network errors, FCM outages: try again later
            return PushResult(Outcome.RETRY, f"{type(exc).__name__}: {exc}")
        error = response.responses[0].exception if response and response.responses else None
        if error is None:
            return PushResult(Outcome.SENT)
        if _validate_exception_for_deactivation(error):
            return PushResult(Outcome.INVALID_TOKEN, str(error))
        return PushResult(Outcome.RETRY, f"{type(error).__name__}: {error}")

    def _send_apns(self, device: Device, message: PushMessage) -> PushResult:
        from push_notifications.models import APNSDevice

        target = APNSDevice(registration_id=device.token)
        try:
            target.send_message({"title": message.title, "body": message.body}, extra=dict(message.data))
        except Exception as exc:
            text = f"{getattr(exc, 'status', '')} {exc}"
            if any(reason in text for reason in _APNS_INVALID):
                return PushResult(Outcome.INVALID_TOKEN, text.strip())
            return PushResult(Outcome.RETRY, f"{type(exc).__name__}: {exc}")
        return PushResult(Outcome.SENT)


def _firebase_default_app() -> None:
    """django-push-notifications sends through firebase-admin's default app; start it once from settings."""
    import firebase_admin
    from firebase_admin import credentials

    try:
        firebase_admin.get_app()
    except ValueError:
        firebase_admin.initialize_app(credentials.Certificate(settings.FCM_CREDENTIALS_FILE))


@cache
def _backend(path: str) -> PushBackend:
    return import_string(path)()


def get_push_backend() -> PushBackend:
    return _backend(settings.PUSH_BACKEND)
