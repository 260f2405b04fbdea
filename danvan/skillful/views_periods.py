"""The emulation periods' pages (``/models/periods/``): provincial staff create their province's
periods with yearly rounds, add rounds, and reach the criteria sets of each period; an
administrator also creates national periods. The services check everything again
(``period_create``, ``round_add``); a refusal comes back on the form with what was typed (400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.forms import add_service_errors
from danvan.skillful.forms_periods import PeriodForm, RoundForm
from danvan.skillful.models import CriteriaSet, EmulationPeriod, Level
from danvan.skillful.services_registry import period_create, round_add
from danvan.units.models import AdministrativeUnit
from danvan.voices.selectors import managed_provinces


def _manager_scope(request: HttpRequest) -> tuple[list[AdministrativeUnit], bool]:
    """The provinces whose periods the user manages, and whether they manage national ones."""
    provinces = managed_provinces(request.user)
    national = bool(request.user.is_superuser)
    if not provinces and not national:
        raise PermissionDenied(_("Only provincial staff manage a province's emulation periods."))
    return provinces, national


def _periods(provinces: list[AdministrativeUnit]) -> Any:
    return (
        EmulationPeriod.objects.filter(Q(province__isnull=True) | Q(province__in=provinces))
        .select_related("province")
        .prefetch_related("rounds")
        .order_by("-starts_on", "province__name")
    )


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    provinces, national = _manager_scope(request)
    form = PeriodForm(request.POST or None, provinces=provinces, national=national)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = period_create(
                    actor=Actor.from_request(request),
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    province=data["province"],
                    yearly_rounds=data["yearly_rounds"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The period %(name)s is created.") % {"name": period.name}
                )
                return redirect("skillful:period", pk=period.pk)
    return render(
        request,
        "skillful/periods/list.html",
        {"form": form, "periods": _periods(provinces)},
        status=status,
    )


@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    provinces, national = _manager_scope(request)
    period = get_object_or_404(_periods(provinces), pk=pk)
    may_manage = period.province in provinces if period.province_id else national
    form = RoundForm(request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not manage this period."))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = round_add(
                    actor=Actor.from_request(request),
                    period=period,
                    year=data["year"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The round of %(year)s is added.") % {"year": created.year}
                )
                return redirect("skillful:period", pk=period.pk)
    # The criteria sets of this period, per province the user manages and per level.
    sets = {
        (s.province_id, s.level): s
        for s in CriteriaSet.objects.filter(period=period, province__in=provinces)
    }
    criteria_rows = [
        {
            "province": province,
            "levels": [
                (Level(level).label, level, sets.get((province.pk, level))) for level in Level
            ],
        }
        for province in provinces
        if period.province_id is None or period.province_id == province.pk
    ]
    return render(
        request,
        "skillful/periods/detail.html",
        {
            "period": period,
            "rounds": list(period.rounds.all()),
            "form": form,
            "criteria_rows": criteria_rows,
        },
        status=status,
    )
