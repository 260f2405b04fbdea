from django.urls import path

from danvan.reports import views, views_statistics

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("statistics/", views_statistics.statistics_page, name="statistics"),
    path("statistics/export.xlsx", views_statistics.statistics_export, name="statistics_export"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/document.docx", views.report_download, name="download"),
    path(
        "<int:pk>/<str:action>/",
        views.report_act,
        name="act",
    ),
]
