from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from danvan.lib.roles import Capability
from danvan.lib.scoping import can, scope_for

# The menu group (base.html) each app's pages belong to, to mark the group of the current page.
_SECTIONS = {
    "voices": "intake",
    "voter_contact": "intake",
    "deadlines": "intake",
    "insight": "insight",
    "alerts": "insight",
    "dashboards": "insight",
    "search": "insight",
    "reports": "reports",
    "skillful": "reports",
    "units": "admin",
    "organizations": "admin",
    "audit": "admin",
    "accounts": "account",
}


def _section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.app_name == "voices" and match.url_name == "topics":
        return "admin"
    return _SECTIONS.get(match.app_name, "")


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    # The scope itself, not a query: this runs on every page (a province-wide prefix is enough).
    manage = scope_for(user, Capability.MANAGE_BODIES)
    return {
        "nav": {
            "section": _section(request),
            # A province's topics are managed by whoever manages its bodies province-wide.
            "topics": manage.is_global or any(p.count("/") == 2 for p in manage.prefixes),
            "units": can(user, Capability.VIEW),
            "bodies": can(user, Capability.VIEW),
            "audit": can(user, Capability.VIEW_AUDIT),
            "admin": user.is_superuser,
        }
    }
