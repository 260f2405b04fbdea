"""The emulation periods' pages, under ``/models/periods/`` in the ``skillful`` namespace."""

from django.urls import URLPattern, URLResolver, path

from danvan.skillful import views_periods as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
]
