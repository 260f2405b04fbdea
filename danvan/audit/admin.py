from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from danvan.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Browse only: the audit log is append-only."""

    list_display = ["at", "actor_label", "action", "object_repr", "unit", "ip_address"]
    list_filter = ["action", "is_sensitive_view"]
    search_fields = ["actor_label", "object_repr", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
