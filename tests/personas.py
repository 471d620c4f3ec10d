"""The personas as plain builders: conftest's fixtures call them per test, and a module that builds its world
once (the authorization matrix) calls them in its own transaction."""

from datetime import timedelta

from django.utils import timezone

from aspirasi.models import Kecamatan, Kelurahan, Opd
from aspirasi.services.accounts import user_assign_role
from tests.factories import UserFactory

# The personas are established residents: registered a month ago, so every rule of participation that
# asks for an account's age (flags: FLAG_MIN_ACCOUNT_AGE_HOURS) lets them take part.
ESTABLISHED = timedelta(days=30)


def resident():
    return UserFactory(
        display_name="Siti Warga",
        kelurahan=Kelurahan.objects.get(slug="manggar"),
        date_joined=timezone.now() - ESTABLISHED,
    )


def other_resident():
    return UserFactory(
        display_name="Budi Tetangga",
        kelurahan=Kelurahan.objects.get(slug="teritip"),
        date_joined=timezone.now() - ESTABLISHED,
    )


def moderator_manggar():
    """Moderator of the kelurahan Manggar only."""
    user = UserFactory(display_name="Moderator Manggar")
    return user_assign_role(user=user, role="moderator", kelurahan=[Kelurahan.objects.get(slug="manggar")])


def moderator_barat():
    """Moderator of another kecamatan (Balikpapan Barat), which covers all its kelurahan."""
    user = UserFactory(display_name="Moderator Barat")
    return user_assign_role(user=user, role="moderator", kecamatan=[Kecamatan.objects.get(code="64.71.02")])


def planner():
    return user_assign_role(user=UserFactory(display_name="Perencana"), role="planner")


def opd_officer():
    """An officer of Dinas Kesehatan (not its head)."""
    user = UserFactory(display_name="Petugas Dinkes")
    return user_assign_role(user=user, role="opd", opd=Opd.objects.get(slug="dinkes"))


def opd_head():
    """The head of Dinas Kesehatan: sees everything forwarded to it."""
    user = UserFactory(display_name="Kepala Dinkes")
    return user_assign_role(user=user, role="opd", opd=Opd.objects.get(slug="dinkes"), is_opd_head=True)


def admin_user():
    return user_assign_role(user=UserFactory(display_name="Admin"), role="admin")
