from django.urls import URLPattern, URLResolver, path

from danvan.alerts import views

app_name = "alerts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.alert_list, name="list"),
    path("export.xlsx", views.alert_export, name="export"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.alert_acknowledge_view, name="acknowledge"),
    path("<int:pk>/close/", views.alert_close_view, name="close"),
]
