"""Idempotency-Key for creates: a retry from a flaky network gets the original response, creates nothing.

The record and the create commit in one transaction; a concurrent retry blocks on the unique
(user, key) index until the first commits, then replays its response. Only successful responses are
kept, so a retry after a failure runs again. Keys expire after IDEMPOTENCY_TTL. A replay costs no quota:
the throttle asks `is_replay` before it counts (api/throttling.py).
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from aspirasi.errors import IdempotencyKeyReused
from aspirasi.models import IdempotencyRecord
from aspirasi.services.files import files_cleaned_on_failure

IDEMPOTENCY_TTL = timedelta(days=1)
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255  # IdempotencyRecord.key's column

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "maxLength": MAX_KEY_LENGTH},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (e.g. a UUID) per intended create. A retry with the same key and body "
    "returns the original response and creates nothing, and costs no rate-limit quota; a different body "
    "gives `idempotency_key_reused`. Keys are per account and expire after a day.",
)


class _Failed(Exception):
    def __init__(self, response):
        self.response = response


def _key(request) -> str:
    """The request's Idempotency-Key, honoured for authenticated callers only ("" when none applies)."""
    key = request.headers.get(HEADER, "").strip()
    return key if key and request.user.is_authenticated else ""


def _scope(request) -> str:
    return f"{request.method} {request.path}"[:255]


def _records(request, key: str):
    """The caller's record under `key`."""
    return IdempotencyRecord.objects.filter(user_id=request.user.pk, key=key)


def _live(records):
    return records.filter(created_at__gte=timezone.now() - IDEMPOTENCY_TTL)


def is_replay(request) -> bool:
    """Whether `request` will be answered from a stored response: it reuses a live key of its caller on the
    same method and path (a different body is refused with `idempotency_key_reused`). Either way it creates
    nothing. Only committed records count: a retry sent while its original is still running is not yet a
    replay."""
    key = _key(request)
    return bool(key) and _live(_records(request, key)).filter(scope=_scope(request)).exists()


def _request_fingerprint(request) -> str:
    """A hash of method, path and body (JSON fields, or form fields plus file contents)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    fields = {k: data.getlist(k) for k in data} if hasattr(data, "getlist") else data
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(getattr(request, "FILES", {}) or {}):
        for upload in request.FILES.getlist(name):
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _body(response) -> dict:
    """What a replay answers: a DRF Response's data, or a JSON response's bytes (views that render their
    own, such as the vote's)."""
    if hasattr(response, "data"):
        return json.loads(JSONRenderer().render(response.data))
    return json.loads(response.content)


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return Response(record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"})


def idempotent(view_method):
    """Decorate an APIView's post(): honour the Idempotency-Key header for authenticated callers."""

    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = _key(request)
        if not key:
            with files_cleaned_on_failure():
                return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            message = _("Ensure this field has no more than {max_length} characters.").format(max_length=MAX_KEY_LENGTH)
            raise serializers.ValidationError({HEADER: [serializers.ErrorDetail(message, code="max_length")]})
        fingerprint = _request_fingerprint(request)
        records = _records(request, key)
        for _attempt in range(2):
            try:
                with transaction.atomic(), files_cleaned_on_failure():
                    existing = _live(records).first()
                    if existing is not None:
                        return _replay(existing, fingerprint)
                    records.delete()  # an expired record frees its key
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            user_id=request.user.pk,
                            key=key,
                            scope=_scope(request),
                            request_hash=fingerprint,
                            response_status=0,
                        )
                    response = view_method(self, request, *args, **kwargs)
                    if response.status_code >= 400:
                        raise _Failed(response)
                    record.response_status = response.status_code
                    record.response_body = _body(response)
                    record.save(update_fields=["response_status", "response_body"])
                    return response
            except _Failed as failed:
                return failed.response
            except IntegrityError:
                continue  # a concurrent request with this key committed first: replay it
        raise IdempotencyKeyReused()

    return wrapper
