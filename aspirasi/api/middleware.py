"""What every HTTP answer says to caches on the way, and how it travels: two middlewares (backend/settings.py).

- CacheControlMiddleware: an answer computed for a signed-in caller is theirs alone (`private`, and Vary on
  what identified them), and an answer that carries credentials is stored by no one (`no-store`).
- GZipMiddleware: Django's, for JSON and text, never for what must not be stored (BREACH, below).
"""

from django.conf import settings
from django.middleware import gzip
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.deprecation import MiddlewareMixin

# Routes whose answers carry a token pair or an access token.
CREDENTIAL_ROUTES = frozenset(
    {
        "auth-register",
        "auth-verify",
        "auth-password-reset-confirm",
        "auth-token",
        "auth-token-refresh",
        "auth-password-change",
    }
)

# Besides text/* and +json: the schema is served as YAML by default (175 KB, 20 KB gzipped).
COMPRESSIBLE_TYPES = frozenset(
    {"application/json", "application/javascript", "application/xml", "application/yaml", "application/vnd.oai.openapi"}
)


def _directives(response) -> set[str]:
    """The Cache-Control directives' names, lower case."""
    return {d.split("=", 1)[0].strip().lower() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def _caller_headers(request) -> list[str]:
    """The request headers that can identify a caller, among those this request carries."""
    present = {
        "Authorization": "HTTP_AUTHORIZATION" in request.META,
        "Cookie": settings.SESSION_COOKIE_NAME in request.COOKIES,
    }
    return [header for header, sent in present.items() if sent]


class CacheControlMiddleware(MiddlewareMixin):
    """`private` on every answer computed for an authenticated caller (a bearer token or a session), with
    `Vary: Authorization` / `Cookie`: the list's `has_voted` and `is_own` are the caller's own, and a shared
    cache must not hand them to the next resident. Directives a view set stay (`no-cache`, `max-age`); a view
    that declared itself `public` (reference data, the same for everyone) stays public. Anonymous answers are
    left as they are. Placed inside ConditionalGetMiddleware, so its 304s copy these headers."""

    def process_response(self, request, response):
        match = request.resolver_match
        if match is not None and match.url_name in CREDENTIAL_ROUTES:
            patch_cache_control(response, no_store=True)
            return response
        # Checked first: reading request.user of a request with neither would load a session for nothing.
        varies = _caller_headers(request)
        if varies and request.user.is_authenticated and "public" not in _directives(response):
            patch_cache_control(response, private=True)
            patch_vary_headers(response, varies)
        return response


class GZipMiddleware(gzip.GZipMiddleware):
    """Django's GZipMiddleware for JSON and text (a page of 20 proposals: 21 KB, 3.5 KB gzipped), skipping
    answers that are compressed already (photos, XLSX) or must not be stored. It weakens a strong ETag, and
    ConditionalGetMiddleware compares weakly: If-None-Match still gives 304. Static files never reach it
    (WhiteNoise, outside it, serves its own precompressed files)."""

    def process_response(self, request, response):
        # BREACH: Django's 0-99 random padding bytes only slow it; no-store answers (tokens, admin pages) go plain.
        if "no-store" in _directives(response) or not _compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)


def _compressible(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type.endswith("+json") or media_type in COMPRESSIBLE_TYPES
