import pytest
from django.db import IntegrityError, transaction

from aspirasi import policies
from aspirasi.models import Opd, Role
from aspirasi.services.accounts import user_assign_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_opd_officer_is_staff_of_one_opd(opd_officer, opd_head):
    assert opd_officer.is_staff and not opd_officer.is_superuser
    assert opd_officer.opd.slug == "dinkes" and not opd_officer.is_opd_head
    assert opd_head.is_opd_head
    assert policies.is_opd_officer(opd_officer) and not policies.is_moderator(opd_officer)


def test_an_opd_officer_needs_an_opd():
    with pytest.raises(ValueError):
        user_assign_role(user=UserFactory(), role="opd")


def test_another_role_drops_the_opd(opd_head):
    user_assign_role(user=opd_head, role="moderator")
    opd_head.refresh_from_db()
    assert opd_head.opd is None and not opd_head.is_opd_head
    assert not policies.is_opd_officer(opd_head)


@pytest.mark.parametrize(
    "fields",
    [
        {"role": Role.RESIDENT, "opd_slug": "dinkes"},
        {"role": Role.OPD, "opd_slug": None},
        {"role": Role.MODERATOR, "opd_slug": None, "is_opd_head": True},
    ],
)
def test_the_database_refuses_an_opd_out_of_place(fields):
    user = UserFactory()
    opd_slug = fields.pop("opd_slug")
    for name, value in fields.items():
        setattr(user, name, value)
    user.opd = Opd.objects.get(slug=opd_slug) if opd_slug else None
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
