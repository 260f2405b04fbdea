"""The registry's pages under ``/models/``. A model's code always starts with "MH-", so the other
parts' paths (``/models/stats/``, ...) never reach the model page."""

from django.urls import URLPattern, URLResolver, path, re_path

from danvan.skillful import views_indicators
from danvan.skillful import views_registry as views

CODE = r"(?P<code>MH-[0-9A-Za-z-]+)"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.model_list, name="list"),
    path("register/", views.model_register_view, name="register"),
    path("import/", views.model_import_view, name="import"),
    path("import/template.<str:fmt>", views.model_import_template, name="import_template"),
    re_path(rf"^{CODE}/$", views.model_detail, name="detail"),
    re_path(rf"^{CODE}/edit/$", views.model_edit, name="edit"),
    re_path(rf"^{CODE}/indicators/$", views_indicators.model_indicator_add, name="indicator_add"),
    re_path(
        rf"^{CODE}/indicators/(?P<pk>[0-9]+)/edit/$",
        views_indicators.indicator_edit,
        name="indicator_edit",
    ),
    re_path(rf"^{CODE}/report/$", views_indicators.model_report, name="report"),
    re_path(rf"^{CODE}/evidence/$", views_indicators.model_evidence, name="evidence"),
    re_path(
        rf"^{CODE}/evidence/(?P<pk>[0-9]+)/$", views_indicators.evidence_file, name="evidence_file"
    ),
    re_path(rf"^{CODE}/adopt/$", views.model_adopt_view, name="adopt"),
]
