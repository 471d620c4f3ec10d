"""drf-spectacular glue: every operation documents the error responses it can return."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from aspirasi.api.errors import ErrorOutput


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorOutput, description=description)


class AspirasiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        method = self.method.upper()
        errors = {"429": "Throttled"}
        if method in {"GET", "POST", "PUT", "PATCH"} or self._get_filter_parameters():
            errors["400"] = "Invalid input (`validation_error`) or a domain rule"
        # 401 everywhere: a bad Bearer token is refused even on public endpoints, and login fails with it.
        errors["401"] = "Not authenticated, token not valid, or wrong credentials"
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["403"] = "Not allowed for this role or area"
        if "{" in self.path:
            errors["404"] = "Not found (or not visible to you)"
        if method in {"POST", "PUT", "PATCH"}:
            errors["415"] = "Unsupported media type (see the operation's request content types)"
        if method in {"POST", "PATCH", "DELETE"}:
            errors["409"] = "Conflict with the item's state (e.g. `illegal_transition`)"
        for status_code, description in errors.items():
            if status_code not in bodies:
                bodies[status_code] = self._get_response_for_code(_error(description), status_code)
        return bodies
