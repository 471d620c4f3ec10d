"""Reads of Open311: the services (report categories), the public requests, a key by its value."""

import re
from datetime import datetime

from django.db.models import QuerySet

from aspirasi.models import Category, Kelurahan, Report, ReportStatus
from aspirasi.selectors.reports import reports_public
from open311.models import ApiKey, ServiceRequest
from open311.services import key_digest

# Open311 knows two statuses; a report is public (so listed) only once verified.
OPEN_STATUSES = (ReportStatus.VERIFIED, ReportStatus.LINKED)
CLOSED_STATUSES = (ReportStatus.RESOLVED,)
REQUESTS_MAX = 1000  # the spec's default limit, with a span of 90 days (views.py)


def active_api_key(raw: str) -> ApiKey | None:
    """The unrevoked key with this value, or None."""
    return ApiKey.objects.filter(digest=key_digest(raw), revoked_at__isnull=True).first()


def services() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("order", "slug")


def kelurahan_values() -> QuerySet[Kelurahan]:
    """The values of the `kelurahan` attribute: all 34, by kecamatan."""
    return Kelurahan.objects.select_related("kecamatan").order_by("kecamatan__code", "name")


def _named(text: str, names: list[str]) -> list[str]:
    """The names that occur in `text` as whole words, leaving out one inside a longer match (Manggar in
    "Manggar Baru")."""
    found = [name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)]
    return [name for name in found if not any(name != other and name.lower() in other.lower() for other in found)]


def kelurahan_named_in(address: str) -> Kelurahan | None:
    """The kelurahan an address most likely lies in, from the names it contains (we ship no boundaries and
    geocode nothing): the one kelurahan it names, else the first kelurahan of the one kecamatan it names
    (whose moderators then confirm or relocate it); None when it names neither, or several."""
    if not address:
        return None
    areas = list(kelurahan_values())
    kelurahan = _named(address, [k.name for k in areas])
    if len(kelurahan) == 1:
        return next(k for k in areas if k.name == kelurahan[0])
    if kelurahan:
        return None
    kecamatan = _named(address, sorted({k.kecamatan.name for k in areas}))
    if len(kecamatan) == 1:
        return min((k for k in areas if k.kecamatan.name == kecamatan[0]), key=lambda k: k.name)
    return None


def requests_public(
    *,
    ids: list[int] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Report]:
    """Public reports as Open311 requests, newest first, at most REQUESTS_MAX. `ids` overrides every other
    filter, as the spec says."""
    queryset = reports_public()
    if ids is not None:
        return queryset.filter(pk__in=ids)[:REQUESTS_MAX]
    if service_codes:
        queryset = queryset.filter(category__slug__in=service_codes)
    if start is not None:
        queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lte=end)
    if statuses:
        wanted = [s for name in statuses for s in (OPEN_STATUSES if name == "open" else CLOSED_STATUSES)]
        queryset = queryset.filter(status__in=wanted)
    return queryset[:REQUESTS_MAX]


def request_by_token(token: str) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(token=token).first()
