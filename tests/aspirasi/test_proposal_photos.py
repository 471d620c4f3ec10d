"""POST /api/v1/proposals/{id}/photos/: who may add, while when, and never more than five."""

import io
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection

from aspirasi.errors import PhotoLimitReached
from aspirasi.models import ProposalPhoto, ProposalStatus
from aspirasi.services.photos import PROPOSAL_PHOTO_LIMIT, proposal_photo_add
from tests.aspirasi.test_images import assert_metadata_free, photo_bytes
from tests.factories import ProposalFactory, kelurahan

pytestmark = pytest.mark.django_db


def _url(proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/photos/"


def _upload(data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.heic", data if data is not None else photo_bytes(), content_type="image/heic")


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_author_adds_a_photo_to_a_submitted_proposal(as_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)

    response = as_resident.post(_url(proposal), {"image": _upload(photo_bytes(orientation=6))}, format="multipart")

    assert response.status_code == 201, response.json()
    photo = ProposalPhoto.objects.get(proposal=proposal)
    assert response.json()["id"] == photo.pk
    assert (photo.width, photo.height) == (48, 64)
    assert len(_stored_files()) == 3
    for path in _stored_files():
        assert_metadata_free(path.read_bytes())


@pytest.mark.parametrize("status", [ProposalStatus.PUBLISHED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN])
def test_author_cannot_add_once_the_proposal_left_review(as_resident, resident, status):
    proposal = ProposalFactory(author=resident, status=status)

    response = as_resident.post(_url(proposal), {"image": _upload()}, format="multipart")

    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"
    assert _stored_files() == []


def test_other_resident_cannot_add_to_a_public_proposal(as_other_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.PUBLISHED)

    response = as_other_resident.post(_url(proposal), {"image": _upload()}, format="multipart")

    assert response.status_code == 403
    assert response.json()["code"] == "photo_not_allowed"


def test_other_resident_does_not_even_see_a_submitted_proposal(as_other_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)

    assert as_other_resident.post(_url(proposal), {"image": _upload()}, format="multipart").status_code == 404


@pytest.mark.parametrize("status", [ProposalStatus.SUBMITTED, ProposalStatus.PUBLISHED])
def test_moderator_of_the_area_adds_photos_in_any_status(as_moderator, status):
    proposal = ProposalFactory(kelurahan=kelurahan("manggar"), status=status)

    assert as_moderator.post(_url(proposal), {"image": _upload()}, format="multipart").status_code == 201


def test_moderator_of_another_area_cannot_add(as_other_moderator):
    submitted = ProposalFactory(kelurahan=kelurahan("manggar"), status=ProposalStatus.SUBMITTED)
    published = ProposalFactory(kelurahan=kelurahan("manggar"), status=ProposalStatus.PUBLISHED)

    assert as_other_moderator.post(_url(submitted), {"image": _upload()}, format="multipart").status_code == 404
    response = as_other_moderator.post(_url(published), {"image": _upload()}, format="multipart")
    assert response.status_code == 403


def test_anonymous_cannot_add(api):
    assert api.post(_url(ProposalFactory()), {"image": _upload()}, format="multipart").status_code == 401


def test_bad_photo_gets_its_code_and_adds_nothing(as_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)

    response = as_resident.post(_url(proposal), {"image": _upload(b"GIF89a not really")}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "image_unsupported_format"
    assert not ProposalPhoto.objects.exists() and _stored_files() == []


def test_sixth_photo_is_refused_and_leaves_no_file(as_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.IN_REVIEW)
    for _ in range(PROPOSAL_PHOTO_LIMIT):
        proposal_photo_add(proposal=proposal, image=io.BytesIO(photo_bytes()), actor=resident)
    files_before = len(_stored_files())

    response = as_resident.post(_url(proposal), {"image": _upload()}, format="multipart")

    assert response.status_code == 409
    assert response.json()["code"] == "photo_limit_reached"
    assert proposal.photos.count() == PROPOSAL_PHOTO_LIMIT == 5
    assert len(_stored_files()) == files_before == 3 * 5


def test_idempotent_retry_adds_one_photo(as_resident, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    photo = photo_bytes()

    for _ in range(2):
        response = as_resident.post(
            _url(proposal), {"image": _upload(photo)}, format="multipart", HTTP_IDEMPOTENCY_KEY="photo-1"
        )
        assert response.status_code == 201

    assert proposal.photos.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_limit_holds_under_concurrent_uploads(resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    for _ in range(PROPOSAL_PHOTO_LIMIT - 1):
        proposal_photo_add(proposal=proposal, image=io.BytesIO(photo_bytes()), actor=resident)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def upload():
        try:
            barrier.wait()
            proposal_photo_add(proposal=proposal, image=io.BytesIO(photo_bytes()), actor=resident)
            outcomes.append("added")
        except PhotoLimitReached:
            outcomes.append("limit")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["added", "limit", "limit", "limit"]
    assert proposal.photos.count() == PROPOSAL_PHOTO_LIMIT
    assert len(_stored_files()) == 3 * PROPOSAL_PHOTO_LIMIT  # the refused uploads left no file behind
