from django.urls import path

from danvan.voter_contact import views

app_name = "voter_contact"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_new, name="new"),
    path("import-voices/", views.import_voices, name="import_voices"),
    path("import-voices/template.<str:fmt>", views.voice_template, name="voice_template"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/add/", views.recommendation_add, name="add"),
    path("<int:pk>/import/", views.import_voices, name="import"),
    path("<int:pk>/report/", views.session_report_view, name="report"),
    path("<int:pk>/report.xlsx", views.session_report_export, name="report_xlsx"),
]
