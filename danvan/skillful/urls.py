"""The officers' pages of the models, at ``/models/``: each part of the app lists its own."""

from django.urls import URLPattern, URLResolver

from danvan.skillful import urls_evaluation, urls_periods, urls_registry, urls_stats

app_name = "skillful"
urlpatterns: list[URLPattern | URLResolver] = [
    *urls_registry.urlpatterns,
    *urls_evaluation.urlpatterns,
    *urls_stats.urlpatterns,
    *urls_periods.urlpatterns,
]
