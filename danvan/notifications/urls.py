from django.urls import URLPattern, URLResolver, path

from danvan.notifications import views

app_name = "notifications"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
]
