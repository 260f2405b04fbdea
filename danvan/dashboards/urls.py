from django.urls import URLPattern, URLResolver, path

from danvan.dashboards import views

app_name = "dashboards"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard_page, name="dashboard"),
    path("export.xlsx", views.dashboard_export, name="export"),
    path("map/", views.map_page, name="map"),
]
