"""drf-spectacular glue: every operation declares exactly what it can answer.

What follows from the view itself is added here, so a new view gets it right without remembering: the
generic errors (from its body, query, authenticators, permissions and path), a GET's conditional answer
(If-None-Match, ETag, 304, from ConditionalGetMiddleware), an idempotent create's answers (the
Idempotency-Key parameter it declares: 422, Idempotent-Replayed) and a throttled operation's (its
throttles: 429, Retry-After, the RateLimit fields); every answer's X-Request-ID. Domain errors that only
some operations raise (a 409, a lockout's 429) are declared on the operation with `domain_errors(...)`.
"""

from collections import defaultdict

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from aspirasi.api.errors import ErrorOutput
from aspirasi.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from aspirasi.errors import DomainError
from aspirasi.observability import REQUEST_ID_HEADER

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error(description: str) -> OpenApiResponse:
    """An error answer in the one error shape; `description` names its codes."""
    return OpenApiResponse(response=ErrorOutput, description=description)


def domain_errors(*errors: type[DomainError]) -> dict[int, OpenApiResponse]:
    """The answers of the domain errors an operation raises, by their status: `responses={201: X,
    **domain_errors(NotEditable, EditingClosed)}` declares one 409 naming both codes."""
    codes: dict[int, list[str]] = defaultdict(list)
    for domain_error in errors:
        codes[domain_error.status_code].append(f"`{domain_error.code}`")
    return {status: error(", ".join(names)) for status, names in codes.items()}


def _header(description: str, *, required: bool = False) -> dict:
    return {"schema": {"type": "string"}, "description": description, "required": required}


IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of a copy you hold: 304 with no body while it is still current.",
}
ETAG = _header("The answer's entity tag; send it back as If-None-Match.", required=True)
RETRY_AFTER = _header("Seconds until the limit lets a request through again.")
# Every answer (aspirasi/observability.py); quote it when reporting a problem.
REQUEST_ID = _header(
    "This request's id, also in the server's logs and error reports: quote it when reporting a problem. An "
    "`X-Request-ID` sent with the request (8 to 128 letters, digits and `._:-`) is kept; otherwise one is made.",
    required=True,
)
IDEMPOTENT_REPLAYED = _header("`true` when this is the stored answer of an earlier request with the same key.")
# draft-ietf-httpapi-ratelimit-headers. Not required: the throttle fails open (and sends none) without Redis.
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": _header("The operation's limit (draft-ietf-httpapi-ratelimit-headers), e.g. `q=30;w=3600`."),
    "RateLimit": _header("What is left of it now, e.g. `r=29;t=3540` (draft-ietf-httpapi-ratelimit-headers)."),
}


class AspirasiAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if self.method == "DELETE" and getattr(self.view, "delete_has_body", False):
            # drf-spectacular documents a body for POST, PUT and PATCH only; a view that reads one on DELETE
            # (the erasure's password) says so, and its declared request is stated, JSON as every body.
            schema = self.resolve_serializer(self.get_request_serializer(), "request").ref
            operation["requestBody"] = {"content": {"application/json": {"schema": schema}}, "required": True}
        if "requestBody" in operation and self._polymorphic_request():
            # drf-spectacular marks a body required when its component lists required properties; a oneOf's
            # lists none, yet every variant requires its discriminator (`action`): no body is a 400.
            operation["requestBody"]["required"] = True
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            # An optional query parameter sent empty (`?status=`, a form's untouched field) counts as left
            # out, as DRF's serializers and django-filter read it: say so, or "" would be a schema violation.
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        idempotent = any(p["in"] == "header" and p["name"] == IDEMPOTENCY_HEADER for p in parameters)
        throttled = bool(self.view.get_throttles())
        responses = operation["responses"]
        for status, description in self._generic_errors(operation, idempotent=idempotent, throttled=throttled):
            responses.setdefault(status, self._error_response(description))

        # ConditionalGetMiddleware: every GET answer has an ETag, but one the view marks `no_store` (Django
        # gives a no-store answer none: nothing may keep it to revalidate).
        if self.method == "GET" and not getattr(self.view, "no_store", False):
            operation["parameters"] = [*parameters, IF_NONE_MATCH]
            responses["304"] = {"description": "Not modified: your copy (If-None-Match) is current", "headers": {}}
            # A streamed file (an export) gets none: the middleware cannot hash a stream.
            streamed = any(media_type != "application/json" for media_type in responses["200"].get("content", {}))
            etag = {**ETAG, "required": not streamed}
            for status in ("200", "304"):
                responses[status].setdefault("headers", {})["ETag"] = etag
        for status, response in responses.items():
            headers = response.setdefault("headers", {})
            headers[REQUEST_ID_HEADER] = REQUEST_ID
            if idempotent and status.startswith("2"):
                headers["Idempotent-Replayed"] = IDEMPOTENT_REPLAYED
            if throttled:
                headers.update(RATE_LIMIT_HEADERS)
            if status == "429":  # a throttle's and a lockout's alike
                headers["Retry-After"] = RETRY_AFTER
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _polymorphic_request(self) -> bool:
        request = self.get_request_serializer()
        return any(
            isinstance(s, PolymorphicProxySerializer)
            for s in (request.values() if isinstance(request, dict) else [request])
        )

    def _generic_errors(self, operation: dict, *, idempotent: bool, throttled: bool) -> list[tuple[str, str]]:
        has_body = "requestBody" in operation
        has_query = any(p["in"] == "query" for p in operation.get("parameters", []))
        authenticators = self.view.get_authenticators()
        errors = []
        # A body, a query or an Idempotency-Key (its length; the key's fingerprint reads the body) is checked.
        if has_body or has_query or idempotent:
            errors.append(("400", "Invalid input (`validation_error`, `parse_error`) or a domain rule"))
        if authenticators:  # a bad or expired token is refused even where anyone may read
            errors.append(("401", "Not authenticated, or the token is not valid"))
        # A tuple: DRF's permission classes overload `|` (composition), so `AllowAny | IsAuthenticated` is no union.
        signed_in_only = (AllowAny, IsAuthenticated)
        role_checked = any(not isinstance(p, signed_in_only) for p in self.view.get_permissions())
        csrf_checked = self.method in UNSAFE_METHODS and any(
            isinstance(a, SessionAuthentication) for a in authenticators
        )
        if role_checked or csrf_checked:
            errors.append(("403", "Not allowed for this role or area (or a session's write without its CSRF token)"))
        if "{" in self.path:
            errors.append(("404", "Not found (or not visible to you)"))
        # Content negotiation: an Accept header that names none of the operation's media types.
        errors.append(("406", "Not acceptable: the Accept header names none of the operation's media types"))
        if has_body or idempotent:
            errors.append(("415", "Unsupported media type (see the operation's request content types)"))
        if idempotent:
            errors.append(("422", "`idempotency_key_reused`: the key came with a different request"))
        if throttled:
            errors.append(("429", "`throttled`: too many requests; wait Retry-After seconds"))
        return errors

    def _error_response(self, description: str) -> dict:
        schema = self.resolve_serializer(ErrorOutput, "response").ref
        return {
            "description": description,
            "content": {media_type: {"schema": schema} for media_type in self.map_renderers("media_type")},
        }
