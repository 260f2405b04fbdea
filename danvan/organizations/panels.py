"""The bodies on a unit, as a panel of the unit's page (``units.panels``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Body
from danvan.units.models import AdministrativeUnit


def unit_bodies_panel(request: HttpRequest, unit: AdministrativeUnit) -> SafeString:
    """The bodies registered at ``unit`` that the user may see, and the link to register one."""
    bodies = Body.objects.visible_to(request.user).filter(unit=unit).active()
    return render_to_string(
        "organizations/_unit_bodies.html",
        {
            "unit": unit,
            "bodies": bodies,
            "can_manage_bodies": unit.is_current
            and can(request.user, Capability.MANAGE_BODIES, unit),
        },
        request=request,
    )
