from django.urls import re_path

from open311 import views

app_name = "open311"

# The format is the path's extension; an unknown one is a 404 in the spec's error format (views._endpoint).
urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>\w+)$", views.discovery, name="discovery"),
    re_path(r"^services\.(?P<fmt>\w+)$", views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)\.(?P<fmt>\w+)$", views.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>\w+)$", views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)\.(?P<fmt>\w+)$", views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>\w+)$", views.token, name="token"),
]
