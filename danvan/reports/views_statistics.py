"""The statistics page (``/reports/statistics/``) and its workbooks (``statistics/export.xlsx``).

An officer picks a unit they may see (their highest unit by default) and a period (a month, a
quarter, six months, a year or a range of days; the current quarter by default), sees the three
standard tables and downloads each of them, or all of them, as XLSX in Vietnamese. A unit outside
the officer's scope is "not found"; a user with no unit at all is refused; a period that does not
exist is an error on the form, never a crash.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_export
from danvan.lib.roles import Capability
from danvan.lib.scoping import can, scope_for
from danvan.lib.xlsx import xlsx_response
from danvan.organizations.models import Membership
from danvan.reports.periods import (
    PERIOD_KINDS,
    PeriodError,
    ReportPeriod,
    parse_period,
    period_containing,
)
from danvan.reports.stats_table import Table, unit_title
from danvan.reports.workbooks import TABLES, build_statistics_workbook, make_table
from danvan.units.models import AdministrativeUnit
from danvan.units.selectors import scope_roots

__all__ = ["StatisticsForm", "statistics_export", "statistics_page"]


class StatisticsForm(forms.Form):
    """The period, chosen by its kind and number, or as dates for a range; or written out in
    ``period`` (``2026-Q3``), as the download links do."""

    kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_KINDS, required=False)
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False
    )
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        choices=[(m, str(m)) for m in range(1, 13)],
        coerce=int,
        required=False,
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        choices=[(q, ("I", "II", "III", "IV")[q - 1]) for q in range(1, 5)],
        coerce=int,
        required=False,
    )
    half = forms.TypedChoiceField(
        label=gettext_lazy("Six months"),
        choices=[(1, gettext_lazy("First six months")), (2, gettext_lazy("Last six months"))],
        coerce=int,
        required=False,
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        today = today or timezone.localdate()
        self.today = today
        kwargs.setdefault(
            "initial",
            {
                "kind": "quarter",
                "year": today.year,
                "month": today.month,
                "quarter": (today.month - 1) // 3 + 1,
                "half": 1 if today.month <= 6 else 2,
            },
        )
        super().__init__(*args, **kwargs)

    def _code(self, data: dict[str, Any]) -> str:
        year = data.get("year") or self.today.year
        match data.get("kind") or "quarter":
            case "month":
                return f"{year}-{data.get('month') or self.today.month:02d}"
            case "half":
                return f"{year}-H{data.get('half') or (1 if self.today.month <= 6 else 2)}"
            case "year":
                return str(year)
            case "range":
                start, end = data.get("start"), data.get("end")
                if not start or not end:
                    raise forms.ValidationError(_("Give both the first and the last day."))
                return f"{start.isoformat()}..{end.isoformat()}"
            case _:
                return f"{year}-Q{data.get('quarter') or (self.today.month - 1) // 3 + 1}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        written = (data.get("period") or "").strip()
        try:
            data["report_period"] = parse_period(written or self._code(data))
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        return data

    def chosen_period(self) -> ReportPeriod | None:
        """The period asked for (the current quarter when nothing was asked); None when the
        form has errors."""
        if not self.is_bound:
            return period_containing("quarter", self.today)
        if not self.is_valid():
            return None
        period: ReportPeriod = self.cleaned_data["report_period"]
        return period


# --- Which units -----------------------------------------------------------------------------------


def _highest_units(user: User | AnonymousUser) -> list[AdministrativeUnit]:
    """The user's own top units, highest first; for a global role, the provinces (the one of
    the user's own body first)."""
    scope = scope_for(user, Capability.VIEW)
    if scope.is_global:
        provinces = list(scope_roots(scope).order_by("name"))
        own = set(
            Membership.objects.active().filter(user=user).values_list("body__unit__path", flat=True)
        )
        provinces.sort(key=lambda u: not any(p.startswith(u.path) for p in own))
        return provinces
    return sorted(scope_roots(scope), key=lambda u: (u.path.count("/"), u.name))


def unit_options(user: User | AnonymousUser) -> list[tuple[AdministrativeUnit, int]]:
    """The units to pick from, with their depth for the list: the user's top units and the units
    directly below each (for a global role, the provinces alone)."""
    tops = _highest_units(user)
    if scope_for(user, Capability.VIEW).is_global:  # the provinces: not the units below them
        return [(u, 0) for u in tops]
    below: dict[int, list[AdministrativeUnit]] = {}
    for child in (
        AdministrativeUnit.objects.current().filter(parent__in=tops).order_by("name", "code")
    ):
        below.setdefault(child.parent_id or 0, []).append(child)
    options: list[tuple[AdministrativeUnit, int]] = []
    for top in tops:
        options.append((top, 0))
        options.extend((child, 1) for child in below.get(top.pk, []))
    return options


def _unit_for(request: HttpRequest) -> AdministrativeUnit:
    if not can(request.user, Capability.VIEW):
        raise PermissionDenied(_("You have no unit to see statistics for."))
    code = request.GET.get("unit", "").strip()
    if code:
        unit = (
            AdministrativeUnit.objects.visible_to(request.user, Capability.VIEW)
            .filter(code=code)
            .first()
        )
        if unit is None:
            raise Http404(_("No such unit among yours."))
        return unit
    tops = _highest_units(request.user)
    if not tops:
        raise PermissionDenied(_("You have no unit to see statistics for."))
    return tops[0]


def _query(unit: AdministrativeUnit, period: ReportPeriod, table: str = "") -> str:
    values = {"unit": unit.code, "period": period.code}
    if table:
        values["table"] = table
    return urlencode(values)


# --- Pages -----------------------------------------------------------------------------------------


def _render(
    request: HttpRequest,
    *,
    form: StatisticsForm,
    unit: AdministrativeUnit,
    period: ReportPeriod | None,
    status: int = 200,
) -> HttpResponse:
    tables = []
    if period is not None:
        for name in TABLES:
            table = make_table(name, unit=unit, period=period)
            tables.append((table, _query(unit, period, name)))
    options = unit_options(request.user)
    if all(option.pk != unit.pk for option, _depth in options):
        options.insert(0, (unit, 0))
    child_codes = dict(
        AdministrativeUnit.objects.current().filter(parent=unit).values_list("name", "code")
    )
    return render(
        request,
        "reports/statistics.html",
        {
            "form": form,
            "unit": unit,
            "unit_title": unit_title(unit),
            "options": options,
            "period": period,
            "tables": tables,
            "child_codes": child_codes,
            "all_query": _query(unit, period) if period is not None else "",
            "trail": _trail(request.user, unit),
        },
        status=status,
    )


def _trail(user: User | AnonymousUser, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit's ancestors the user sees, for the way back up."""
    return [u for u in unit.ancestors() if can(user, Capability.VIEW, u)]


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """The three standard tables for the unit and period chosen, each downloadable."""
    unit = _unit_for(request)
    data = request.GET.copy()
    data.pop("unit", None)
    form = StatisticsForm(data or None)
    period = form.chosen_period()
    if period is not None and form.is_bound and not data.get("kind") and data.get("period"):
        # A link written as ``?period=2026-Q3``: show the form with that period chosen.
        form = StatisticsForm(None, initial=_initial_for(period))
    return _render(request, form=form, unit=unit, period=period)


def _initial_for(period: ReportPeriod) -> dict[str, Any]:
    initial: dict[str, Any] = {"kind": period.kind, "year": period.start.year}
    if period.kind == "month":
        initial["month"] = period.start.month
    elif period.kind == "quarter":
        initial["quarter"] = (period.start.month - 1) // 3 + 1
    elif period.kind == "half":
        initial["half"] = 1 if period.start.month == 1 else 2
    elif period.kind == "range":
        initial["start"], initial["end"] = period.start, period.end
    return initial


@login_required
@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    """One table (``?table=voices``, ``deadlines`` or ``models``) or all of them, as an XLSX
    workbook in Vietnamese; the download is recorded in the audit log."""
    unit = _unit_for(request)
    data = request.GET.copy()
    data.pop("unit", None)
    table = data.pop("table", [""])[-1]
    if table and table not in TABLES:
        raise Http404(_("No such table."))
    form = StatisticsForm(data or None)
    period = form.chosen_period()
    if period is None:
        return _render(request, form=form, unit=unit, period=None, status=400)
    names = [table] if table else list(TABLES)
    built: list[Table] = []
    workbook = build_statistics_workbook(unit=unit, period=period, tables=names, built=built)
    audit_export(
        actor=Actor.from_request(request),
        action="report.statistics_export",
        rows=sum(len(table.rows) for table in built),
        filters=request.GET.urlencode(),
        unit=unit,
        changes={"period": period.code, "tables": names},
    )
    span = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    return xlsx_response(workbook, f"thong-ke-{table or 'tat-ca'}-{unit.code}-{span}.xlsx")
