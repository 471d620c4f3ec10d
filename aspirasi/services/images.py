"""The photo pipeline: check an upload's real content, re-encode it without metadata, store it.

`process_image` is pure (bytes in, bytes out): it refuses anything but a still JPEG, PNG, WebP or HEIC
photo with a stable code (`InvalidImage`), reads the EXIF GPS point, applies the EXIF orientation and
returns a metadata-free JPEG capped at 2048 px plus two thumbnails. `image_store` writes them through
`default_storage` and registers them with `track_written`, so a failed unit of work removes them.
See docs/images.md for the limits and the measured cost.
"""

import contextlib
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from aspirasi.errors import InvalidImage
from aspirasi.services.files import track_written

pillow_heif.register_heif_opener()  # iPhones upload HEIC
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated upload is refused, never half-decoded

IMAGE_LONG_SIDE = 2048
THUMBNAIL_LARGE_SIDE = 1280
THUMBNAIL_SMALL_SIDE = 320
JPEG_QUALITY = 85
# Accepted content, as Pillow detects it (never the file name or declared type). MPO is how Pillow names
# the multi-picture JPEGs many phones write; HEIF covers .heic. GIF is opened only to tell an animation.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})
_OPENED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF", "GIF")  # the JPEG opener also yields MPO
_ANIMATABLE_FORMATS = frozenset({"PNG", "WEBP", "GIF"})
_GPS_IFD = 0x8825

IMAGE_ERROR_MESSAGES = {
    "image_too_large": _("The photo is too large. Send a photo of at most %(megabytes)s MB."),
    "image_too_many_pixels": _("The photo has too many pixels. Send a photo of at most %(megapixels)s megapixels."),
    "image_corrupt": _("The photo is damaged or incomplete. Take or choose it again."),
    "image_unsupported_format": _("Send a photo in JPEG, PNG, WebP or HEIC format."),
    "image_animated": _("Animated images are not accepted. Send a still photo."),
}


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded photo: three metadata-free JPEGs and the GPS point read from its EXIF, if any."""

    image: bytes
    thumbnail_large: bytes
    thumbnail_small: bytes
    width: int
    height: int
    gps: tuple[Decimal, Decimal] | None


@dataclass(frozen=True)
class StoredImage:
    """Names in default_storage of a stored photo and its thumbnails."""

    image: str
    thumbnail_large: str
    thumbnail_small: str
    width: int
    height: int


def refuse(code: str) -> InvalidImage:
    """The InvalidImage error for `code`, with its translated message."""
    params = {
        "megabytes": f"{settings.IMAGE_MAX_BYTES / (1024 * 1024):g}",
        "megapixels": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}",
    }
    return InvalidImage(code, IMAGE_ERROR_MESSAGES[code] % params)


def _file_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    return size


def _open(file: IO[bytes]) -> Image.Image:
    """Open and identify `file` from its header only; nothing is decoded yet."""
    file.seek(0)
    try:
        image = Image.open(file, formats=_OPENED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard (the warning is raised when warnings are errors, e.g. under -W error).
        raise refuse("image_too_many_pixels") from None
    except UnidentifiedImageError:
        raise refuse("image_unsupported_format") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise refuse("image_corrupt") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise refuse("image_corrupt")
    # Checked from the header, before any pixel is decoded: a 20000x20000 PNG compresses to a few KB.
    # Pillow's own threshold counts too: what it merely warns about (DecompressionBombWarning) is refused
    # here, without touching the process-wide, thread-unsafe warnings filters.
    limit = min(settings.IMAGE_MAX_PIXELS, Image.MAX_IMAGE_PIXELS or settings.IMAGE_MAX_PIXELS)
    if width * height > limit:
        raise refuse("image_too_many_pixels")
    if image.format in _ANIMATABLE_FORMATS and getattr(image, "is_animated", False):
        raise refuse("image_animated")
    if image.format not in ACCEPTED_FORMATS:
        raise refuse("image_unsupported_format")
    return image


def _rational(value) -> Decimal:
    """A finite, non-negative EXIF rational; ValueError otherwise (the sign is in the ref, and Pillow
    reads a zero denominator as NaN)."""
    if isinstance(value, tuple) and len(value) == 2:  # (numerator, denominator) from some writers
        number = Decimal(value[0]) / Decimal(value[1])
    else:
        number = Decimal(str(float(value)))
    if not number.is_finite() or number < 0:
        raise ValueError(value)
    return number


def _coordinate(gps: dict, *, ref_tag: int, value_tag: int, refs: str, limit: int) -> Decimal:
    """One coordinate in decimal degrees (6 places) from its degrees/minutes/seconds and ref (`refs`:
    positive then negative, "NS" or "EW"); ValueError or KeyError when missing or malformed."""
    ref = gps[ref_tag]  # without its ref the hemisphere is unknown
    ref = ref.decode("ascii", "ignore") if isinstance(ref, bytes) else str(ref)
    ref = ref.strip().upper()
    if len(ref) != 1 or ref not in refs:
        raise ValueError(ref)
    degrees, minutes, seconds = (_rational(part) for part in gps[value_tag])
    value = (degrees + minutes / 60 + seconds / 3600).quantize(Decimal("0.000001"))
    if value > limit:
        raise ValueError(value)
    return -value if ref == refs[1] else value


def gps_from_exif(exif: Image.Exif) -> tuple[Decimal, Decimal] | None:
    """The EXIF GPS point as decimal degrees (6 places), or None when absent or malformed."""
    try:
        gps = exif.get_ifd(_GPS_IFD)
        if not gps:
            return None
        latitude = _coordinate(gps, ref_tag=1, value_tag=2, refs="NS", limit=90)
        longitude = _coordinate(gps, ref_tag=3, value_tag=4, refs="EW", limit=180)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        # ArithmeticError: ZeroDivisionError and every decimal signal (InvalidOperation, Overflow...).
        return None
    return latitude, longitude


def _decode(image: Image.Image) -> Image.Image:
    """Decode fully; a JPEG much larger than the output decodes at 1/2, 1/4 or 1/8 scale (draft)."""
    if image.format in {"JPEG", "MPO"}:
        width, height = image.size
        for scale in (8, 4, 2):
            # Only while the reduced photo still fills the 2048 px cap (within 10%): no visible loss.
            if max(width, height) // scale >= min(max(width, height), IMAGE_LONG_SIDE) * 0.9:
                image.draft("RGB", (width // scale, height // scale))
                break
    try:
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("image_too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError):
        raise refuse("image_corrupt") from None
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency is flattened on white, other modes (CMYK, L, P, 16-bit) converted."""
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        return image.point(lambda value: value / 256).convert("L").convert("RGB")
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif/icc_profile/comment arguments: the re-encoded file carries no metadata at all.
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, progressive=False, optimize=False)
    return buffer.getvalue()


def _fitted(image: Image.Image, side: int) -> Image.Image:
    """`image` shrunk to fit a side x side box (never enlarged), using Pillow's reducing fast path."""
    if max(image.size) <= side:
        return image
    copy = image.copy()
    # Bicubic: on this machine 40% cheaper than Lanczos for a visually equal phone-sized result.
    copy.thumbnail((side, side), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return copy


def process_image(file: IO[bytes]) -> ProcessedImage:
    """Check and re-encode an uploaded photo. Pure: raises InvalidImage with a stable code, writes nothing."""
    if _file_size(file) > settings.IMAGE_MAX_BYTES:
        raise refuse("image_too_large")
    image = _open(file)
    try:
        exif = image.getexif()
        gps = gps_from_exif(exif)
        image = _decode(image)
        # HEIF is already upright (pillow-heif applies the orientation); the others carry the tag.
        # A malformed orientation tag keeps the photo as decoded rather than refusing it.
        with contextlib.suppress(OSError, SyntaxError, ValueError, KeyError, TypeError):
            ImageOps.exif_transpose(image, in_place=True)
        rgb = _to_rgb(image)
        rgb.info = {}
        stored = _fitted(rgb, IMAGE_LONG_SIDE)
        large = _fitted(stored, THUMBNAIL_LARGE_SIDE)
        small = _fitted(large, THUMBNAIL_SMALL_SIDE)
        return ProcessedImage(
            image=_jpeg(stored),
            thumbnail_large=_jpeg(large),
            thumbnail_small=_jpeg(small),
            width=stored.width,
            height=stored.height,
            gps=gps,
        )
    finally:
        image.close()


def image_store(*, processed: ProcessedImage, folder: str) -> StoredImage:
    """Write a processed photo and its thumbnails under `folder/YYYY/MM/` in default_storage; each file is
    registered with track_written so a failing surrounding unit of work deletes it."""
    stem = f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    names = {}
    for suffix, content in (
        ("", processed.image),
        ("_l", processed.thumbnail_large),
        ("_s", processed.thumbnail_small),
    ):
        name = default_storage.save(f"{stem}{suffix}.jpg", ContentFile(content))
        track_written(name)
        names[suffix] = name
    return StoredImage(
        image=names[""],
        thumbnail_large=names["_l"],
        thumbnail_small=names["_s"],
        width=processed.width,
        height=processed.height,
    )
