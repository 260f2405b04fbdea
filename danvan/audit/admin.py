from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from danvan.audit.actions import action_label, protected_addresses
from danvan.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Browse only: the audit log is append-only."""

    list_display = ["at", "actor_label", "action_name", "object_repr", "unit", "address"]
    list_filter = ["action", "is_sensitive_view"]
    search_fields = ["actor_label", "object_repr", "action"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditEntry) -> str:
        return f"{action_label(obj.action)} ({obj.action})"

    @admin.display(description=_("IP address"))
    def address(self, obj: AuditEntry) -> str:
        # The changelist gives no request here: judged as for a reader without the right to see
        # a denouncer's identity (no system administrator has it).
        if obj.pk in protected_addresses(None, [obj]):
            return str(_("protected"))
        return obj.ip_address or "—"

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.pk in protected_addresses(request.user, [obj]):
            return ["ip_address", "user_agent"]
        return super().get_exclude(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
