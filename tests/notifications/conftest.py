"""Fixtures of the notification tests: fake push backends and task backends (see fakes.py)."""

import pytest

from notifications import push
from tests.notifications.fakes import DUMMY, IMMEDIATE, FlakyPushBackend, RecordingPushBackend


@pytest.fixture
def use_push(settings):
    """use_push(BackendClass): route deliveries to a fake backend (fresh state per test)."""

    def _use(backend_class):
        push._backend.cache_clear()
        settings.PUSH_BACKEND = f"{backend_class.__module__}.{backend_class.__qualname__}"
        return backend_class

    RecordingPushBackend.sent = []
    FlakyPushBackend.calls = 0
    yield _use
    push._backend.cache_clear()


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run at once, in the process, when enqueued (after commit)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def dummy_tasks(settings):
    """Tasks are only recorded: a test can count what was enqueued."""
    from django_tasks import default_task_backend

    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()
