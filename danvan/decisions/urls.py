from django.urls import path

from danvan.decisions import views

app_name = "decisions"

urlpatterns = [
    path("case/<str:tracking_code>/new/", views.decision_new, name="new"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/document.docx", views.decision_download, name="download"),
    path("<int:pk>/<str:action>/", views.decision_act, name="act"),
]
