"""GET /metrics: Prometheus' text format, for a scraper holding METRICS_TOKEN (404 without the setting).

What it serves:
- per view and method, request counts and latency histograms, responses by status (django-prometheus'
  middlewares: `django_http_requests_latency_seconds_by_view_method`, ...);
- `aspirasi_websockets_open`, the sockets this process's workers hold (realtime/metrics.py);
- read from the database at each scrape, so every machine reports the same shared state: the task queue
  (`aspirasi_tasks_ready`, `aspirasi_tasks_oldest_ready_seconds` per queue) and push deliveries waiting
  (`aspirasi_push_deliveries_pending` by `attempt`: `first` or `retry` after a failure), from their
  partial indexes; each scrape costs two small queries.

With PROMETHEUS_MULTIPROC_DIR set, prometheus-client's multiprocess mode sums every worker of this process
group (gunicorn's, uvicorn's); without it a scrape sees the one worker that answers it.
"""

import hmac
import logging
import os

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from rest_framework.exceptions import NotAuthenticated

from aspirasi.api.errors import error_body
from notifications.models import DeliveryStatus, PushDelivery

logger = logging.getLogger(__name__)


class SharedStateCollector:
    """The queue and push deliveries, counted in the database when scraped."""

    def collect(self):
        up = GaugeMetricFamily("aspirasi_shared_state_up", "1 when the database answered this scrape's counts")
        try:
            families = list(self._from_database())
        except DatabaseError:
            # The process's own metrics are still worth having while the database is down.
            logger.warning("metrics: the database did not answer; shared state left out", exc_info=True)
            families = []
        up.add_metric([], 1 if families else 0)
        yield up
        yield from families

    def _from_database(self):
        ready = GaugeMetricFamily("aspirasi_tasks_ready", "Tasks enqueued and not started", labels=["queue"])
        oldest = GaugeMetricFamily(
            "aspirasi_tasks_oldest_ready_seconds", "Age of the oldest task waiting to start", labels=["queue"]
        )
        now = timezone.now()
        waiting = DBTaskResult.objects.ready().values("queue_name").annotate(n=Count("id"), first=Min("enqueued_at"))
        for row in waiting.order_by():
            ready.add_metric([row["queue_name"]], row["n"])
            oldest.add_metric([row["queue_name"]], max((now - row["first"]).total_seconds(), 0))
        yield ready
        yield oldest
        pending = GaugeMetricFamily(
            "aspirasi_push_deliveries_pending",
            "Push deliveries waiting to be sent; attempt=retry: after a failed attempt",
            labels=["attempt"],
        )
        counts = PushDelivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
            first=Count("id", filter=Q(attempts=0)), retry=Count("id", filter=Q(attempts__gt=0))
        )
        pending.add_metric(["first"], counts["first"])
        pending.add_metric(["retry"], counts["retry"])
        yield pending


def _process_metrics() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@never_cache
def metrics(request):
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404  # off unless configured: the JSON 404 of every unknown path
    offered = request.headers.get("Authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        body = error_body(NotAuthenticated.default_code, NotAuthenticated.default_detail)
        response = JsonResponse(body, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    shared = CollectorRegistry()
    shared.register(SharedStateCollector())
    return HttpResponse(_process_metrics() + generate_latest(shared), content_type=CONTENT_TYPE_LATEST)
