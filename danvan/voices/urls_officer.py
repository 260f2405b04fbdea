from django.urls import URLPattern, URLResolver, path

from danvan.voices import exports, views_case, views_import, views_inbox, views_topics

app_name = "voices"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_inbox.inbox, name="inbox"),
    path("bulk/", views_inbox.inbox_bulk, name="bulk"),
    path("export.xlsx", exports.inbox_export, name="export"),
    path("export/<int:pk>/", exports.export_job, name="export_job"),
    path("export/<int:pk>/progress/", exports.export_job_progress, name="export_job_progress"),
    path("export/<int:pk>/download/", exports.export_job_download, name="export_job_download"),
    path("overdue/", views_inbox.overdue_list, name="overdue"),
    path("topics/", views_topics.topic_list, name="topics"),
    path("topics/<int:pk>/", views_topics.topic_edit, name="topic_edit"),
    path("import/<int:pk>/", views_import.import_job, name="import_job"),
    path("import/<int:pk>/progress/", views_import.import_job_progress, name="import_job_progress"),
    path("<str:tracking_code>/", views_case.case_detail, name="case"),
    path("<str:tracking_code>/identity/", views_case.case_identity, name="case_identity"),
    path("<str:tracking_code>/file/", views_case.case_file, name="case_file"),
    path(
        "<str:tracking_code>/attachments/<int:pk>/",
        views_case.case_attachment,
        name="case_attachment",
    ),
    path("<str:tracking_code>/<slug:action>/", views_case.case_action, name="case_action"),
]
