from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from aspirasi.api import health
from aspirasi.api.converters import IdConverter
from backend import metrics

register_converter(IdConverter, "id")  # <id:pk> in every app's routes

urlpatterns = [
    # Probes (aspirasi/api/health.py): the load balancer asks /healthz/ready, a container's HEALTHCHECK
    # /healthz/live; /healthz is the detailed report.
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    # Prometheus (backend/metrics.py): off without METRICS_TOKEN.
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aspirasi.api.urls")),
    path("api/v1/", include("notifications.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Open311 GeoReport v2 (docs/open311.md): plain Django views, outside the OpenAPI schema.
    path("open311/v2/", include("open311.urls")),
]

# Uploaded photos under `make run` (DEBUG only: static() adds nothing otherwise); production serves them from
# the storage (docs/deploy.md), and with MEDIA_STORAGE=s3 the bucket's URLs serve them in development too.
if settings.MEDIA_STORAGE == "local":
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_FLOOR:
    urlpatterns.append(path("bench/", include("bench.floor")))

# Errors outside DRF: the JSON shape of every other error, or a page for a person in the admin (aspirasi/api/errors.py).
handler400 = "aspirasi.api.errors.bad_request"
handler403 = "aspirasi.api.errors.permission_denied"
handler404 = "aspirasi.api.errors.page_not_found"
handler500 = "aspirasi.api.errors.server_error"
