"""POST /api/v1/reports/: a photo report with its location, stored clean, all or nothing."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aspirasi.models import Report, ReportStatus
from aspirasi.services import reports as report_services
from realtime import events
from tests.aspirasi.test_images import MANGGAR_GPS, MANGGAR_POINT, assert_metadata_free, photo_bytes
from tests.factories import category, kelurahan

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"


def _upload(data: bytes | None = None, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else photo_bytes(), content_type="image/jpeg")


def _form(**fields) -> dict:
    form = {"description": "Jalan berlubang di depan SD", "category": category().pk, "image": _upload()}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_resident_sends_a_report_stored_without_metadata(as_resident, resident):
    response = as_resident.post(URL, _form(kelurahan=kelurahan("teritip").pk), format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert report.author == resident and report.status == ReportStatus.NEW
    assert body["kelurahan"]["slug"] == "teritip" and body["location_source"] == "kelurahan"
    assert body["image"].startswith("http") and body["thumbnail_small"] and body["thumbnail_large"]
    files = _stored_files()
    assert len(files) == 3
    for path in files:
        assert_metadata_free(path.read_bytes())


def test_exif_gps_is_the_location_when_no_point_is_given(as_resident):
    photo = _upload(photo_bytes(gps=MANGGAR_GPS))

    response = as_resident.post(URL, _form(image=photo), format="multipart")

    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert (report.latitude, report.longitude) == MANGGAR_POINT
    assert report.location_source == "exif"
    assert report.kelurahan.slug == "manggar"  # the resident's own kelurahan: no polygons to place a point


def test_a_given_point_wins_and_nothing_is_derived_from_exif(as_resident):
    photo = _upload(photo_bytes(gps=MANGGAR_GPS))

    response = as_resident.post(
        URL, _form(image=photo, latitude="-1.2654321987", longitude="116.8312"), format="multipart"
    )

    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert (report.latitude, report.longitude) == (Decimal("-1.265432"), Decimal("116.831200"))
    assert report.location_source == "given"
    assert response.json()["latitude"] == pytest.approx(-1.265432)


def test_exif_gps_outside_balikpapan_is_ignored(as_resident):
    jakarta = {1: "S", 2: (6.0, 12.0, 0.0), 3: "E", 4: (106.0, 49.0, 0.0)}

    response = as_resident.post(
        URL, _form(image=_upload(photo_bytes(gps=jakarta)), kelurahan=kelurahan().pk), format="multipart"
    )

    assert response.status_code == 201
    assert Report.objects.get().location_source == "kelurahan"
    assert response.json()["latitude"] is None


def test_kelurahan_is_required_without_any_location_and_nothing_is_stored(as_resident):
    response = as_resident.post(URL, _form(), format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "kelurahan_required"
    assert "kelurahan" in response.json()["fields"]
    assert not Report.objects.exists() and _stored_files() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"latitude": "-2.5", "longitude": "116.9"}, "latitude"),
        ({"latitude": "-1.2", "longitude": "118.0"}, "longitude"),
        ({"latitude": "-1.2"}, "longitude"),
        ({"latitude": "NaN", "longitude": "116.9"}, "latitude"),
    ],
)
def test_bad_points_are_field_errors(as_resident, fields, field):
    response = as_resident.post(URL, _form(**fields), format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not an image at all", "image_unsupported_format"),
        (photo_bytes(size=(256, 256))[:400], "image_corrupt"),
        (b"", "image_unsupported_format"),
    ],
)
def test_bad_photos_get_their_code_and_leave_nothing(as_resident, data, code):
    response = as_resident.post(URL, _form(image=_upload(data), kelurahan=kelurahan().pk), format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Report.objects.exists() and _stored_files() == []


def test_oversized_photo_is_too_large(as_resident, settings):
    settings.IMAGE_MAX_BYTES = 100

    response = as_resident.post(URL, _form(kelurahan=kelurahan().pk), format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"


def test_failure_after_the_files_are_written_removes_them(resident, monkeypatch):
    def broken_publish(*args, **kwargs):
        raise RuntimeError("channel layer exploded")

    monkeypatch.setattr(report_services.events, "publish", broken_publish)

    with pytest.raises(RuntimeError):
        report_services.report_create(
            author=resident, image=_upload(), description="Banjir", category=category(), kelurahan=kelurahan()
        )

    assert not Report.objects.exists()
    assert _stored_files() == []


def test_anonymous_cannot_send(api):
    response = api.post(URL, _form(kelurahan=kelurahan().pk), format="multipart")

    assert response.status_code == 401


def test_idempotent_retry_creates_one_report(as_resident):
    form = {"description": "Lampu jalan mati", "category": category().pk, "kelurahan": kelurahan().pk}
    photo = photo_bytes()

    first = as_resident.post(URL, {**form, "image": _upload(photo)}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = as_resident.post(URL, {**form, "image": _upload(photo)}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert Report.objects.count() == 1
    assert len(_stored_files()) == 3


def test_creating_publishes_report_submitted_to_the_area_after_commit(
    as_resident, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(events, "send_now", lambda groups, message: sent.append((groups, message)))

    with django_capture_on_commit_callbacks(execute=True):
        response = as_resident.post(URL, _form(kelurahan=kelurahan().pk), format="multipart")

    assert response.status_code == 201
    [(groups, message)] = sent
    assert groups == events.moderation_groups(kelurahan().pk)
    assert message["type"] == events.REPORT_SUBMITTED
    assert message["payload"]["report_id"] == response.json()["id"]
    assert message["payload"]["status"] == "new"


def test_orientation_is_applied_to_the_stored_photo(as_resident):
    photo = _upload(photo_bytes(size=(64, 48), orientation=6))

    response = as_resident.post(URL, _form(image=photo, kelurahan=kelurahan().pk), format="multipart")

    report = Report.objects.get(pk=response.json()["id"])
    assert (report.width, report.height) == (48, 64)
    with report.image.open("rb") as stored:
        assert Image.open(stored).size == (48, 64)
