import pytest
from django.contrib.auth.models import AnonymousUser

from aspirasi import policies
from aspirasi.models import ProposalStatus
from tests.conftest import client_for
from tests.factories import ProposalFactory, kelurahan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["admin_user", "planner", "moderator_manggar"])
def test_staff_who_read_the_area_see_unpublished_proposals(request, persona):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("manggar"))
    response = client_for(request.getfixturevalue(persona)).get(f"/api/v1/proposals/{proposal.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["moderator_barat", "other_resident"])
def test_others_do_not_see_unpublished_proposals(request, persona):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan("manggar"))
    response = client_for(request.getfixturevalue(persona)).get(f"/api/v1/proposals/{proposal.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("resident", True),
        ("moderator_manggar", False),
        ("moderator_barat", False),
        ("planner", False),
        ("admin_user", False),
    ],
)
def test_only_active_residents_may_flag(request, persona, allowed):
    user = request.getfixturevalue(persona)
    assert policies.can_flag(user) is allowed
    user.is_active = False
    assert policies.can_flag(user) is False
    assert policies.can_flag(AnonymousUser()) is False
