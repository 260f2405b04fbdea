from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from danvan.accounts.roles import Capability
from danvan.accounts.scope import can


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "units": can(user, Capability.VIEW),
            "bodies": can(user, Capability.VIEW),
            "audit": can(user, Capability.VIEW_AUDIT),
            "admin": user.is_superuser,
        }
    }
