from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("danvan.accounts.urls")),
    path("units/", include("danvan.units.urls")),
    path("bodies/", include("danvan.organizations.urls")),
    path("audit/", include("danvan.accounts.urls_audit")),
    path("deadlines/", include("danvan.deadlines.urls")),
    path("y-kien/", include("danvan.voices.urls_public")),
    path("cases/", include("danvan.voices.urls_officer")),
    path("voter-contact/", include("danvan.voter_contact.urls")),
    path("models/", include("danvan.skillful.urls")),
    path("mo-hinh/", include("danvan.skillful.urls_public")),
    path("issues/", include("danvan.insight.urls")),
    path("search/", include("danvan.search.urls")),
    path("alerts/", include("danvan.alerts.urls")),
    path("dashboard/", include("danvan.dashboards.urls")),
    path("reports/", include("danvan.reports.urls")),
    path("decisions/", include("danvan.decisions.urls")),
    # The overdue list per body was here; notifications sent before it moved still link to it.
    path(
        "notifications/overdue/",
        RedirectView.as_view(pattern_name="voices:overdue", permanent=True, query_string=True),
    ),
    path("notifications/", include("danvan.notifications.urls")),
    path("", include("danvan.api.urls")),
    path("", include("danvan.web.urls")),
]

# MEDIA_ROOT is never served as such, not even with DEBUG on: it holds citizens' attachments and
# officers' uploaded files, which only access-checked views hand out.
