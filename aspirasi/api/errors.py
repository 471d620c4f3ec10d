"""One error shape for the whole API: {"code", "message", "fields"?}.

DRF's exceptions, Django's 404/403/400/500 and the domain's errors all end here, so a mobile client
parses a single format. Messages are translated by the request's language (LocaleMiddleware).
"""

import logging

from django.contrib import admin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
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
# A person who navigates the admin in a browser gets a page that says what to do next; every other caller
# (the apps, the admin's own fetch() calls, which do not ask for HTML) gets the JSON shape.


def _page_or_json(request, status: int, code: str, message: str, *, next_step: str = ""):
    accept = request.headers.get("Accept", "")
    if request.path.startswith(reverse("admin:index")) and "text/html" in accept:
        context = {
            "status": status,
            "message": message,
            "next_step": next_step,
            "admin_url": reverse("admin:index"),
            # The site's names only: each_context() would read the user's permissions, and a 500 may be the database.
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
        }
        return render(request, "aspirasi/error_page.html", context, status=status)
    return JsonResponse(error_body(code, message), status=status)


def bad_request(request, exception=None):
    return _page_or_json(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request, exception=None):
    return _page_or_json(
        request,
        403,
        "permission_denied",
        _("You do not have permission to do this."),
        next_step=_("Sign in with an account that has this role, or ask an administrator for it."),
    )


def page_not_found(request, exception=None):
    return _page_or_json(
        request, 404, "not_found", _("Not found."), next_step=_("The item may have been removed or moved.")
    )


def server_error(request):
    return _page_or_json(
        request,
        500,
        "server_error",
        _("Something went wrong on our side."),
        next_step=_("It has been logged. Try again in a moment."),
    )


def csrf_failure(request, reason=""):
    return _page_or_json(
        request,
        403,
        "csrf_failed",
        _("The CSRF check failed. Reload the page."),
        next_step=_("Your form was not saved: reload the page, then send it again."),
    )
