from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from danvan.accounts.roles import Capability
from danvan.accounts.scope import can
from danvan.audit.context import Actor
from danvan.audit.services import audit_sensitive_view
from danvan.lib.text import fold
from danvan.organizations.models import Body, BodyKind, Membership


@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.visible_to(request.user).active().select_related("unit")
    kind = request.GET.get("kind", "")
    if kind in BodyKind.values:
        bodies = bodies.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        folded = fold(query)
        bodies = bodies.filter(unit__name_folded__contains=folded) | bodies.filter(
            name__icontains=query
        )
    page = Paginator(bodies.order_by("unit__path", "kind", "name"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organizations/list.html",
        {"page": page, "kinds": BodyKind.choices, "kind": kind, "query": query},
    )


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(
        Body.objects.visible_to(request.user).select_related("unit", "parent"), pk=pk
    )
    members = (
        Membership.objects.visible_to(request.user)
        .filter(body=body)
        .active()
        .select_related("user")
    )
    children = Body.objects.visible_to(request.user).filter(parent=body).active()
    return render(
        request,
        "organizations/detail.html",
        {"body": body, "members": members, "children": children},
    )


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer's card. Contact details are personal data: shown only with the right, and logged."""
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("user", "body", "body__unit"),
        pk=pk,
    )
    officer = membership.user
    show_contact = can(request.user, Capability.VIEW_PERSONAL_DATA, membership.body.unit)
    if show_contact and officer.pk != request.user.pk:
        audit_sensitive_view(
            actor=Actor.from_request(request),
            obj=officer,
            fields=["email", "phone"],
            unit=membership.body.unit,
        )
    others = (
        Membership.objects.visible_to(request.user)
        .filter(user=officer)
        .active()
        .select_related("body")
    )
    return render(
        request,
        "organizations/member.html",
        {
            "membership": membership,
            "officer": officer,
            "show_contact": show_contact,
            "others": others,
        },
    )
