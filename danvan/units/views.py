from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.lib.forms import template_download
from danvan.lib.importing import import_page
from danvan.lib.roles import Capability
from danvan.lib.scoping import can, scope_for
from danvan.lib.text import fold, natural_key
from danvan.lib.uploads import upload_limit
from danvan.units.forms import VillageForm, VillageImportForm
from danvan.units.importing import VillageImporter
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.units.panels import unit_panels
from danvan.units.selectors import scope_roots, unit_search
from danvan.units.services import unit_set_remote, village_create


def _visible_unit(request: HttpRequest, code: str) -> AdministrativeUnit:
    return get_object_or_404(
        AdministrativeUnit.objects.visible_to(request.user).select_related("parent"), code=code
    )


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """Entry point: the user's top units, and a search box over everything in scope."""
    scope = scope_for(request.user, Capability.VIEW)
    query = request.GET.get("q", "").strip()
    results = (
        list(unit_search(user=request.user, query=query, limit=50).select_related("parent"))
        if query
        else []
    )
    roots = scope_roots(scope)
    return render(
        request,
        "units/list.html",
        {"roots": roots, "query": query, "results": results, "scope": scope},
    )


@login_required
def unit_search_view(request: HttpRequest) -> HttpResponse:
    """Suggestions for unit pickers: an HTML fragment (HTMX), or JSON with ?format=json."""
    # ``q`` from the units page; a form's own field name (``unit``) from a ``UnitField``.
    query = (request.GET.get("q") or request.GET.get("unit") or "")[:100]
    tiers = [t for t in request.GET.getlist("tier") if t in UnitTier.values]
    units = unit_search(
        user=request.user, query=query, tiers=tiers or None, limit=15
    ).select_related("parent")
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "results": [
                    {
                        "code": u.code,
                        "name": u.name,
                        "tier": u.tier,
                        "parent": u.parent.name if u.parent else None,
                    }
                    for u in units
                ]
            }
        )
    return render(request, "units/_search_results.html", {"units": units, "query": query})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = _visible_unit(request, code)
    children = AdministrativeUnit.objects.visible_to(request.user).filter(parent=unit)
    show_old = request.GET.get("old") == "1"
    if not show_old:
        children = children.current()
    child_query = request.GET.get("q", "").strip()
    if child_query:
        children = children.filter(name_folded__contains=fold(child_query))
    can_manage = (
        unit.is_commune and unit.is_current and can(request.user, Capability.MANAGE_UNITS, unit)
    )
    can_set_remote = unit.parent is not None and (
        request.user.is_superuser or can(request.user, Capability.MANAGE_UNITS, unit.parent)
    )
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "ancestors": [a for a in unit.ancestors() if can(request.user, Capability.VIEW, a)],
            "children": sorted(children, key=lambda u: (u.tier, natural_key(u.name))),
            "child_query": child_query,
            "panels": unit_panels(request, unit),
            "predecessors": unit.predecessors.all(),
            "successors": unit.successors.all(),
            "can_manage": can_manage,
            "can_set_remote": can_set_remote,
            "village_form": VillageForm() if can_manage else None,
            "show_old": show_old,
        },
    )


@login_required
@require_POST
def village_add(request: HttpRequest, code: str) -> HttpResponse:
    commune = _visible_unit(request, code)
    form = VillageForm(request.POST)
    if form.is_valid():
        try:
            village = village_create(
                actor=Actor.from_request(request),
                commune=commune,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
            )
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("name", message)
        else:
            messages.success(
                request,
                _("Added %(name)s (code %(code)s).") % {"name": village.name, "code": village.code},
            )
            return redirect("units:detail", code=commune.code)
    return render(request, "units/village_add.html", {"unit": commune, "form": form}, status=400)


@login_required
@upload_limit("DANVAN_MAX_IMPORT_BYTES")
def village_import(request: HttpRequest, code: str) -> HttpResponse:
    commune = _visible_unit(request, code)
    if not commune.is_commune or not can(request.user, Capability.MANAGE_UNITS, commune):
        raise PermissionDenied(_("You may not add villages to %(unit)s.") % {"unit": commune.name})
    detail = reverse("units:detail", args=[commune.code])
    return import_page(
        request,
        VillageImporter(default_commune=commune.code),
        actor=Actor.from_request(request),
        form_class=VillageImportForm,
        template_name="units/village_import.html",
        imported_message=_("Imported %(count)s villages and residential groups."),
        done_url=detail,
        context={
            "unit": commune,
            "back_url": detail,
            "template_xlsx_url": reverse("units:village_template", args=["xlsx"]),
            "template_csv_url": reverse("units:village_template", args=["csv"]),
        },
    )


@login_required
def village_template(request: HttpRequest, fmt: str) -> HttpResponse:
    importer = VillageImporter()
    return template_download(
        fmt, name=importer.name, xlsx=importer.template_xlsx, csv=importer.template_csv
    )


@login_required
@require_POST
def unit_remote(request: HttpRequest, code: str) -> HttpResponse:
    unit = _visible_unit(request, code)
    unit_set_remote(
        actor=Actor.from_request(request), unit=unit, is_remote=request.POST.get("is_remote") == "1"
    )
    messages.success(request, _("Saved."))
    return redirect("units:detail", code=unit.code)
