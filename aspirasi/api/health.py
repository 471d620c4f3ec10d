"""Health probes (docs/deploy.md, "Health"): plain Django views, so no authentication, no throttle, never cached.

- GET /healthz/live: the process answers. It asks no dependency, so a database or Redis outage never has
  an orchestrator restart every instance at once (the Dockerfile's HEALTHCHECK).
- GET /healthz/ready: the instance can serve, for the load balancer. The database must answer (503
  otherwise); the channel layer (Redis) is reported but never makes it unready: without Redis the API
  keeps serving (throttles and caches fail open, live events are dropped), and taking every instance out
  of rotation at a Redis blip would turn it into an outage.
- GET /healthz: the detailed report, 503 when any dependency is down (monitoring, not rotation).
"""

import redis
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    return "ok"


CHECKS = {"database": _check_database, "channel_layer": _check_channel_layer}
# What an instance cannot serve without. Everything else in CHECKS only degrades it.
READY_REQUIRES = ("database",)


def run_checks() -> dict[str, dict]:
    """Every check's result by name: {"status": "ok"} or {"status": "down", "error": <exception class>}."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"status": check()}
        except Exception as exc:  # any failure of a dependency is reported, not raised
            results[name] = {"status": "down", "error": exc.__class__.__name__}
    return results


def _all_ok(results: dict[str, dict]) -> bool:
    return all(result["status"] == "ok" for result in results.values())


def readiness() -> tuple[bool, dict]:
    """Whether this instance can serve, and the body that says so: status `ok`, `degraded` (ready, some
    dependency in CHECKS down) or `unavailable` (not ready). Also `manage.py healthcheck`'s answer."""
    results = run_checks()
    ready = all(results[name]["status"] == "ok" for name in READY_REQUIRES)
    status = "ok" if _all_ok(results) else "degraded" if ready else "unavailable"
    return ready, {"status": status, "checks": results}


@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    is_ready, body = readiness()
    return JsonResponse(body, status=200 if is_ready else 503)


@never_cache
def healthz(request):
    results = run_checks()
    healthy = _all_ok(results)
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": results}, status=200 if healthy else 503)
