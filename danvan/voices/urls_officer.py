from django.urls import URLPattern, URLResolver, path

from danvan.voices import views_officer

app_name = "voices"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_officer.inbox, name="inbox"),
    path("bulk/", views_officer.inbox_bulk, name="bulk"),
    path("<str:tracking_code>/", views_officer.case_detail, name="case"),
    path("<str:tracking_code>/<slug:action>/", views_officer.case_action, name="case_action"),
]
