from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from danvan.accounts.roles import Capability
from danvan.accounts.scope import can, scope_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    manage = scope_for(user, Capability.MANAGE_BODIES)
    return {
        "nav": {
            # A province's topics are managed by whoever manages its bodies province-wide.
            "topics": manage.is_global or any(p.count("/") == 2 for p in manage.prefixes),
            "units": can(user, Capability.VIEW),
            "bodies": can(user, Capability.VIEW),
            "audit": can(user, Capability.VIEW_AUDIT),
            "admin": user.is_superuser,
        }
    }
