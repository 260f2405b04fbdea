"""The periodic jobs and their runs, for the administrator: browse only (the runners write)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from danvan.periodic.jobs import JOBS
from danvan.periodic.models import PeriodicJob, PeriodicRun

_SCHEDULES = {job.name: job for job in JOBS}


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PeriodicJob)
class PeriodicJobAdmin(_ReadOnly, admin.ModelAdmin[PeriodicJob]):
    list_display = [
        "name",
        "schedule",
        "last_status",
        "last_started_at",
        "last_ok_at",
        "lease_holder",
        "lease_until",
        "runs",
    ]
    list_filter = ["last_status"]
    readonly_fields = ["schedule", "description", "runs"]

    @admin.display(description=_("schedule"))
    def schedule(self, obj: PeriodicJob) -> str:
        job = _SCHEDULES.get(obj.name)
        return str(job.schedule) if job else str(_("no longer in the list"))

    @admin.display(description=_("description"))
    def description(self, obj: PeriodicJob) -> str:
        job = _SCHEDULES.get(obj.name)
        return job.description if job else ""

    @admin.display(description=_("runs"))
    def runs(self, obj: PeriodicJob) -> str:
        url = reverse("admin:periodic_periodicrun_changelist") + f"?job__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("runs"))


@admin.register(PeriodicRun)
class PeriodicRunAdmin(_ReadOnly, admin.ModelAdmin[PeriodicRun]):
    list_display = ["job", "started_at", "status", "duration", "summary", "holder"]
    list_filter = ["status", "job"]
    list_select_related = ["job"]
    date_hierarchy = "started_at"
