"""Balikpapan's bounding box (WGS84): the one definition every point in the system is checked against."""

from decimal import Decimal

LATITUDE_RANGE = (Decimal("-1.40"), Decimal("-0.95"))
LONGITUDE_RANGE = (Decimal("116.70"), Decimal("117.20"))


def point_in_balikpapan(latitude: float | Decimal, longitude: float | Decimal) -> bool:
    """True when the point lies inside the city's rough bounds (roughly: latitude -1.40..-0.95,
    longitude 116.70..117.20); NaN and infinities are outside."""
    try:
        latitude, longitude = Decimal(str(latitude)), Decimal(str(longitude))
    except ArithmeticError:
        return False
    if not (latitude.is_finite() and longitude.is_finite()):
        return False
    return LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1] and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
