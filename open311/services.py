"""Writes of Open311: issuing and revoking API keys, filing a request (a photo report from another system)."""

import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from aspirasi.models import Category, Kelurahan, Report, User
from aspirasi.services.reports import report_create
from open311.models import ApiKey, ServiceRequest


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_issue(*, api_key: ApiKey, actor: User) -> str:
    """Give `api_key` (unsaved, named) a fresh random key, store only its digest, and return the key: the one
    time it can be read."""
    raw = secrets.token_urlsafe(32)
    api_key.prefix, api_key.digest, api_key.created_by = raw[:8], key_digest(raw), actor
    api_key.save()
    return raw


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key at once: the next request filed with it is refused (403). Revoking twice changes nothing."""
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


@transaction.atomic
def service_request_create(
    *,
    api_key: ApiKey,
    category: Category,
    kelurahan: Kelurahan,
    kelurahan_confirmed: bool = True,
    description: str,
    latitude: Decimal | None,
    longitude: Decimal | None,
    address_string: str,
    media_url: str,
    filer: dict[str, str],
) -> ServiceRequest:
    """File a report through the same service as the app (a `new` report in the moderators' queue, with
    `report.submitted` after commit), without an author or a photo, and keep the Open311 side of it: the
    key, a token, the address and the filer's details (`filer`: email, names, phone, device_id, account_id).
    `kelurahan_confirmed` false: a guess from the address, filed "kelurahan unconfirmed"."""
    report = report_create(
        author=None,
        image=None,
        description=description,
        category=category,
        kelurahan=kelurahan,
        kelurahan_guessed=not kelurahan_confirmed,
        latitude=latitude,
        longitude=longitude,
        origin=Report.Origin.OPEN311,
    )
    return ServiceRequest.objects.create(
        report=report,
        api_key=api_key,
        token=secrets.token_urlsafe(24),
        address_string=address_string,
        media_url=media_url,
        **filer,
    )
