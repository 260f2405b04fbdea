"""Administration of the models: read-only. Models, their indicators, reports and evidence change
only through the registry's services (which check scope and versions and write the audit log);
the administrator can look, search and follow links. Evidence files are not linked from here:
they are served only by the access-checked evidence view."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from danvan.skillful.models import EmulationPeriod, Indicator, MobilizationModel


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IndicatorInline(_ReadOnly, admin.TabularInline[Indicator, MobilizationModel]):
    model = Indicator
    fields = ["name", "unit_of_measure", "baseline", "target"]
    extra = 0


@admin.register(MobilizationModel)
class MobilizationModelAdmin(_ReadOnly, admin.ModelAdmin[MobilizationModel]):
    list_display = ["code", "name", "field", "level", "status", "unit", "period", "year"]
    list_filter = ["status", "field", "level", "period"]
    search_fields = ["code", "name"]
    list_select_related = ["unit", "period"]
    exclude = ["partner_bodies"]
    inlines = [IndicatorInline]


@admin.register(EmulationPeriod)
class EmulationPeriodAdmin(_ReadOnly, admin.ModelAdmin[EmulationPeriod]):
    list_display = ["name", "starts_on", "ends_on", "province"]
    list_select_related = ["province"]
