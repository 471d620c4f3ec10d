"""MEDIA_STORAGE=s3: photos go to a real S3-compatible server (moto's), whole or not at all, with the URLs
the setting asks for."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aspirasi.models import ProposalPhoto, ProposalStatus
from backend import settings as settings_module
from tests.aspirasi.test_images import assert_metadata_free, photo_bytes
from tests.factories import ProposalFactory
from tests.object_storage import new_bucket, object_names, s3_endpoint, storage_env  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):  # noqa: F811 - the fixture
    """A fresh bucket and default_storage pointed at it, built by the settings' own MEDIA_STORAGE code."""
    name = new_bucket(s3_endpoint)

    def use(**extra: str) -> str:
        for key, value in storage_env(s3_endpoint, name, **extra).items():
            monkeypatch.setenv(key, value)
        settings.STORAGES = {**settings.STORAGES, "default": settings_module._media_storage_from_env()}
        return name

    return use


def _upload(client, proposal):
    image = SimpleUploadedFile("photo.heic", photo_bytes(orientation=6), content_type="image/heic")
    return client.post(f"/api/v1/proposals/{proposal.pk}/photos/", {"image": image}, format="multipart")


def test_photo_and_thumbnails_go_to_the_bucket_with_signed_urls(bucket, s3_endpoint, as_resident, resident):  # noqa: F811
    name = bucket()
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)

    response = _upload(as_resident, proposal)

    assert response.status_code == 201, response.json()
    photo = ProposalPhoto.objects.get(proposal=proposal)
    assert object_names(s3_endpoint, name) == sorted(
        [photo.image.name, photo.thumbnail_large.name, photo.thumbnail_small.name]
    )
    for field in ("image", "thumbnail_large", "thumbnail_small"):
        url = response.json()[field]
        assert url.startswith(f"{s3_endpoint}/{name}/proposals/")
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["3600"] and "X-Amz-Signature" in query
        with urllib.request.urlopen(url, timeout=5) as served:  # noqa: S310 - the test's own server
            assert_metadata_free(served.read())


def test_public_urls_carry_no_signature(bucket, s3_endpoint, as_resident, resident):  # noqa: F811
    name = bucket(MEDIA_URLS="public")
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)

    url = _upload(as_resident, proposal).json()["image"]

    assert url.startswith(f"{s3_endpoint}/{name}/proposals/") and urlsplit(url).query == ""


def test_a_failed_write_leaves_no_object(bucket, s3_endpoint, as_resident, resident, monkeypatch):  # noqa: F811
    name = bucket()
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)

    def broken_insert(*args, **kwargs):
        raise RuntimeError("the row could not be written")

    # After the three files were stored: the unit of work fails and must take them back.
    monkeypatch.setattr(ProposalPhoto.objects, "create", broken_insert)
    as_resident.raise_request_exception = False
    response = _upload(as_resident, proposal)

    assert response.status_code == 500
    assert object_names(s3_endpoint, name) == []
    assert not ProposalPhoto.objects.exists()


def test_a_refused_photo_never_reaches_the_bucket(bucket, s3_endpoint, as_resident, resident):  # noqa: F811
    name = bucket()
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    image = SimpleUploadedFile("photo.gif", b"GIF89a not really", content_type="image/gif")

    response = as_resident.post(f"/api/v1/proposals/{proposal.pk}/photos/", {"image": image}, format="multipart")

    assert response.json()["code"] == "image_unsupported_format"
    assert object_names(s3_endpoint, name) == []


def test_a_cleanup_that_cannot_delete_logs_the_name_and_keeps_the_real_error(monkeypatch, caplog):
    from django.core.files.storage import default_storage

    from aspirasi.services.files import files_cleaned_on_failure, track_written

    def unreachable(name):
        raise ConnectionError("the object store is unreachable")

    monkeypatch.setattr(default_storage, "delete", unreachable)
    with pytest.raises(ValueError, match="the real error"), files_cleaned_on_failure():
        track_written("proposals/2026/12/a.jpg", "proposals/2026/12/a_l.jpg")
        raise ValueError("the real error")

    assert [record.args for record in caplog.records] == [("proposals/2026/12/a.jpg",), ("proposals/2026/12/a_l.jpg",)]
