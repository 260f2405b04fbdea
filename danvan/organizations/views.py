from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_sensitive_view
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import fold
from danvan.organizations.forms import BodyForm, MembershipForm
from danvan.organizations.models import Body, BodyKind, Membership
from danvan.organizations.services import body_create, membership_add, membership_end
from danvan.units.models import AdministrativeUnit


@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.visible_to(request.user).active().select_related("unit")
    kind = request.GET.get("kind", "")
    if kind in BodyKind.values:
        bodies = bodies.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        folded = fold(query)
        bodies = bodies.filter(
            Q(unit__name_folded__contains=folded) | Q(name_folded__contains=folded)
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
    can_manage = can(request.user, Capability.MANAGE_BODIES, body.unit)
    form = MembershipForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(
                _("You may not manage bodies of %(unit)s.") % {"unit": body.unit.name}
            )
        if form.is_valid():
            try:
                membership_add(
                    actor=Actor.from_request(request),
                    user=form.cleaned_data["username"],
                    body=body,
                    role=form.cleaned_data["role"],
                    position=form.cleaned_data["position"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("username", message)
            else:
                messages.success(request, _("Member added."))
                return redirect("organizations:detail", pk=body.pk)
    return render(
        request,
        "organizations/detail.html",
        {
            "body": body,
            "members": members,
            "children": children,
            "can_manage": can_manage,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def body_add(request: HttpRequest, code: str) -> HttpResponse:
    """Register a body (cơ quan, tổ chức) at a unit."""
    unit = get_object_or_404(AdministrativeUnit.objects.visible_to(request.user), code=code)
    if not can(request.user, Capability.MANAGE_BODIES, unit):
        raise PermissionDenied(_("You may not manage bodies of %(unit)s.") % {"unit": unit.name})
    parents = (
        Body.objects.visible_to(request.user).active().filter(unit__in=[*unit.ancestors(), unit])
    )
    form = BodyForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            body = body_create(
                actor=Actor.from_request(request),
                unit=unit,
                kind=data["kind"],
                name=data["name"],
                short_name=data["short_name"],
                parent=data["parent"],
                member_organization=data["member_organization"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Body registered."))
            return redirect("organizations:detail", pk=body.pk)
    return render(
        request,
        "organizations/body_add.html",
        {"unit": unit, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def membership_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("body__unit", "user"), pk=pk
    )
    if request.method != "POST":
        return redirect("organizations:member", pk=pk)
    membership_end(actor=Actor.from_request(request), membership=membership)
    messages.success(request, _("Membership ended."))
    return redirect("organizations:detail", pk=membership.body.pk)


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
