"""Shared fixtures: personas, API clients, a temporary MEDIA_ROOT and a clean cache per test."""

from datetime import timedelta

import pytest
import sms
from django.core.cache import cache, caches
from django.utils import timezone
from rest_framework.test import APIClient

from aspirasi.api import throttling
from aspirasi.models import Kecamatan, Kelurahan, Opd
from aspirasi.services.accounts import tokens_for, user_assign_role
from tests.factories import UserFactory


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
    throttling.limiter().storage.reset()
    # Login failures (django-axes) live in the database (AXES_HANDLER): each test's transaction drops them.
    yield
    cache.clear()
    caches["list_items"].clear()
    caches["list_pages"].clear()
    caches["list_voted"].clear()
    caches["proposal_details"].clear()


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


# The personas are established residents: registered a month ago, so every rule of participation that
# asks for an account's age (flags: FLAG_MIN_ACCOUNT_AGE_HOURS) lets them take part.
ESTABLISHED = timedelta(days=30)


@pytest.fixture
def resident(db):
    return UserFactory(
        display_name="Siti Warga",
        kelurahan=Kelurahan.objects.get(slug="manggar"),
        date_joined=timezone.now() - ESTABLISHED,
    )


@pytest.fixture
def other_resident(db):
    return UserFactory(
        display_name="Budi Tetangga",
        kelurahan=Kelurahan.objects.get(slug="teritip"),
        date_joined=timezone.now() - ESTABLISHED,
    )


@pytest.fixture
def moderator_manggar(db):
    """Moderator of the kelurahan Manggar only."""
    user = UserFactory(display_name="Moderator Manggar")
    return user_assign_role(user=user, role="moderator", kelurahan=[Kelurahan.objects.get(slug="manggar")])


@pytest.fixture
def moderator_barat(db):
    """Moderator of another kecamatan (Balikpapan Barat), which covers all its kelurahan."""
    user = UserFactory(display_name="Moderator Barat")
    return user_assign_role(user=user, role="moderator", kecamatan=[Kecamatan.objects.get(code="64.71.02")])


@pytest.fixture
def planner(db):
    return user_assign_role(user=UserFactory(display_name="Perencana"), role="planner")


@pytest.fixture
def opd_officer(db):
    """An officer of Dinas Kesehatan (not its head)."""
    user = UserFactory(display_name="Petugas Dinkes")
    return user_assign_role(user=user, role="opd", opd=Opd.objects.get(slug="dinkes"))


@pytest.fixture
def opd_head(db):
    """The head of Dinas Kesehatan: sees everything forwarded to it."""
    user = UserFactory(display_name="Kepala Dinkes")
    return user_assign_role(user=user, role="opd", opd=Opd.objects.get(slug="dinkes"), is_opd_head=True)


@pytest.fixture
def admin_user(db):
    return user_assign_role(user=UserFactory(display_name="Admin"), role="admin")


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
