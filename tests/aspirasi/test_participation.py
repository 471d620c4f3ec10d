"""Only verified residents vote, flag and submit (issue 21); staff keep their answers."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aspirasi.models import Flag, Proposal, ProposalPhoto, ProposalStatus, Report, User, Vote
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory, category, image_bytes, kelurahan

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(db):
    """A resident who registered but never answered the one-time code."""
    return UserFactory(display_name="Belum Verifikasi", phone_verified_at=None)


def _proposal_body() -> dict:
    return {
        "title": "Pelatihan menjahit untuk ibu-ibu",
        "description": "Pelatihan menjahit selama tiga bulan agar ibu rumah tangga bisa membuka usaha.",
        "category": category("pendidikan").pk,
        "kelurahan": kelurahan("manggar").pk,
    }


def _report_form() -> dict:
    image = SimpleUploadedFile("laporan.jpg", image_bytes(), content_type="image/jpeg")
    return {
        "description": "Jalan berlubang di depan SD",
        "category": category().pk,
        "kelurahan": kelurahan("manggar").pk,
        "image": image,
    }


def _refused(response) -> bool:
    body = response.json()
    return response.status_code == 403 and body["code"] == "phone_not_verified" and bool(body["message"])


@pytest.mark.parametrize("language", ["id", "en"])
def test_an_unverified_resident_cannot_vote_flag_or_submit(unverified, language):
    client = client_for(unverified, language=language)
    published = ProposalFactory(status=ProposalStatus.PUBLISHED)

    answers = SimpleNamespace(
        vote=client.post(f"/api/v1/proposals/{published.pk}/vote/"),
        withdraw=client.delete(f"/api/v1/proposals/{published.pk}/vote/"),
        flag=client.post(f"/api/v1/proposals/{published.pk}/flags/", {"reason": "spam"}, format="json"),
        proposal=client.post("/api/v1/proposals/", _proposal_body(), format="json"),
        report=client.post("/api/v1/reports/", _report_form(), format="multipart"),
    )

    for name, response in vars(answers).items():
        assert _refused(response), (name, response.status_code, response.content[:200])
    assert ("Verify your phone" in answers.vote.json()["message"]) == (language == "en")
    assert not Vote.objects.exists() and not Flag.objects.exists()
    assert Proposal.objects.count() == 1 and not Report.objects.exists()


def test_an_unverified_author_cannot_add_photos(unverified):
    # Say the account's verification was reset after it submitted (a changed phone).
    proposal = ProposalFactory(author=unverified, status=ProposalStatus.SUBMITTED)
    image = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
    response = client_for(unverified).post(
        f"/api/v1/proposals/{proposal.pk}/photos/", {"image": image}, format="multipart"
    )
    assert _refused(response)
    assert not ProposalPhoto.objects.exists()


def test_verification_is_read_again_by_the_vote_under_its_lock(as_resident, resident):
    """A token issued while the phone was verified obeys what the account says now."""
    proposal = ProposalFactory(status=ProposalStatus.PUBLISHED)
    User.objects.filter(pk=resident.pk).update(phone_verified_at=None)
    assert _refused(as_resident.post(f"/api/v1/proposals/{proposal.pk}/vote/"))
    assert not Vote.objects.exists()


def test_the_same_resident_once_verified_takes_part(unverified):
    from django.utils import timezone

    User.objects.filter(pk=unverified.pk).update(phone_verified_at=timezone.now())
    client = client_for(unverified)
    published = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert client.post(f"/api/v1/proposals/{published.pk}/vote/").status_code == 201
    assert client.post("/api/v1/proposals/", _proposal_body(), format="json").status_code == 201
    assert client.post("/api/v1/reports/", _report_form(), format="multipart").status_code == 201


@pytest.mark.parametrize("staff", ["moderator_manggar", "planner", "admin_user"])
def test_staff_keep_their_answers_whatever_their_phone(request, staff):
    """Staff accounts submit as before and still do not vote (permission_denied, not phone_not_verified)."""
    user = request.getfixturevalue(staff)
    User.objects.filter(pk=user.pk).update(phone_verified_at=None)
    client = client_for(user)
    published = ProposalFactory(status=ProposalStatus.PUBLISHED)
    assert client.post("/api/v1/proposals/", _proposal_body(), format="json").status_code == 201
    assert client.post("/api/v1/reports/", _report_form(), format="multipart").status_code == 201
    vote = client.post(f"/api/v1/proposals/{published.pk}/vote/")
    assert (vote.status_code, vote.json()["code"]) == (403, "permission_denied")
