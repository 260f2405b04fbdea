from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from danvan.lib.roles import Capability, Role
from danvan.lib.scoping import can, scope_for
from danvan.organizations.models import Body, Membership
from danvan.units.models import AdministrativeUnit, UnitTier


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(
        Membership.objects.active().filter(user=user).select_related("body", "body__unit")
    )
    roles = sorted({m.role for m in memberships}, key=list(Role.values).index)
    if user.is_superuser and Role.SYSTEM_ADMIN not in roles:
        roles.insert(0, Role.SYSTEM_ADMIN)
    scope = scope_for(user, Capability.VIEW)  # shown as such: "you see nothing yet"
    units = AdministrativeUnit.objects.visible_to(user).current()
    stats = {
        "communes": units.filter(tier=UnitTier.COMMUNE).count(),
        "villages": units.filter(tier=UnitTier.VILLAGE).count(),
        "bodies": Body.objects.visible_to(user).active().count(),
    }
    return render(
        request,
        "web/home.html",
        {
            "memberships": memberships,
            "role_labels": [Role(r).label for r in roles],
            "scope": scope,
            "stats": stats,
            "can_act": can(user, Capability.ACT),
        },
    )


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
