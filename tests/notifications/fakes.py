"""Push backends that fail in known ways, and task backend settings, for the notification tests."""

from notifications.push import Outcome, PushBackend, PushResult

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class RecordingPushBackend(PushBackend):
    """Sends successfully and remembers what it sent."""

    sent: list = []

    def send(self, *, device, message):
        RecordingPushBackend.sent.append((device.token, message))
        return PushResult(Outcome.SENT)


class FlakyPushBackend(PushBackend):
    """The push service is down for the first `failures` calls, then recovers."""

    failures = 3
    calls = 0

    def send(self, *, device, message):
        FlakyPushBackend.calls += 1
        if FlakyPushBackend.calls <= FlakyPushBackend.failures:
            return PushResult(Outcome.RETRY, "ServiceUnavailable: FCM is down")
        return PushResult(Outcome.SENT)


class InvalidTokenPushBackend(PushBackend):
    """Every token is unknown to the push service."""

    def send(self, *, device, message):
        return PushResult(Outcome.INVALID_TOKEN, "UnregisteredError: Requested entity was not found.")
