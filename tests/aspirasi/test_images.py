"""The photo pipeline on a corpus generated here with Pillow: what it accepts, refuses, strips and keeps."""

import io
import struct
import time
import zlib
from decimal import Decimal

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from aspirasi.errors import InvalidImage
from aspirasi.services import images

# Manggar, Balikpapan Timur: 1°13'30"S, 116°58'12"E
MANGGAR_GPS = {1: "S", 2: (1.0, 13.0, 30.0), 3: "E", 4: (116.0, 58.0, 12.0)}
MANGGAR_POINT = (Decimal("-1.225000"), Decimal("116.970000"))
_LATITUDE, _LONGITUDE = MANGGAR_GPS[2], MANGGAR_GPS[4]

# GPS blocks a photo may carry that give no point: each must be ignored, the photo accepted. Pillow writes
# each as a real EXIF GPS IFD (0x8825); a zero denominator reads back as NaN.
MALFORMED_GPS = {
    "zero_denominators": {1: "S", 2: (IFDRational(1, 0), IFDRational(0, 0), IFDRational(0, 0)), 3: "E", 4: _LONGITUDE},
    "zero_denominator_in_longitude": {1: "S", 2: _LATITUDE, 3: "E", 4: (116.0, IFDRational(58, 0), 12.0)},
    "not_a_number": {1: "S", 2: (IFDRational(0, 0), 13.0, 30.0), 3: "E", 4: _LONGITUDE},
    "infinite": {1: "S", 2: _LATITUDE, 3: "E", 4: (float("inf"), 58.0, 12.0)},
    "no_refs": {2: _LATITUDE, 4: _LONGITUDE},
    "no_longitude_ref": {1: "S", 2: _LATITUDE, 4: _LONGITUDE},
    "unknown_ref": {1: "X", 2: _LATITUDE, 3: "E", 4: _LONGITUDE},
    "ref_spelled_out": {1: "SOUTH", 2: _LATITUDE, 3: "E", 4: _LONGITUDE},
    "two_parts": {1: "S", 2: (1.0, 0.0), 3: "E", 4: _LONGITUDE},
    "four_parts": {1: "S", 2: (*_LATITUDE, 1.0), 3: "E", 4: _LONGITUDE},
    "one_number": {1: "S", 2: 1.225, 3: "E", 4: _LONGITUDE},
    "latitude_only": {1: "S", 2: _LATITUDE},
    "latitude_past_90": {1: "S", 2: (200.0, 0.0, 0.0), 3: "E", 4: _LONGITUDE},
    "longitude_past_180": {1: "S", 2: _LATITUDE, 3: "E", 4: (400.0, 0.0, 0.0)},
    "largest_rationals": {1: "S", 2: (4294967295.0,) * 3, 3: "E", 4: (4294967295.0,) * 3},
}


def photo_bytes(
    fmt: str = "JPEG", size=(64, 48), *, orientation: int | None = None, gps: dict | None = None, mode: str = "RGB"
) -> bytes:
    """A small real photo, optionally with EXIF orientation, GPS, a comment and an ICC profile."""
    image = Image.new(mode, size, (200, 80, 40) if mode == "RGB" else (200, 80, 40, 0))
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"  # Make
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = gps
    extra = {"exif": exif.tobytes()}
    if fmt == "JPEG":
        extra.update(comment=b"secret comment", icc_profile=b"\0" * 128)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **extra)
    return buffer.getvalue()


def animated_bytes(fmt: str) -> bytes:
    frames = [Image.new("RGB", (16, 16), color) for color in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def png_bomb_bytes(side: int = 20000) -> bytes:
    """A valid 1-bit PNG declaring side x side pixels; it compresses to a few kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" + b"\0" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def twelve_megapixel_jpeg() -> bytes:
    """A 4000x3000 phone-like JPEG (gradients and noise, so it compresses like a real photo)."""
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 24)
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=_exif_with(orientation=6, gps=MANGGAR_GPS))
    return buffer.getvalue()


def _exif_with(**tags) -> bytes:
    exif = Image.Exif()
    if tags.get("orientation"):
        exif[0x0112] = tags["orientation"]
    if tags.get("gps"):
        exif[0x8825] = tags["gps"]
    return exif.tobytes()


def assert_metadata_free(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    assert not {"exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"} & set(image.info)
    return image


def _refusal(data: bytes) -> str:
    with pytest.raises(InvalidImage) as caught:
        images.process_image(io.BytesIO(data))
    assert str(caught.value.message)
    return caught.value.code


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_are_reencoded_without_any_metadata(fmt):
    processed = images.process_image(io.BytesIO(photo_bytes(fmt, gps=MANGGAR_GPS)))

    for data in (processed.image, processed.thumbnail_large, processed.thumbnail_small):
        assert_metadata_free(data)
    assert (processed.width, processed.height) == (64, 48)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_gps_is_read_as_decimal_degrees(fmt):
    processed = images.process_image(io.BytesIO(photo_bytes(fmt, gps=MANGGAR_GPS)))

    assert processed.gps == MANGGAR_POINT


def test_photo_without_gps_has_no_point():
    assert images.process_image(io.BytesIO(photo_bytes())).gps is None


@pytest.mark.parametrize("gps", MALFORMED_GPS.values(), ids=MALFORMED_GPS.keys())
def test_malformed_gps_is_ignored_not_fatal(gps):
    processed = images.process_image(io.BytesIO(photo_bytes(gps=gps)))

    assert processed.gps is None
    assert (processed.width, processed.height) == (64, 48)


def test_negative_gps_parts_are_malformed():
    # The ref holds the sign; Pillow writes GPS rationals unsigned, but a writer may store signed ones
    # (type 10): the latitude's entry is retyped so its degrees read back as -1.
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (4294967295.0, 13.0, 30.0), 3: "E", 4: _LONGITUDE}
    unsigned = b"\x00\x02\x00\x05\x00\x00\x00\x03"  # GPSLatitude, RATIONAL x 3 (big-endian)
    raw = exif.tobytes().replace(unsigned, b"\x00\x02\x00\x0a\x00\x00\x00\x03", 1)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buffer, "JPEG", exif=raw)
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(0x8825)[2][0] == -1

    assert images.process_image(io.BytesIO(buffer.getvalue())).gps is None


def test_refs_are_read_in_any_case_and_as_bytes():
    gps = {1: b"s", 2: _LATITUDE, 3: "e ", 4: _LONGITUDE}

    assert images.process_image(io.BytesIO(photo_bytes(gps=gps))).gps == MANGGAR_POINT


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_orientation_6_is_applied_so_dimensions_swap(fmt):
    processed = images.process_image(io.BytesIO(photo_bytes(fmt, size=(64, 48), orientation=6)))

    stored = assert_metadata_free(processed.image)
    assert stored.size == (48, 64)
    assert (processed.width, processed.height) == (48, 64)


def test_heic_from_an_iphone_is_accepted_upright_with_gps():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "HEIF", exif=_exif_with(orientation=6, gps=MANGGAR_GPS))

    processed = images.process_image(io.BytesIO(buffer.getvalue()))

    assert assert_metadata_free(processed.image).size == (48, 64)
    assert processed.gps == MANGGAR_POINT


def test_png_with_alpha_is_flattened_on_white():
    processed = images.process_image(io.BytesIO(photo_bytes("PNG", mode="RGBA")))

    pixel = Image.open(io.BytesIO(processed.image)).getpixel((10, 10))
    assert all(channel >= 250 for channel in pixel)


def test_large_photo_is_capped_at_2048_with_thumbnails_1280_and_320():
    processed = images.process_image(io.BytesIO(photo_bytes("PNG", size=(3000, 1000))))

    assert max(Image.open(io.BytesIO(processed.image)).size) == 2048
    assert max(Image.open(io.BytesIO(processed.thumbnail_large)).size) == 1280
    assert max(Image.open(io.BytesIO(processed.thumbnail_small)).size) == 320


def test_twelve_megapixel_jpeg_decodes_at_reduced_scale_fast():
    photo = twelve_megapixel_jpeg()

    started = time.perf_counter()
    processed = images.process_image(io.BytesIO(photo))
    elapsed = time.perf_counter() - started

    # draft() decodes at 1/2 scale: 2000x1500, then rotated by orientation 6.
    assert (processed.width, processed.height) == (1500, 2000)
    assert processed.gps == MANGGAR_POINT
    assert elapsed < 3.0  # measured ~0.3 s; generous for a shared 2-core machine


def test_text_file_named_jpg_is_unsupported():
    assert _refusal(b"this is not a photo, just text named photo.jpg\n" * 10) == "image_unsupported_format"


def test_empty_file_is_unsupported():
    assert _refusal(b"") == "image_unsupported_format"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_still_images_in_other_formats_are_unsupported(fmt):
    assert _refusal(photo_bytes(fmt) if fmt != "GIF" else _still_gif()) == "image_unsupported_format"


def _still_gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animations_are_refused(fmt):
    assert _refusal(animated_bytes(fmt)) == "image_animated"


def test_truncated_jpeg_is_corrupt():
    photo = photo_bytes(size=(256, 256))

    assert _refusal(photo[: len(photo) // 2]) == "image_corrupt"


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_bomb_bytes()
    assert len(bomb) < 100_000  # 400 megapixels in a few kilobytes

    started = time.perf_counter()
    assert _refusal(bomb) == "image_too_many_pixels"
    assert time.perf_counter() - started < 1.0


def test_pixel_limit_follows_settings(settings):
    settings.IMAGE_MAX_PIXELS = 64 * 47

    assert _refusal(photo_bytes(size=(64, 48))) == "image_too_many_pixels"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    ("pillow_limit", "what_pillow_does"),
    [(1000, "DecompressionBombError: 3072 px > 2 x 1000"), (2000, "DecompressionBombWarning: 3072 px > 2000")],
)
def test_pillow_bomb_error_and_warning_are_refused_too(settings, monkeypatch, pillow_limit, what_pillow_does):
    settings.IMAGE_MAX_PIXELS = 10**12  # our own limit out of the way: Pillow's guard must answer
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)

    assert _refusal(photo_bytes(size=(64, 48))) == "image_too_many_pixels", what_pillow_does


def test_file_over_the_byte_limit_is_too_large(settings):
    photo = photo_bytes()
    settings.IMAGE_MAX_BYTES = len(photo) - 1

    assert _refusal(photo) == "image_too_large"


def test_refusal_message_names_the_limit(settings):
    settings.IMAGE_MAX_BYTES = 5 * 1024 * 1024

    assert "5 MB" in str(images.refuse("image_too_large").message)
