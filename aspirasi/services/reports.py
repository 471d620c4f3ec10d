"""Creating photo reports (laporan). Status changes live in services/status.py, not here."""

from decimal import ROUND_HALF_EVEN, Decimal
from typing import IO

from django.db import transaction
from django.utils import timezone

from aspirasi import policies
from aspirasi.errors import KelurahanRequired, PhoneNotVerified
from aspirasi.geo import point_in_balikpapan
from aspirasi.models import Category, Kelurahan, Report, User
from aspirasi.services import dispositions, images
from aspirasi.services.files import files_cleaned_on_failure
from aspirasi.services.status import report_payload
from realtime import events

# A point outside Balikpapan (aspirasi.geo) is refused as input and ignored when read from EXIF
# (a photo taken elsewhere, or a phone with a stale fix).
_MICRODEGREE = Decimal("0.000001")


def _report_location(
    *,
    author: User | None,
    kelurahan: Kelurahan | None,
    kelurahan_guessed: bool = False,
    point: tuple[Decimal, Decimal] | None,
    exif_point: tuple[Decimal, Decimal] | None,
) -> tuple[Kelurahan, bool, Decimal | None, Decimal | None, str]:
    """Where the report is: a given point wins over EXIF GPS; without a point the kelurahan is required.
    Returns (kelurahan, confirmed, latitude, longitude, source).

    A chosen kelurahan is confirmed. A point without one cannot be placed (we ship no kelurahan boundaries
    nor centroids: docs/api.md), so the report goes to the author's home kelurahan, the only hint we have
    of its kecamatan, marked unconfirmed: its moderators confirm or relocate it, never silently."""
    if point is None and exif_point is not None and point_in_balikpapan(*exif_point):
        point, source = exif_point, Report.LocationSource.EXIF
    elif point is not None:
        source = Report.LocationSource.GIVEN
    else:
        source = Report.LocationSource.KELURAHAN
    confirmed = kelurahan is not None and not kelurahan_guessed
    if kelurahan is None and point is not None and author is not None and author.kelurahan_id is not None:
        kelurahan = author.kelurahan
    if kelurahan is None:
        raise KelurahanRequired(
            fields={"kelurahan": [{"code": "required", "message": str(KelurahanRequired.default_message)}]}
        )
    latitude, longitude = point if point is not None else (None, None)
    return kelurahan, confirmed, latitude, longitude, source


def _quantized_point(latitude, longitude) -> tuple[Decimal, Decimal] | None:
    """The given point at the stored precision; ValueError if it is half given or outside Balikpapan."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise ValueError("Give both latitude and longitude, or neither")
    point = (
        Decimal(latitude).quantize(_MICRODEGREE, rounding=ROUND_HALF_EVEN),
        Decimal(longitude).quantize(_MICRODEGREE, rounding=ROUND_HALF_EVEN),
    )
    if not point_in_balikpapan(*point):
        raise ValueError("The point is outside Balikpapan")
    return point


@files_cleaned_on_failure()
@transaction.atomic
def report_create(
    *,
    author: User | None,
    image: IO[bytes] | None,
    description: str,
    category: Category,
    kelurahan: Kelurahan | None = None,
    kelurahan_guessed: bool = False,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    origin: str = Report.Origin.APP,
) -> Report:
    """Create a `new` photo report from an uploaded photo: stores the re-encoded photo and thumbnails
    (removed again if anything fails) and publishes `report.submitted` to the area's moderators after commit.
    Raises PhoneNotVerified for a resident whose phone is not verified (staff report as before), InvalidImage,
    KelurahanRequired, or ValueError for a point outside Balikpapan. Only an Open311 request (no author, no
    photo: open311/services.py) may come without a photo. `kelurahan_guessed`: the kelurahan is a guess (an
    Open311 address naming it), filed unconfirmed for its moderators to confirm or relocate."""
    if author is not None and policies.is_resident(author) and not policies.is_verified_resident(author):
        raise PhoneNotVerified()  # before the photo is decoded: a refusal costs no work
    if image is None and origin != Report.Origin.OPEN311:
        raise ValueError("A report from the app needs a photo")
    point = _quantized_point(latitude, longitude)
    processed = images.process_image(image) if image is not None else None
    kelurahan, confirmed, latitude, longitude, source = _report_location(
        author=author,
        kelurahan=kelurahan,
        kelurahan_guessed=kelurahan_guessed,
        point=point,
        exif_point=processed.gps if processed else None,
    )
    photo = {}
    if processed is not None:
        stored = images.image_store(processed=processed, folder="reports")
        photo = {
            "width": stored.width,
            "height": stored.height,
            "image": stored.image,
            "thumbnail_small": stored.thumbnail_small,
            "thumbnail_large": stored.thumbnail_large,
        }
    report = Report.objects.create(
        author=author,
        description=description,
        category=category,
        kelurahan=kelurahan,
        kelurahan_confirmed=confirmed,
        latitude=latitude,
        longitude=longitude,
        location_source=source,
        origin=origin,
        **photo,
        # The verification deadline starts now (docs/sla.md).
        **dispositions.report_submitted_clock(created_at=timezone.now()),
    )
    events.publish(
        events.REPORT_SUBMITTED, groups=events.moderation_groups(report.kelurahan_id), payload=report_payload(report)
    )
    return report
