from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from aspirasi.api.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aspirasi.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

if settings.BENCH_FLOOR:
    urlpatterns.append(path("bench/", include("bench.floor")))

# Django's own error pages are HTML; the API's clients get the same JSON shape as every other error.
handler400 = "aspirasi.api.errors.bad_request"
handler403 = "aspirasi.api.errors.permission_denied"
handler404 = "aspirasi.api.errors.page_not_found"
handler500 = "aspirasi.api.errors.server_error"
