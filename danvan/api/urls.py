from typing import Any

from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from danvan.api import errors, open311, views

app_name = "api"

FORMAT = r"\.(?P<format>json|xml)$"


@extend_schema(exclude=True)
class SchemaView(SpectacularAPIView):
    """The OpenAPI document (JSON with ``?format=json``, YAML by default). No Swagger or Redoc
    page: they load their scripts from a CDN."""

    schema = AutoSchema()  # the default reads REST_FRAMEWORK settings, which are not set
    authentication_classes: list[type] = []
    custom_settings = {
        "TITLE": "Dân Vận API",
        "DESCRIPTION": "People's voices: the citizen app's submit and status lookup, and "
        "officers' case endpoints (Authorization: Token <key>). Open311 GeoReport v2 is served "
        "separately under /open311/v2/.",
        "VERSION": "1.0.0",
        "SCHEMA_PATH_PREFIX": "/api/v1",
        # The errors each operation answers and the case list's page (danvan/api/schema.py).
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "danvan.api.schema.describe_errors",
        ],
    }

    def _get_version_parameter(self, request: Request) -> None:
        # One version. drf-spectacular would write ``?version=`` into the Content-Disposition
        # header, where a line break in it made a 500.
        return None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Not the parent's method itself: drf-spectacular annotates it starting from DRF's
        # default schema class, which cannot describe it.
        return super().get(request, *args, **kwargs)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/v1/voices/", views.VoiceSubmitView.as_view(), name="voice-submit"),
    path(
        "api/v1/voices/status/<str:tracking_code>/",
        views.VoiceStatusView.as_view(),
        name="voice-status",
    ),
    path(
        "api/v1/voices/status/<str:tracking_code>/rate/",
        views.VoiceRateView.as_view(),
        name="voice-rate",
    ),
    path("api/v1/cases/", views.CaseListView.as_view(), name="case-list"),
    path("api/v1/cases/<str:tracking_code>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "api/v1/cases/<str:tracking_code>/<str:action>/",
        views.CaseActionView.as_view(),
        name="case-action",
    ),
    re_path(
        r"^open311/v2/services" + FORMAT, open311.ServiceListView.as_view(), name="open311-services"
    ),
    re_path(
        r"^open311/v2/services/(?P<service_code>[-\w]+)" + FORMAT,
        open311.ServiceDefinitionView.as_view(),
        name="open311-service",
    ),
    re_path(
        r"^open311/v2/requests" + FORMAT, open311.RequestListView.as_view(), name="open311-requests"
    ),
    re_path(
        r"^open311/v2/requests/(?P<request_id>[^/]+?)" + FORMAT,
        open311.RequestDetailView.as_view(),
        name="open311-request",
    ),
    re_path(r"^api/", errors.not_found, name="not-found"),
]
