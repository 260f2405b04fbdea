"""The pages that prepare evaluations: a province's criteria sets (bộ tiêu chí) and the
councils (hội đồng) that score models. Provincial staff manage the sets, those with
``MANAGE_BODIES`` on a unit its councils; a refusal comes back on the form (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.skillful.forms_evaluation import (
    CouncilEditForm,
    CouncilForm,
    CriteriaSetEditForm,
    CriteriaSetForm,
    CriterionFormSet,
    GradeFormSet,
    criteria_specs,
    grade_specs,
)
from danvan.skillful.models import (
    CriteriaSet,
)
from danvan.skillful.selectors_evaluation import (
    council_get,
    council_members,
    councils_seen_by,
    criteria_set_get,
    criteria_sets_of,
)
from danvan.skillful.selectors_registry import units_where
from danvan.skillful.services_criteria import (
    council_create,
    council_update,
    criteria_set_create,
    criteria_set_update,
)
from danvan.units.models import AdministrativeUnit
from danvan.voices.selectors import managed_provinces

# --- Criteria sets --------------------------------------------------------------------------------


def _province_for(request: HttpRequest) -> tuple[list[AdministrativeUnit], AdministrativeUnit]:
    provinces = managed_provinces(request.user)
    if not provinces:
        raise PermissionDenied(_("Only provincial staff manage a province's criteria sets."))
    code = request.GET.get("province") or request.POST.get("province") or provinces[0].code
    return provinces, next((p for p in provinces if p.code == code), provinces[0])


@login_required
def criteria_set_list(request: HttpRequest) -> HttpResponse:
    provinces, province = _province_for(request)
    sets = criteria_sets_of(province)
    return render(
        request,
        "skillful/evaluation/criteria_sets.html",
        {"provinces": provinces, "province": province, "sets": sets},
    )


def _set_form_page(
    request: HttpRequest,
    *,
    province: AdministrativeUnit,
    form: Any,
    criteria: Any,
    grades: Any,
    criteria_set: CriteriaSet | None,
    save: Callable[[], str],
) -> HttpResponse:
    """A criteria set's form. Posted and valid, ``save()`` calls the service and says what to
    tell the user, then back to the province's sets; refused, the form again with the reasons."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and criteria.is_valid() and grades.is_valid():
            try:
                done = save()
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, done)
                return redirect(f"{reverse('skillful:criteria_sets')}?province={province.code}")
    return render(
        request,
        "skillful/evaluation/criteria_set_form.html",
        {
            "province": province,
            "form": form,
            "criteria_formset": criteria,
            "grade_formset": grades,
            "criteria_set": criteria_set,
        },
        status=status,
    )


@login_required
def criteria_set_create_view(request: HttpRequest) -> HttpResponse:
    _provinces, province = _province_for(request)
    data = request.POST if request.method == "POST" else None
    # The period's page links here with the period and the level chosen.
    form = CriteriaSetForm(
        data,
        province=province,
        initial={"period": request.GET.get("period"), "level": request.GET.get("level")},
    )
    criteria = CriterionFormSet(data, prefix="criteria")
    grades = GradeFormSet(
        data,
        prefix="grades",
        initial=[
            {"name": "Xuất sắc", "min_score": 90, "recognizes": True},
            {"name": "Tốt", "min_score": 75, "recognizes": True},
            {"name": "Không công nhận", "min_score": 0, "recognizes": False},
        ],
    )

    def save() -> str:
        created = criteria_set_create(
            actor=Actor.from_request(request),
            province=province,
            period=form.cleaned_data["period"],
            level=form.cleaned_data["level"],
            name=form.cleaned_data["name"],
            criteria=criteria_specs(criteria),
            grades=grade_specs(grades),
        )
        return _("Criteria set “%(name)s” saved.") % {"name": created}

    return _set_form_page(
        request,
        province=province,
        form=form,
        criteria=criteria,
        grades=grades,
        criteria_set=None,
        save=save,
    )


@login_required
def criteria_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criteria_set = criteria_set_get(pk)
    if not can(request.user, Capability.MANAGE_BODIES, criteria_set.province):
        raise PermissionDenied(
            _("You may not manage the criteria sets of %(unit)s.")
            % {"unit": criteria_set.province.name}
        )
    data = request.POST if request.method == "POST" else None
    form = CriteriaSetEditForm(data, initial={"name": criteria_set.name})
    criteria = CriterionFormSet(
        data,
        prefix="criteria",
        initial=[
            {
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "max_score": c.max_score,
            }
            for c in criteria_set.criteria.all()
        ],
    )
    grades = GradeFormSet(
        data,
        prefix="grades",
        initial=[
            {"name": g.name, "min_score": g.min_score, "recognizes": g.recognizes}
            for g in criteria_set.grades.all()
        ],
    )

    def save() -> str:
        criteria_set_update(
            actor=Actor.from_request(request),
            criteria_set=criteria_set,
            name=form.cleaned_data["name"],
            criteria=criteria_specs(criteria),
            grades=grade_specs(grades),
        )
        return _("Criteria set saved.")

    return _set_form_page(
        request,
        province=criteria_set.province,
        form=form,
        criteria=criteria,
        grades=grades,
        criteria_set=criteria_set,
        save=save,
    )


# --- Councils ---------------------------------------------------------------------------------------


@login_required
def council_list(request: HttpRequest) -> HttpResponse:
    # A council evaluates at its unit's level: provinces, communes and villages.
    units = units_where(request.user, Capability.MANAGE_BODIES)
    may_manage = units.exists()
    form = CouncilForm(request.POST or None, units=units) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not set up councils."))
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            try:
                council = council_create(
                    actor=Actor.from_request(request),
                    unit=unit,
                    level=unit.tier,
                    period=form.cleaned_data["period"],
                    name=form.cleaned_data["name"],
                    members=form.cleaned_data["members"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Council “%(name)s” set up.") % {"name": council})
                return redirect("skillful:councils")
    councils = councils_seen_by(cast(User, request.user))  # login_required: never anonymous
    return render(
        request,
        "skillful/evaluation/councils.html",
        {"councils": councils, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def council_edit(request: HttpRequest, pk: int) -> HttpResponse:
    council = council_get(pk)
    if not can(request.user, Capability.MANAGE_BODIES, council.unit):
        raise PermissionDenied(
            _("You may not manage the councils of %(unit)s.") % {"unit": council.unit.name}
        )
    form = CouncilEditForm(
        request.POST or None,
        initial={
            "name": council.name,
            "members": " ".join(m.get_username() for m in council_members(council)),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            council_update(
                actor=Actor.from_request(request),
                council=council,
                name=form.cleaned_data["name"],
                members=form.cleaned_data["members"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Council saved."))
            return redirect("skillful:councils")
    return render(
        request,
        "skillful/evaluation/council_edit.html",
        {"council": council, "form": form, "members": council_members(council)},
        status=400 if form.errors else 200,
    )
