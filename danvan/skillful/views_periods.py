"""The emulation periods' pages (``/models/periods/``): provincial staff create their province's
periods with yearly rounds, add rounds, and reach the criteria sets of each period; an
administrator also creates national periods. The services check everything again
(``period_create``, ``round_add``); a refusal comes back on the form with what was typed (400)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.skillful.forms_periods import PeriodForm, RoundForm
from danvan.skillful.selectors_registry import criteria_rows, period_managed, periods_managed
from danvan.skillful.services_periods import period_create, round_add
from danvan.skillful.views_forms import submit
from danvan.units.models import AdministrativeUnit
from danvan.voices.selectors import managed_provinces


def _manager_scope(request: HttpRequest) -> tuple[list[AdministrativeUnit], bool]:
    """The provinces whose periods the user manages, and whether they manage national ones."""
    provinces = managed_provinces(request.user)
    national = bool(request.user.is_superuser)
    if not provinces and not national:
        raise PermissionDenied(_("Only provincial staff manage a province's emulation periods."))
    return provinces, national


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    provinces, national = _manager_scope(request)
    form = PeriodForm(request.POST or None, provinces=provinces, national=national)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            period, _status = submit(
                request,
                form,
                lambda: period_create(
                    actor=Actor.from_request(request),
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    province=data["province"],
                    yearly_rounds=data["yearly_rounds"],
                ),
                lambda created: _("The period %(name)s is created.") % {"name": created.name},
            )
            if period is not None:
                return redirect("skillful:period", pk=period.pk)
    return render(
        request,
        "skillful/periods/list.html",
        {"form": form, "periods": periods_managed(provinces)},
        status=status,
    )


@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    provinces, national = _manager_scope(request)
    period = period_managed(provinces, pk)
    may_manage = period.province in provinces if period.province_id else national
    form = RoundForm(request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not manage this period."))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            created, _status = submit(
                request,
                form,
                lambda: round_add(
                    actor=Actor.from_request(request),
                    period=period,
                    year=data["year"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                ),
                lambda added: _("The round of %(year)s is added.") % {"year": added.year},
            )
            if created is not None:
                return redirect("skillful:period", pk=period.pk)
    return render(
        request,
        "skillful/periods/detail.html",
        {
            "period": period,
            "rounds": list(period.rounds.all()),
            "form": form,
            "criteria_rows": criteria_rows(period, provinces),
        },
        status=status,
    )
