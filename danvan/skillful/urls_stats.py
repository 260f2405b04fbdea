"""The statistics (``/models/stats/``) and the formalism flags (``/models/flags/``)."""

from django.urls import URLPattern, URLResolver, path

from danvan.skillful import views_stats as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("stats/", views.stats_page, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
    path("flags/<int:pk>/dismiss/", views.flag_dismiss_view, name="flag_dismiss"),
]
