from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from danvan.audit.actions import action_label, protected_addresses
from danvan.audit.models import AuditEntry


class AuditChangeList(ChangeList):
    """The page of entries, with the addresses to hide judged once for the whole page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # The changelist gives the columns no request: judged as for a reader without the right
        # to see a denouncer's identity (no system administrator has it).
        hidden = protected_addresses(None, self.result_list)
        for entry in self.result_list:
            entry.address_hidden = entry.pk in hidden


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Browse only: the audit log is append-only."""

    list_display = ["at", "actor_label", "action_name", "object_repr", "unit", "address"]
    # The unit may be empty, so the admin would not join it by itself.
    list_select_related = ["unit"]
    list_filter = ["action", "is_sensitive_view"]
    search_fields = ["actor_label", "object_repr", "action"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditEntry) -> str:
        return f"{action_label(obj.action)} ({obj.action})"

    @admin.display(description=_("IP address"))
    def address(self, obj: AuditEntry) -> str:
        hidden = getattr(obj, "address_hidden", None)
        if hidden is None:  # not listed by AuditChangeList
            hidden = obj.pk in protected_addresses(None, [obj])
        if hidden:
            return str(_("protected"))
        return obj.ip_address or "—"

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return AuditChangeList

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
