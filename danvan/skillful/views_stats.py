"""Officers' pages of the checks and statistics part: the statistics page and its XLSX export
(``/models/stats/``), and dismissing a formalism flag (``/models/flags/<id>/dismiss/``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.audit.context import Actor
from danvan.audit.services import audit_export
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.xlsx import new_workbook, sheet_append_with_totals, sheet_start, xlsx_response
from danvan.skillful import stats
from danvan.skillful.checks import flag_dismiss
from danvan.skillful.models import Field, Level, ModelStatus
from danvan.skillful.selectors import flag_seen_by, unit_seen_by


def _stats_for(request: HttpRequest) -> tuple[stats.StatsFilterForm, stats.Stats]:
    if not can(request.user, Capability.VIEW):
        raise PermissionDenied(_("You have no unit to see statistics for."))
    form = stats.StatsFilterForm(request.GET or None)
    code = request.GET.get("unit", "").strip()
    if code:
        root = unit_seen_by(request.user, code)
        if root is None:
            raise Http404(_("No such unit among yours."))
    else:
        root = stats.default_root(request.user)
    return form, stats.compute(request.user, root=root, filters=form.filters())


def _query_without_unit(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("unit", None)
    return query.urlencode()


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    form, result = _stats_for(request)
    trail = [u for u in result.trail if can(request.user, Capability.VIEW, u)]
    return render(
        request,
        "skillful/stats/stats.html",
        {
            "form": form,
            "stats": result,
            "trail": trail,
            "field_labels": Field.labels,
            "level_labels": Level.labels,
            "status_labels": ModelStatus.labels,
            "query": _query_without_unit(request),
            "export_query": request.GET.urlencode(),
        },
    )


def _columns() -> list[tuple[str, int]]:
    return [
        (_("Unit"), 32),
        (_("Total"), 10),
        *[(str(label), 16) for label in Field.labels],
        *[(_("%(level)s level") % {"level": label}, 12) for label in Level.labels],
        *[(str(label), 14) for label in ModelStatus.labels],
    ]


def _values(row: stats.Row, name: str) -> list[Any]:
    return [name, row.total, *row.fields, *row.levels, *row.statuses]


@login_required
@require_GET
def stats_export(request: HttpRequest) -> HttpResponse:
    """The table on the screen as XLSX: frozen header, Vietnamese titles, a totals row, and the
    trend by yearly round on a second sheet."""
    _form, result = _stats_for(request)
    workbook = new_workbook()

    def sheet_with(title: str, columns: list[tuple[str, int]], rows: list[list[Any]]) -> None:
        sheet_append_with_totals(sheet_start(workbook, title, columns, freeze="B2"), rows)

    rows = []
    for row in result.rows:
        if row.is_own:
            name = _("%(unit)s (its own models)") % {"unit": row.unit.name if row.unit else ""}
        else:
            name = row.unit.name if row.unit else row.path
        rows.append(_values(row, name))
    rows.append(_values(result.total, _("Total")))
    sheet_with(_("By unit"), _columns(), rows)

    year_rows: list[list[Any]] = [[year, *counts, total] for year, counts, total in result.by_year]
    year_rows.append([_("Total"), *result.total.fields, result.total.total])
    sheet_with(
        _("By yearly round"),
        [(_("Yearly round"), 14), *[(str(label), 16) for label in Field.labels], (_("Total"), 10)],
        year_rows,
    )

    audit_export(
        actor=Actor.from_request(request),
        action="skillful.stats_export",
        rows=len(rows) + len(year_rows),
        filters=request.GET.urlencode(),
        unit=result.root,
    )
    where = result.root.code if result.root else "tong-hop"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(workbook, f"thong-ke-mo-hinh-{where}-{stamp}.xlsx")


@login_required
@require_POST
def flag_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    flag = flag_seen_by(request.user, pk)
    try:
        flag_dismiss(
            actor=Actor.from_request(request), flag=flag, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The flag was dismissed with your note."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        try:
            target = reverse("skillful:detail", args=[flag.model.code])
        except NoReverseMatch:  # the registry's pages are not installed
            target = reverse("skillful:stats")
    return HttpResponseRedirect(target)
