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


def _change_form(user, **changes) -> dict:
    data = {
        "phone": user.phone,
        "display_name": user.display_name,
        "email": "",
        "kelurahan": "",
        "language": "id",
        "role": user.role,
        "opd": user.opd_id or "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not False}


def test_the_admin_makes_an_opd_officer(client, admin_user):
    client.force_login(admin_user)
    user = UserFactory()
    dinkes = Opd.objects.get(slug="dinkes")
    response = client.post(
        f"/admin/aspirasi/user/{user.pk}/change/", _change_form(user, role="opd", opd=dinkes.pk, is_opd_head="on")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert (user.role, user.opd, user.is_opd_head, user.is_staff) == ("opd", dinkes, True, True)


def test_the_admin_says_an_opd_officer_needs_an_opd(client, admin_user):
    client.force_login(admin_user)
    user = UserFactory()
    response = client.post(
        f"/admin/aspirasi/user/{user.pk}/change/", _change_form(user, role="opd"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "An OPD officer belongs to one OPD" in response.content.decode()
    user.refresh_from_db()
    assert user.role == "resident"
