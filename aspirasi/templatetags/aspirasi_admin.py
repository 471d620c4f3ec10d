"""Template helpers of the admin pages: rupiah amounts, the map of a point, who sees a page's link.

`rupiah` is the one formatter of money in the project: the admin (change pages, lists, planning) writes it
Indonesian style in either language, `Rp 1.250.000`, because that is how the city writes its budgets; the API's
texts (the shortlist's reasons, selectors/shortlist.py) call it with `english=` to follow the request's language.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings

from aspirasi import policies
from aspirasi.geo import LATITUDE_RANGE, LONGITUDE_RANGE

register = template.Library()


@register.filter
def rupiah(value, *, english: bool = False) -> str:
    """`Rp 1.250.000` (a no-break space after Rp, dots between thousands, whole rupiah; with `english`, commas:
    `Rp 1,250,000`); '-' for no amount."""
    if value is None or value == "":
        return "-"
    if isinstance(value, int):  # most amounts (pagu, costs): no Decimal (the shortlist writes 100,000 of them)
        amount = value
    else:
        try:
            amount = int(Decimal(str(value)).quantize(Decimal(1)))
        except (InvalidOperation, ValueError):
            return "-"
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    return f"{sign}Rp\u00a0{digits if english else digits.replace(',', '.')}"


@register.inclusion_tag("aspirasi/admin/map.html")
def admin_map(*, latitude, longitude, label: str, place: str = "") -> dict:
    """A map of one point (aspirasi/static/aspirasi/admin/map.js), its coordinates and `place` as text too.

    Tiles only when settings.MAP_TILE_URL is set; without them the point shows inside the city's outline.
    """
    return {
        "latitude": None if latitude is None else f"{Decimal(latitude):.6f}",
        "longitude": None if longitude is None else f"{Decimal(longitude):.6f}",
        "label": label,
        "place": place,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "bounds": f"{LATITUDE_RANGE[0]},{LONGITUDE_RANGE[0]},{LATITUDE_RANGE[1]},{LONGITUDE_RANGE[1]}",
    }


@register.filter
def may_read_sla_report(user) -> bool:
    """Whether the admin index links the SLA report (the page asks the same policy)."""
    return policies.can_read_sla_report(user)
