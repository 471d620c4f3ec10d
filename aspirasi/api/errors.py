"""One error shape for the whole API: {"code", "message", "fields"?}.

DRF's exceptions, Django's 404/403/400/500 and the domain's errors all end here, so a mobile client
parses a single format. Messages are translated by the request's language (LocaleMiddleware).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from aspirasi.errors import DomainError

logger = logging.getLogger(__name__)


class FieldErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable snake_case code")
    message = serializers.CharField(help_text="Human text in the request's language (id or en)")
    fields = serializers.DictField(
        child=FieldErrorOutput(many=True), required=False, help_text="Per-field errors (validation only)"
    )


def _flatten(detail, prefix: str = "") -> dict[str, list[dict]]:
    """Turn DRF's nested {field: [ErrorDetail]} into {"a.b": [{"code", "message"}]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[dict]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else f"{prefix}{key}"
            flat.update(_flatten(value, f"{name}."))
        return flat
    if isinstance(detail, list) and detail and all(isinstance(d, exceptions.ErrorDetail) for d in detail):
        return {prefix.rstrip("."): [{"code": d.code, "message": str(d)} for d in detail]}
    if isinstance(detail, list):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}{index}."))
        return flat
    return {prefix.rstrip(".") or "non_field_errors": [{"code": detail.code, "message": str(detail)}]}


def error_body(code: str, message, fields: dict | None = None) -> dict:
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, DomainError):
        set_rollback()
        if getattr(exc, "auth_header", None):  # a 401 names its scheme, as DRF's own do
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "retry_after", None):  # a limit's refusal or a lockout says how long it lasts
            headers["Retry-After"] = str(exc.retry_after)
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, InvalidToken | TokenError):
        exc = exceptions.AuthenticationFailed(_("The token is invalid or expired."), code="token_not_valid")
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's handler500 renders it and it is logged

    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()

    if isinstance(exc, exceptions.ValidationError):
        body = error_body("validation_error", _("Some fields are invalid."), _flatten(exc.detail))
    elif isinstance(exc, exceptions.Throttled):
        body = error_body("throttled", _("Too many requests. Try again later."))
    else:
        detail = exc.detail
        if isinstance(detail, dict):  # e.g. simplejwt's {"detail", "code", "messages"}
            code = str(detail.get("code", exc.default_code))
            message = detail.get("detail", exc.default_detail)
        elif isinstance(detail, list):
            code, message = exc.default_code, " ".join(str(d) for d in detail)
        else:
            code, message = getattr(detail, "code", exc.default_code), detail
        body = error_body(str(code), message)
    return Response(body, status=exc.status_code, headers=headers)


# --- Django-level handlers (outside DRF views: bad URLs, oversized bodies, CSRF, crashes) -------------


def bad_request(request, exception=None):
    return JsonResponse(error_body("bad_request", _("The request could not be understood.")), status=400)


def permission_denied(request, exception=None):
    return JsonResponse(error_body("permission_denied", _("You do not have permission to do this.")), status=403)


def page_not_found(request, exception=None):
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def server_error(request):
    return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)


def csrf_failure(request, reason=""):
    return JsonResponse(error_body("csrf_failed", _("The CSRF check failed. Reload the page.")), status=403)
