"""Shared fixtures: personas, API clients, a temporary MEDIA_ROOT and a clean cache per test."""

import pytest
import sms
from django.core.cache import cache, caches
from rest_framework.test import APIClient

from aspirasi.api import throttling
from aspirasi.services.accounts import tokens_for
from tests import personas


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real hashing costs about a second per user on a busy 2-core machine; tests need no real cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Text messages go to sms.outbox, as Django's test runner does with mail.
    settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
    sms.outbox = []
    cache.clear()
    caches["list_items"].clear()
    caches["list_pages"].clear()
    caches["list_voted"].clear()
    caches["proposal_details"].clear()
    caches["comment_pages"].clear()
    caches["cycles"].clear()
    throttling.limiter().storage.reset()
    # Login failures (django-axes) live in the database (AXES_HANDLER): each test's transaction drops them.
    yield
    cache.clear()
    caches["list_items"].clear()
    caches["list_pages"].clear()
    caches["list_voted"].clear()
    caches["proposal_details"].clear()
    caches["comment_pages"].clear()
    caches["cycles"].clear()


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write's after-commit work as a real commit would (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def client_for(user, *, language: str | None = None) -> APIClient:
    """An API client authenticated the way the mobile app is: a Bearer JWT."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    if language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def resident(db):
    return personas.resident()


@pytest.fixture
def other_resident(db):
    return personas.other_resident()


@pytest.fixture
def moderator_manggar(db):
    """Moderator of the kelurahan Manggar only."""
    return personas.moderator_manggar()


@pytest.fixture
def moderator_barat(db):
    """Moderator of another kecamatan (Balikpapan Barat), which covers all its kelurahan."""
    return personas.moderator_barat()


@pytest.fixture
def planner(db):
    return personas.planner()


@pytest.fixture
def opd_officer(db):
    """An officer of Dinas Kesehatan (not its head)."""
    return personas.opd_officer()


@pytest.fixture
def opd_head(db):
    """The head of Dinas Kesehatan: sees everything forwarded to it."""
    return personas.opd_head()


@pytest.fixture
def admin_user(db):
    return personas.admin_user()


@pytest.fixture
def as_resident(resident):
    return client_for(resident)


@pytest.fixture
def as_other_resident(other_resident):
    return client_for(other_resident)


@pytest.fixture
def as_moderator(moderator_manggar):
    return client_for(moderator_manggar)


@pytest.fixture
def as_other_moderator(moderator_barat):
    return client_for(moderator_barat)


@pytest.fixture
def as_planner(planner):
    return client_for(planner)


@pytest.fixture
def as_admin(admin_user):
    return client_for(admin_user)
