"""Idempotency-Key for creates: a retry from a flaky network gets the original response, creates nothing.

The record and the create commit in one transaction; a concurrent retry blocks on the unique
(user, key) index until the first commits, then replays its response. Only successful responses are
kept, so a retry after a failure runs again. Keys expire after IDEMPOTENCY_TTL.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from aspirasi.errors import IdempotencyKeyReused
from aspirasi.models import IdempotencyRecord
from aspirasi.services.files import files_cleaned_on_failure

IDEMPOTENCY_TTL = timedelta(days=1)
HEADER = "Idempotency-Key"

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (e.g. a UUID) per intended create. A retry with the same key and body "
    "returns the original response and creates nothing; a different body gives `idempotency_key_reused`. "
    "Keys expire after a day.",
)


class _Failed(Exception):
    def __init__(self, response):
        self.response = response


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
        key = request.headers.get(HEADER, "").strip()
        if not key or not request.user.is_authenticated:
            with files_cleaned_on_failure():
                return view_method(self, request, *args, **kwargs)
        if len(key) > 255:
            raise serializers.ValidationError({HEADER: ["Idempotency-Key must be at most 255 characters."]})
        fingerprint = _request_fingerprint(request)
        records = IdempotencyRecord.objects.filter(user_id=request.user.pk, key=key)  # a TokenUser too (api/votes.py)
        for _attempt in range(2):
            try:
                with transaction.atomic(), files_cleaned_on_failure():
                    existing = records.filter(created_at__gte=timezone.now() - IDEMPOTENCY_TTL).first()
                    if existing is not None:
                        return _replay(existing, fingerprint)
                    records.delete()  # an expired record frees its key
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            user_id=request.user.pk,
                            key=key,
                            scope=f"{request.method} {request.path}"[:255],
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
