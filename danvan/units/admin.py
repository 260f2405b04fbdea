from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from danvan.units.models import AdministrativeUnit, UnitSuccession


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin[AdministrativeUnit]):
    """Read-only: units change through load_units, the unit pages and their services."""

    list_display = ["code", "name", "kind", "parent", "is_remote", "valid_from", "valid_to"]
    list_filter = ["tier", "kind", "is_remote"]
    search_fields = ["code", "name", "name_folded"]
    ordering = ["path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin[UnitSuccession]):
    list_display = ["predecessor", "successor", "effective_date", "legal_basis"]
    raw_id_fields = ["predecessor", "successor"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
