"""The dashboard (``/dashboard/``), its tables as XLSX (``/dashboard/export.xlsx``) and the map
of voices with coordinates (``/dashboard/map/``). Every page reads only what the user's scope
covers: a unit outside it is "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danvan.audit.context import Actor
from danvan.audit.services import audit_export
from danvan.dashboards import selectors
from danvan.dashboards.models import Dim
from danvan.dashboards.periods import PeriodForm
from danvan.dashboards.selectors import Dashboard, Figures, Row
from danvan.lib.roles import Capability
from danvan.lib.routers import heavy_reads
from danvan.lib.scoping import can
from danvan.lib.xlsx import new_workbook, sheet_append_with_totals, sheet_start, xlsx_response

#: The tables of the dashboard, in the order of the page and of the workbook's sheets.
TABLES = ["bodies", "units", "kind", "topic", "channel", "status", "trend", "overdue", "issues"]


@dataclass
class Bar:
    x: float
    width: float
    now_y: float
    now_height: float
    before_y: float
    before_height: float
    label: str
    now: int
    before: int


def _trend_bars(board: Dashboard) -> list[Bar]:
    points = board.aggregates.trend
    top = max((max(now, before) for _day, now, before in points), default=0) or 1
    width = 100.0 / max(len(points), 1)
    bars = []
    for index, (day, now, before) in enumerate(points):
        now_height = 100.0 * now / top
        before_height = 100.0 * before / top
        bars.append(
            Bar(
                x=index * width,
                width=width,
                now_y=100.0 - now_height,
                now_height=now_height,
                before_y=100.0 - before_height,
                before_height=before_height,
                label=day.strftime("%m/%Y") if board.period.by_month else day.strftime("%d/%m"),
                now=now,
                before=before,
            )
        )
    return bars


def _board(request: HttpRequest) -> tuple[PeriodForm, Dashboard]:
    if not can(request.user, Capability.VIEW):
        raise PermissionDenied(_("You have no unit to see a dashboard for."))
    form = PeriodForm(request.GET or None)
    period = form.period_or_default()
    try:
        board = selectors.dashboard(
            request.user, code=request.GET.get("unit", "").strip(), period=period
        )
    except LookupError:
        raise Http404(_("No such unit among yours.")) from None
    return form, board


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
@heavy_reads()
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form, board = _board(request)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "form": form,
            "board": board,
            "tables": [
                (Dim.KIND, _("By kind"), board.tables[Dim.KIND]),
                (Dim.TOPIC, _("By topic"), board.tables[Dim.TOPIC]),
                (Dim.CHANNEL, _("By channel"), board.tables[Dim.CHANNEL]),
                (Dim.STATUS, _("By status"), board.tables[Dim.STATUS]),
            ],
            "bars": _trend_bars(board),
            "query": _query_without(request, "unit"),
            "export_query": _query_without(request, "table"),
            "today": timezone.localdate(),
        },
    )


# --- XLSX ----------------------------------------------------------------------------------------


def _rate(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _figure_columns() -> list[tuple[str, int]]:
    return [
        (_("Received"), 12),
        (_("Previous period"), 14),
        (_("Change"), 10),
        (_("Change (%)"), 10),
        (_("Answered"), 12),
        (_("Answered on time"), 14),
        (_("On-time rate (%)"), 14),
        (_("Average days to answer"), 14),
    ]


def _figure_values(f: Figures) -> list[Any]:
    return [
        f.n,
        f.previous,
        f.delta,
        _rate(f.delta_percent),
        f.answered,
        f.on_time,
        _rate(f.on_time_rate),
        _rate(f.average_days),
    ]


Columns = list[tuple[str, int]]


def _sheet(board: Dashboard, table: str) -> tuple[str, Columns, list[list[Any]]]:
    """A table of the page: its title, columns, and rows (the last one is the totals)."""
    titles = {
        "bodies": _("Bodies ranked by on-time answers"),
        "units": _("By unit"),
        Dim.KIND: _("By kind"),
        Dim.TOPIC: _("By topic"),
        Dim.CHANNEL: _("By channel"),
        Dim.STATUS: _("By status"),
        "trend": _("Trend"),
        "overdue": _("Overdue"),
        "issues": _("Largest open issues"),
    }
    if table == "bodies":
        columns, rows = _bodies_sheet(board)
    elif table in ("units", Dim.KIND, Dim.TOPIC, Dim.CHANNEL, Dim.STATUS):
        first = _("Unit") if table == "units" else titles[table].replace(_("By") + " ", "")
        columns, rows = _figures_sheet(board, table, first)
    elif table == "trend":
        columns, rows = _trend_sheet(board)
    elif table == "overdue":
        columns, rows = _overdue_sheet(board)
    elif table == "issues":
        columns, rows = _issues_sheet(board)
    else:
        raise Http404(_("No such table."))
    return titles[table], columns, rows


def _bodies_sheet(board: Dashboard) -> tuple[Columns, list[list[Any]]]:
    """The bodies ranked, with the figures summed over them."""
    rows: list[list[Any]] = [
        [rank, row.label, *_figure_values(row.figures)]
        for rank, row in enumerate(board.bodies, start=1)
    ]
    sums = Figures()
    for row in board.bodies:
        sums.n += row.figures.n
        sums.previous += row.figures.previous
        sums.answered += row.figures.answered
        sums.on_time += row.figures.on_time
        sums.days += row.figures.days
    rows.append(["", _("Total"), *_figure_values(sums)])
    return [(_("Rank"), 8), (_("Responsible body"), 44), *_figure_columns()], rows


def _figures_sheet(board: Dashboard, table: str, first: str) -> tuple[Columns, list[list[Any]]]:
    """The figures by unit, kind, topic, channel or status, with the page's total."""
    source: list[Row] = board.tables[table]
    rows: list[list[Any]] = [[row.label, *_figure_values(row.figures)] for row in source]
    rows.append([_("Total"), *_figure_values(board.total)])
    return [(first, 36), *_figure_columns()], rows


def _trend_sheet(board: Dashboard) -> tuple[Columns, list[list[Any]]]:
    rows: list[list[Any]] = [[label, now, before] for label, now, before in _trend_rows(board)]
    rows.append([_("Total"), sum(r[1] for r in rows), sum(r[2] for r in rows)])
    return [(_("Day or month"), 14), (_("Received"), 12), (_("Previous period"), 14)], rows


def _overdue_sheet(board: Dashboard) -> tuple[Columns, list[list[Any]]]:
    rows: list[list[Any]] = [
        [
            o.voice.tracking_code,
            o.voice.get_kind_display(),
            o.voice.topic.name,
            o.voice.unit.name,
            o.voice.assignee.name if o.voice.assignee else "",
            o.voice.received_on,
            o.voice.due_on,
            o.days,
        ]
        for o in board.overdue
    ]
    rows.append([_("Total"), "", "", "", "", "", "", board.aggregates.overdue])
    columns = [
        (_("Tracking code"), 20),
        (_("Kind"), 20),
        (_("Topic"), 24),
        (_("Where it arose"), 24),
        (_("Responsible body"), 30),
        (_("Received on"), 12),
        (_("Due on"), 12),
        (_("Days overdue"), 10),
    ]
    return columns, rows


def _issues_sheet(board: Dashboard) -> tuple[Columns, list[list[Any]]]:
    rows: list[list[Any]] = [
        [i.title, i.unit.name, i.topic.name, i.voice_count, i.first_received_on, i.last_received_on]
        for i in board.issues
    ]
    rows.append([_("Total"), "", "", sum(i.voice_count for i in board.issues), "", ""])
    columns = [
        (_("Issue"), 50),
        (_("Commune"), 24),
        (_("Topic"), 24),
        (_("Voices"), 10),
        (_("First received on"), 14),
        (_("Last received on"), 14),
    ]
    return columns, rows


def _trend_rows(board: Dashboard) -> list[tuple[str, int, int]]:
    fmt = "%m/%Y" if board.period.by_month else "%d/%m/%Y"
    return [(day.strftime(fmt), now, before) for day, now, before in board.aggregates.trend]


@login_required
@require_GET
@heavy_reads()
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """One table of the page (``?table=bodies``), or all of them as sheets: frozen header, titles
    in the officer's language, a totals row in bold."""
    _form, board = _board(request)
    table = request.GET.get("table", "")
    if table and table not in TABLES:
        raise Http404(_("No such table."))
    workbook = new_workbook()
    names = [table] if table else TABLES
    count = 0
    for name in names:
        title, columns, rows = _sheet(board, name)
        sheet = sheet_start(workbook, title, columns)
        sheet_append_with_totals(sheet, rows)
        count += len(rows)
    audit_export(
        actor=Actor.from_request(request),
        action="dashboard.export",
        rows=count,
        filters=request.GET.urlencode(),
        unit=board.root,
        changes={"tables": names},
    )
    where = board.root.code if board.root else "tong-hop"
    span = f"{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}"
    return xlsx_response(workbook, f"bang-dieu-khien-{table or 'tat-ca'}-{where}-{span}.xlsx")


# --- Map -----------------------------------------------------------------------------------------


@login_required
@require_GET
@heavy_reads()
def map_page(request: HttpRequest) -> HttpResponse:
    """Where the voices with coordinates arose, on the tile server of ``DANVAN_MAP_TILE_URL``;
    with none configured, the points on a blank background and in a list (nothing is fetched from
    outside, so the page works on a closed network)."""
    if not can(request.user, Capability.VIEW):
        raise PermissionDenied(_("You have no unit to see a dashboard for."))
    form = PeriodForm(request.GET or None)
    period = form.period_or_default()
    try:
        root, roots = selectors.roots_for(request.user, request.GET.get("unit", "").strip())
    except LookupError:
        raise Http404(_("No such unit among yours.")) from None
    voices = list(selectors.map_points(request.user, roots, period))
    points = [
        {
            "lat": float(v.latitude),
            "lng": float(v.longitude),
            "code": v.tracking_code,
            "topic": v.topic.name,
            "on": v.received_on.strftime("%d/%m/%Y"),
        }
        for v in voices
        if v.latitude is not None and v.longitude is not None
    ]
    return render(
        request,
        "dashboards/map.html",
        {
            "form": form,
            "root": root,
            "period": period,
            "points": points,
            "voices": voices[:100],
            "tile_url": settings.DANVAN_MAP_TILE_URL,
            "tile_attribution": getattr(settings, "DANVAN_MAP_TILE_ATTRIBUTION", ""),
            "query": request.GET.urlencode(),
        },
    )
