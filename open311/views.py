"""GeoReport v2 endpoints (docs/open311.md): plain Django views, one per resource, in JSON or XML by the
path's extension. Every error, crafted input included, is the spec's list of {code, description}."""

import ipaddress
import math
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import limits
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from redis.exceptions import RedisError

from aspirasi import policies
from aspirasi.client_address import client_address
from aspirasi.geo import point_in_balikpapan
from aspirasi.models import Category, Kelurahan, Report, ReportStatus
from aspirasi.rate_limits import limiter
from open311 import selectors
from open311.formats import FORMATS, render, render_errors
from open311.models import ServiceRequest
from open311.services import service_request_create

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00+08:00"  # when this endpoint last changed what it answers
DEFAULT_SPAN = timedelta(days=90)
DESCRIPTION_MAX = 2000  # Report.description
ID_MAX_DIGITS = 18  # fits a 64-bit id
_ID = re.compile(rf"[0-9]{{1,{ID_MAX_DIGITS}}}")
_FILER_FIELDS = {"email": 254, "first_name": 120, "last_name": 120, "phone": 40, "device_id": 120, "account_id": 120}


class Open311Error(Exception):
    def __init__(self, status: int, description: str, headers: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.headers = status, description, headers or {}


def _endpoint(methods: tuple[str, ...]):
    """A view answering `methods` in a known format; Open311Error becomes the spec's error document."""

    def decorate(view):
        def wrapped(request, fmt: str, **kwargs):
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, _("Unknown format: use .json or .xml."))
                if any("\x00" in value for value in kwargs.values()):  # no database can look it up
                    raise Open311Error(404, _("Not found."))
                allowed = (*methods, "HEAD") if "GET" in methods else methods
                if request.method not in allowed:
                    raise Open311Error(405, _("Method not allowed."), {"Allow": ", ".join(allowed)})
                try:
                    return view(request, fmt, **kwargs)
                except SuspiciousOperation:  # a body or a form over Django's limits, read by the view
                    raise Open311Error(400, _("The request is too large.")) from None
            except Open311Error as error:
                response = render_errors([(error.status, error.description)], fmt=fmt, status=error.status)
                for name, value in error.headers.items():
                    response[name] = value
                return response

        return csrf_exempt(wrapped)  # an integration posts a form with its api_key, not a browser session

    return decorate


def _param(data, name: str, *, max_length: int = 255) -> str | None:
    """A parameter's value; empty (or only spaces) counts as absent, as the spec's optional fields."""
    value = (data.get(name) or "").strip()
    if not value:
        return None
    if len(value) > max_length:
        raise Open311Error(400, _("%(name)s is too long.") % {"name": name})
    if "\x00" in value:  # no database stores it in text
        raise Open311Error(400, _("%(name)s contains a null character.") % {"name": name})
    return value


def _sla_fields(report: Report):
    """The report's OPD and SLA due date (agency_responsible, expected_datetime)."""
    return report.opd, report.sla_due_at  # the OPD comes with the row (selectors.reports_public)


def _datetime(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _status_notes(report: Report) -> str | None:
    if report.status == ReportStatus.RESOLVED:
        return report.resolution_note or None
    if report.status == ReportStatus.LINKED and report.linked_proposal_id:
        return _("Carried into proposal #%(id)s.") % {"id": report.linked_proposal_id}
    return None


def _request_document(request, report: Report) -> dict:
    opd, due = _sla_fields(report)
    latitude = longitude = None
    if report.latitude is not None:
        latitude, longitude = float(report.latitude), float(report.longitude)
        if not policies.can_see_exact_report_location(None, report):
            latitude, longitude = round(latitude, 3), round(longitude, 3)  # as api/reports.ReportOutput
    kelurahan = report.kelurahan
    return {
        "service_request_id": str(report.pk),
        "status": "closed" if report.status in selectors.CLOSED_STATUSES else "open",
        "status_notes": _status_notes(report),
        "service_name": report.category.name,
        "service_code": report.category.slug,
        "description": report.description,
        "agency_responsible": opd.name if opd is not None else None,
        "service_notice": None,
        "requested_datetime": _datetime(report.created_at),
        "updated_datetime": _datetime(report.updated_at),
        "expected_datetime": _datetime(due),
        # The area, never a filer's own address_string (it may be where they live).
        "address": f"{kelurahan.name}, {kelurahan.kecamatan.name}, Balikpapan",
        "address_id": None,
        "zipcode": None,
        "lat": latitude,
        "long": longitude,
        "media_url": request.build_absolute_uri(report.image.url) if report.image else None,
    }


def _root_url(request) -> str:
    return request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0]


@_endpoint(("GET",))
def discovery(request, fmt):
    document = {
        "changeset": CHANGESET,
        "contact": _("Aspirasi Balikpapan, Pemerintah Kota Balikpapan"),
        "key_service": _("API keys for filing requests are issued by the city's Aspirasi administrators."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": _root_url(request),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(document, root="discovery", fmt=fmt)


def _service_document(category: Category) -> dict:
    english = (get_language() or "id").startswith("en")
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": (category.description_en if english else category.description_id) or None,
        "metadata": True,
        "type": "realtime",
        "keywords": None,
        "group": None,
    }


@_endpoint(("GET",))
def service_list(request, fmt):
    return render([_service_document(c) for c in selectors.services()], root="services", fmt=fmt)


def _service(code: str | None) -> Category:
    if code is None:
        raise Open311Error(400, _("service_code is required."))
    category = selectors.services().filter(slug=code[:60]).first()
    if category is None:
        raise Open311Error(404, _("Unknown service_code."))
    return category


@_endpoint(("GET",))
def service_definition(request, fmt, code):
    category = _service(code)
    values = [{"key": k.slug, "name": f"{k.name} ({k.kecamatan.name})"} for k in selectors.kelurahan_values()]
    document = {
        "service_code": category.slug,
        "attributes": [
            {
                "variable": True,
                "code": "kelurahan",
                "datatype": "singlevaluelist",
                # Optional as the spec's location is: an address_string naming the kelurahan places it too.
                "required": False,
                "datatype_description": _(
                    "The kelurahan where the problem is (its key). Without it, the kelurahan that address_string "
                    "names is taken as a guess for the moderators to confirm."
                ),
                "order": 1,
                "description": _("Kelurahan"),
                "values": values,
            },
            {
                # Not for input (variable false): how this server reads a request's location.
                "variable": False,
                "code": "location_note",
                "datatype": "text",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": _(
                    "Give lat and long, or address_string (street, RT, landmark and kelurahan), or both; "
                    "address_id is not supported. Points outside Balikpapan are refused."
                ),
            },
        ],
    }
    return render(document, root="service_definition", fmt=fmt)


# --- POST requests -------------------------------------------------------------------------------------


def _throttle(scope: str, ident: str, message: str) -> None:
    """Open311Error 429 once `ident` used up the rate of `scope` (DEFAULT_THROTTLE_RATES, counted in the
    same moving windows as the API's throttles); Redis down: not counted, as there."""
    limit = limits.parse(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope])
    try:
        if limiter().hit(limit, scope, ident):
            return
        reset_at, _remaining = limiter().get_window_stats(limit, scope, ident)
    except RedisError:
        return
    wait = max(0, math.ceil(reset_at - time.time()))
    raise Open311Error(429, message, {"Retry-After": str(wait)})


def _coordinate(data, name: str) -> Decimal | None:
    value = _param(data, name, max_length=32)
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s is not a number.") % {"name": name}) from None
    if not number.is_finite():
        raise Open311Error(400, _("%(name)s is not a number.") % {"name": name})
    return number


def _location(data) -> tuple[Decimal | None, Decimal | None, str]:
    """The spec's location: lat and long, or address_string, or address_id (of which we have none)."""
    latitude, longitude = _coordinate(data, "lat"), _coordinate(data, "long")
    address = _param(data, "address_string") or ""
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, _("Give both lat and long, or neither."))
    if latitude is not None and not point_in_balikpapan(latitude, longitude):
        raise Open311Error(400, _("The point is outside Balikpapan."))
    if latitude is None and not address:
        if _param(data, "address_id"):
            raise Open311Error(400, _("address_id is not supported: send lat and long, or address_string."))
        raise Open311Error(400, _("A location is required: lat and long, or address_string."))
    return latitude, longitude, address


def _kelurahan(data, address: str) -> tuple[Kelurahan, bool]:
    """The kelurahan attribute's, confirmed; without it the one the address names, a guess the moderators
    confirm or relocate (the report is "kelurahan unconfirmed"); neither: 400, never a silent default."""
    key = _param(data, "attribute[kelurahan]", max_length=80)
    if key is not None:
        kelurahan = Kelurahan.objects.filter(slug=key).first()
        if kelurahan is None:
            raise Open311Error(400, _("attribute[kelurahan] is not one of the service definition's values."))
        return kelurahan, True
    kelurahan = selectors.kelurahan_named_in(address)
    if kelurahan is None:
        raise Open311Error(
            400, _("attribute[kelurahan] is required unless address_string names one kelurahan or kecamatan.")
        )
    return kelurahan, False


def _filer(data) -> dict[str, str]:
    filer = {name: _param(data, name, max_length=length) or "" for name, length in _FILER_FIELDS.items()}
    if filer["email"]:
        try:
            EmailValidator()(filer["email"])
        except ValidationError:
            raise Open311Error(400, _("email is not an email address.")) from None
    return filer


# Host names that only mean something inside a network (RFC 6761, 6762, 8375 and common practice).
_TOP_LEVEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home", ".home.arpa", ".corp")


def _public_host(host: str) -> bool:
    """A host anyone on the internet could reach: a global IP address, or a dotted name that is not local.
    Nothing is resolved (the server never fetches the URL; the check keeps moderators' and officers'
    browsers from being pointed into a private network)."""
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    host = host.rstrip(".").lower()
    # A name ends in a top-level domain of letters: "127.1" or "0177.0.0.1" are addresses to a browser.
    top = host.rsplit(".", 1)[-1]
    named = "." in host and bool(_TOP_LEVEL.fullmatch(top))
    return named and host != "localhost" and not host.endswith(_LOCAL_SUFFIXES)


def _media_url(data) -> str:
    """The filer's photo link: a public http(s) URL without credentials, kept and shown, never fetched."""
    url = _param(data, "media_url", max_length=1000) or ""
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
            parts = urlsplit(url)
            public = parts.hostname is not None and _public_host(parts.hostname) and parts.username is None
        except (ValidationError, ValueError):
            public = False
        if not public:
            raise Open311Error(400, _("media_url is not a public http(s) URL."))
    return url


def _create(request, fmt):
    data = request.POST
    raw_key = _param(data, "api_key", max_length=200)
    api_key = selectors.active_api_key(raw_key) if raw_key else None
    if api_key is None:
        raise Open311Error(403, _("Invalid or revoked api_key."))
    _throttle("open311", str(api_key.pk), _("Too many requests with this api_key."))
    category = _service(_param(data, "service_code", max_length=60))
    latitude, longitude, address = _location(data)
    kelurahan, confirmed = _kelurahan(data, address)
    description = _param(data, "description", max_length=DESCRIPTION_MAX)
    if description is None:
        raise Open311Error(400, _("description is required."))
    filed = service_request_create(
        api_key=api_key,
        category=category,
        kelurahan=kelurahan,
        kelurahan_confirmed=confirmed,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address_string=address,
        media_url=_media_url(data),
        filer=_filer(data),
    )
    document = [
        {
            "service_request_id": str(filed.report_id),
            "token": filed.token,
            "service_notice": _("Received; it is public once a moderator has verified it."),
            "account_id": None,
        }
    ]
    return render(document, root="service_requests", fmt=fmt, status=201)


# --- GET requests --------------------------------------------------------------------------------------


def _ids(value: str) -> list[int]:
    parts = value.split(",")
    if len(parts) > selectors.REQUESTS_MAX or not all(_ID.fullmatch(part.strip()) for part in parts):
        raise Open311Error(400, _("service_request_id must be up to 1000 ids, comma separated."))
    return [int(part) for part in parts]


def _date(data, name: str) -> datetime | None:
    value = _param(data, name, max_length=40)
    if value is None:
        return None
    value = value.replace(" ", "+")  # an offset's "+" sent unencoded in a query string arrives as a space
    try:
        parsed = parse_datetime(value)
        if parsed is None or parsed.tzinfo is None:
            raise ValueError
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Open311Error(400, _("%(name)s must be a W3C date and time with a time zone.") % {"name": name}) from None


def _window(data) -> tuple[datetime, datetime]:
    """The spec's default span of 90 days around what is given; both given: as given."""
    start, end = _date(data, "start_date"), _date(data, "end_date")
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - DEFAULT_SPAN
        elif start is None:
            start = end - DEFAULT_SPAN
        elif end is None:
            end = start + DEFAULT_SPAN
    except OverflowError:
        raise Open311Error(400, _("The dates are out of range.")) from None
    if start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    return start, end


def _statuses(value: str | None) -> list[str] | None:
    if value is None:
        return None
    statuses = [part.strip() for part in value.split(",")]
    if not set(statuses) <= {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both."))
    return statuses


def _search(request, fmt):
    _throttle("open311_read", client_address(request), _("Too many requests from this address."))
    data = request.GET
    ids = _param(data, "service_request_id", max_length=20000)
    if ids is not None:
        reports = selectors.requests_public(ids=_ids(ids))
    else:
        codes = _param(data, "service_code", max_length=2000)
        start, end = _window(data)
        reports = selectors.requests_public(
            service_codes=[c.strip() for c in codes.split(",")] if codes else None,
            start=start,
            end=end,
            statuses=_statuses(_param(data, "status", max_length=20)),
        )
    return render([_request_document(request, r) for r in reports], root="service_requests", fmt=fmt)


@_endpoint(("GET", "POST"))
def requests(request, fmt):
    return _create(request, fmt) if request.method == "POST" else _search(request, fmt)


@_endpoint(("GET",))
def request_detail(request, fmt, request_id):
    _throttle("open311_read", client_address(request), _("Too many requests from this address."))
    if not _ID.fullmatch(request_id):
        raise Open311Error(400, _("service_request_id must be a number."))
    report = selectors.requests_public(ids=[int(request_id)]).first()
    if report is None:
        raise Open311Error(404, _("No public service request with this id."))
    return render([_request_document(request, report)], root="service_requests", fmt=fmt)


@_endpoint(("GET",))
def token(request, fmt, token):
    filed: ServiceRequest | None = selectors.request_by_token(token[:64]) if len(token) <= 64 else None
    if filed is None:
        raise Open311Error(404, _("Unknown token."))
    document = [{"service_request_id": str(filed.report_id), "token": filed.token}]
    return render(document, root="service_requests", fmt=fmt)
