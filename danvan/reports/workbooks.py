"""The standard statistics workbooks (bảng thống kê): the tables officials print and send upward.

Three tables for one unit and one period, each on its own sheet, always in Vietnamese (the titles
are still marked for translation so that the page can show them in the reader's language):

* ``voices_by_unit_table``: voices received, per unit directly below (and the unit's own), by kind
  (received, answered) and in total (received, answered, being handled, refused, overdue now);
* ``deadlines_by_body_table``: per responsible body: received, answered, on time, late, on-time
  rate, average days to answer, overdue and still open;
* ``models_by_field_table``: "Skillful Mass Mobilization" models per field, by level (village,
  commune, province): registered in the period and honored in the period.

The voice counts come from the dashboards' buckets (``danvan.dashboards``: one query over rows per
area × day × value, whatever the number of voices), with the same rules: figures are by the day a
voice was **received**; **on time** and **average days** as kept on the voice's fact when it was
answered; **overdue** = still open with its due date before today. Only the overdue voices per body
are counted from the voices' facts (``VoiceFact``, one narrow row per voice, which the buckets sum
up), since the buckets do not cross the due date with the body. Models are
read from the registry (two grouped queries: registrations, commendations).

Each sheet has a title block (title, unit, period, date), a frozen two-level header, a bold totals
row, counts formatted ``#,##0`` and rates ``0.0``, column widths, thin borders, and a print set-up
for A4 landscape fitted to the page width with the header repeated on every page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from danvan.dashboards.models import Bucket, Dim, VoiceFact
from danvan.dashboards.selectors import Figures, Row, rank_bodies
from danvan.deadlines.models import VoiceKind
from danvan.lib.xlsx import new_workbook, sheet_put, workbook_bytes
from danvan.organizations.models import Body
from danvan.reports.periods import ReportPeriod
from danvan.skillful.models import Commendation, Field, Level, MobilizationModel
from danvan.units.models import AdministrativeUnit, UnitSuccession
from danvan.units.selectors import minimal_paths, paths_with_predecessors
from danvan.voices.models import OPEN_STATUSES, VoiceStatus

__all__ = [
    "TABLES",
    "Table",
    "build_statistics_workbook",
    "deadlines_by_body_table",
    "make_table",
    "models_by_field_table",
    "statistics_workbook",
    "unit_title",
    "voices_by_unit_table",
]

COUNT = "#,##0"
DECIMAL = "0.0"
FONT_NAME = "Times New Roman"


@dataclass
class Table:
    """One statistics table: what the page shows and what one sheet holds."""

    key: str
    #: The title in capitals, as printed above the table.
    title: str
    #: The sheet's name (at most 31 characters, none of ``\\/?*[]:``).
    sheet: str
    #: (title, width in characters) of every column, left to right.
    columns: list[tuple[str, int]]
    rows: list[list[Any]]
    totals: list[Any]
    unit: AdministrativeUnit
    period: ReportPeriod
    #: The upper header row: (group title, number of columns it spans); an empty title leaves the
    #: columns under it with a single header cell over both rows. Empty: a one-row header.
    groups: list[tuple[str, int]] = field(default_factory=list)
    #: The number format of each column ("" for text).
    formats: list[str] = field(default_factory=list)
    #: Lines printed under the table: what the figures mean.
    notes: list[str] = field(default_factory=list)
    #: For each row, the code of the unit it counts (to open it on the page), or "".
    links: list[str] = field(default_factory=list)

    @property
    def linked_rows(self) -> list[tuple[list[Any], str]]:
        """The rows with the code of the unit each counts ("" for none), for the page."""
        links = self.links or [""] * len(self.rows)
        return list(zip(self.rows, links, strict=True))

    @property
    def header_top(self) -> list[tuple[str, int, int]]:
        """The upper header row for HTML: (title, colspan, rowspan)."""
        cells: list[tuple[str, int, int]] = []
        index = 0
        for title, span in self.groups:
            if title:
                cells.append((title, span, 1))
            else:
                cells.extend((name, 1, 2) for name, _width in self.columns[index : index + span])
            index += span
        return cells

    @property
    def header_bottom(self) -> list[str]:
        """The lower header row for HTML: the titles of the columns under a group."""
        titles: list[str] = []
        index = 0
        for title, span in self.groups:
            if title:
                titles.extend(name for name, _width in self.columns[index : index + span])
            index += span
        return titles


# --- Where the voices of a unit are counted ------------------------------------------------------


def _area_ids(paths: Iterable[str]) -> list[int]:
    return list(
        AdministrativeUnit.objects.filter(path__in=list(paths)).values_list("pk", flat=True)
    )


def _child_paths(
    root: AdministrativeUnit, children: list[AdministrativeUnit]
) -> dict[int, set[str]]:
    """For each child, its path and those of the units merged into it (or into units under it)
    that do not already lie under it: their voices kept their old unit. One read of the
    successions under the root (chains followed a few steps)."""
    result: dict[int, set[str]] = {c.pk: {c.path} for c in children}
    by_path = {c.path: c.pk for c in children}
    found = list(
        UnitSuccession.objects.filter(successor__path__startswith=root.path).values_list(
            "predecessor__path", "successor__path"
        )
    )
    owner: dict[str, int] = {}
    for predecessor, successor in found:
        child = next((pk for path, pk in by_path.items() if successor.startswith(path)), None)
        if child is not None:
            owner[predecessor] = child
    for _depth in range(5):  # chains of mergers into a predecessor
        added = False
        for predecessor, successor in found:
            if predecessor not in owner and successor in owner:
                owner[predecessor] = owner[successor]
                added = True
        if not added:
            break
    for predecessor, child in owner.items():
        result[child].add(predecessor)
    return {pk: set(minimal_paths(paths)) for pk, paths in result.items()}


def _unit_ids(paths: Iterable[str]) -> list[int]:
    """Every unit under ``paths`` (current or not), as ids."""
    return list(
        AdministrativeUnit.objects.filter(_path_q(paths, "path"))
        .order_by()
        .values_list("pk", flat=True)
    )


def _root_paths(root: AdministrativeUnit) -> tuple[str, ...]:
    return minimal_paths(paths_with_predecessors({root.path}))


def _children(root: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.current().filter(parent=root).order_by("name", "code"))


def _path_q(paths: Iterable[str], lookup: str) -> Q:
    query = Q()
    for path in paths:
        query |= Q(**{f"{lookup}__startswith": path})
    return query


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _average(days: int, answered: int) -> float | None:
    return round(days / answered, 1) if answered else None


def unit_title(unit: AdministrativeUnit) -> str:
    """The unit as named in a Vietnamese document: provinces carry their kind ("Tỉnh Nghệ An",
    "Thành phố Hà Nội"); communes and villages already do ("Xã Anh Sơn")."""
    prefix = {"province": "Tỉnh", "central_city": "Thành phố"}.get(unit.kind, "")
    if prefix and not unit.name.lower().startswith(prefix.lower()):
        return f"{prefix} {unit.name}"
    return unit.name


def _period_line(period: ReportPeriod) -> str:
    line = period.label_vi()
    if period.kind != "range":
        line += f" (từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})"
    return line


# --- Voices by unit × kind × status --------------------------------------------------------------


@dataclass
class _UnitCounts:
    n: int = 0
    answered: int = 0
    open: int = 0
    refused: int = 0
    overdue: int = 0
    kinds: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def minus(self, other: _UnitCounts) -> _UnitCounts:
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for kind in set(self.kinds) | set(other.kinds):
            mine, theirs = self.kinds[kind], other.kinds[kind]
            kinds[kind] = [mine[0] - theirs[0], mine[1] - theirs[1]]
        return _UnitCounts(
            self.n - other.n,
            self.answered - other.answered,
            self.open - other.open,
            self.refused - other.refused,
            self.overdue - other.overdue,
            kinds,
        )

    def add(self, other: _UnitCounts) -> None:
        self.n += other.n
        self.answered += other.answered
        self.open += other.open
        self.refused += other.refused
        self.overdue += other.overdue
        for kind, (n, answered) in other.kinds.items():
            self.kinds[kind][0] += n
            self.kinds[kind][1] += answered

    def values(self) -> list[int]:
        cells: list[int] = []
        for kind in VoiceKind.values:
            cells.extend(self.kinds[kind])
        return [*cells, self.n, self.answered, self.open, self.refused, self.overdue]

    @property
    def empty(self) -> bool:
        return not any(self.values())


def voices_by_unit_table(
    *, unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date | None = None
) -> Table:
    """Voices received in the period under ``unit``: one row per unit directly below it, a row for
    the voices filed at the unit itself, the totals; by kind and by how far they were handled."""
    today = _today(today)
    children = _children(unit)
    child_paths = _child_paths(unit, children)
    root_areas = _area_ids(_root_paths(unit))
    all_paths = {p for paths in child_paths.values() for p in paths}
    area_of_path = dict(
        AdministrativeUnit.objects.filter(path__in=list(all_paths)).values_list("path", "pk")
    )
    child_areas = {
        pk: [area_of_path[p] for p in paths if p in area_of_path]
        for pk, paths in child_paths.items()
    }
    wanted = set(root_areas) | {a for areas in child_areas.values() for a in areas}
    counted = Q(dim__in=[Dim.TOTAL, Dim.KIND, Dim.STATUS]) | Q(
        dim=Dim.DUE, value__lt=today.isoformat()
    )
    rows = (
        Bucket.objects.filter(
            counted, area_id__in=wanted, day__gte=period.start, day__lte=period.end
        )
        .annotate(
            key=Case(
                When(dim=Dim.DUE, then=Value("")), default=F("value"), output_field=CharField()
            )
        )
        .values_list("area_id", "dim", "key")
        .annotate(s_n=Sum("n"), s_answered=Sum("answered"))
        .order_by()
    )
    per_area: dict[int, _UnitCounts] = defaultdict(_UnitCounts)
    open_statuses = {str(s) for s in OPEN_STATUSES}
    for area, dim, key, n, answered in rows:
        counts = per_area[area]
        if dim == Dim.TOTAL:
            counts.n += n
            counts.answered += answered
        elif dim == Dim.KIND:
            counts.kinds[key][0] += n
            counts.kinds[key][1] += answered
        elif dim == Dim.STATUS:
            if key in open_statuses:
                counts.open += n
            elif key == VoiceStatus.REFUSED:
                counts.refused += n
        elif dim == Dim.DUE:
            counts.overdue += n

    total = _UnitCounts()
    for area in root_areas:
        total.add(per_area[area])
    below = _UnitCounts()
    body_rows: list[list[Any]] = []
    links: list[str] = []
    for number, child in enumerate(children, start=1):
        counts = _UnitCounts()
        for area in child_areas[child.pk]:
            counts.add(per_area[area])
        below.add(counts)
        body_rows.append([number, child.name, *counts.values()])
        links.append(child.code)
    own = total.minus(below)
    if not own.empty or not children:
        label = _("At %(unit)s itself") % {"unit": unit.name} if children else unit.name
        body_rows.append([len(body_rows) + 1, label, *own.values()])
        links.append("")

    kinds = [str(label) for label in VoiceKind.labels]
    columns: list[tuple[str, int]] = [(_("No."), 5), (_("Unit"), 26)]
    groups: list[tuple[str, int]] = [("", 2)]
    for kind in kinds:
        columns += [(_("Received"), 9), (_("Answered"), 9)]
        groups.append((kind, 2))
    columns += [
        (_("Received"), 10),
        (_("Answered"), 10),
        (_("Being handled"), 10),
        (_("Refused"), 10),
        (_("Overdue now"), 10),
    ]
    groups.append((_("Grand total"), 5))
    return Table(
        key="voices",
        title=_("STATISTICS OF THE PEOPLE'S OPINIONS AND RECOMMENDATIONS"),
        sheet=_("Voices by unit"),
        columns=columns,
        rows=body_rows,
        totals=["", _("Grand total"), *total.values()],
        unit=unit,
        period=period,
        groups=groups,
        formats=["", "", *[COUNT] * (len(columns) - 2)],
        links=links,
        notes=[
            _(
                "Voices received in the period (by the day they were received). Answered: an "
                "answer was recorded. Being handled: received, accepted, assigned or forwarded and "
                "not yet answered. Overdue now: being handled with its due date passed on %(day)s."
            )
            % {"day": today.strftime("%d/%m/%Y")},
        ],
    )


# --- Deadlines met per responsible body ----------------------------------------------------------


def deadlines_by_body_table(
    *, unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date | None = None
) -> Table:
    """Per responsible body, the voices received in the period under ``unit`` and given to it:
    answered, on time, late, the on-time rate, the average days to answer, overdue and open.
    Best on-time rate first, as the dashboard ranks them."""
    today = _today(today)
    paths = _root_paths(unit)
    sums = (
        Bucket.objects.filter(
            area_id__in=_area_ids(paths),
            dim=Dim.BODY,
            day__gte=period.start,
            day__lte=period.end,
        )
        .values_list("value")
        .annotate(
            s_n=Sum("n"), s_answered=Sum("answered"), s_on_time=Sum("on_time"), s_days=Sum("days")
        )
        .order_by()
    )
    figures = {
        value: Figures(n=n, answered=answered, on_time=on_time, days=days)
        for value, n, answered, on_time, days in sums
        if n
    }
    # Overdue per body from the voices' facts (the rows the buckets are summed from): the due date
    # there is kept only while the voice is open, as the dashboard's "overdue now" counts it.
    # Read by unit id: one pass over narrow rows (about 0.2 s at 1,000,000 voices).
    overdue = dict(
        VoiceFact.objects.filter(
            unit_id__in=_unit_ids(paths),
            due_on__lt=today,
            day__gte=period.start,
            day__lte=period.end,
            assignee_id__isnull=False,
        )
        .values_list("assignee_id")
        .annotate(n=Count("voice_id"))
        .order_by()
    )
    names = dict(
        Body.objects.filter(pk__in=[int(v) for v in figures if v.isdigit()])
        .order_by()
        .values_list("pk", "name")
    )
    ranked = rank_bodies(
        [
            Row(key=v, label=names.get(int(v), v) if v.isdigit() else v, figures=f)
            for v, f in figures.items()
        ]
    )
    rows: list[list[Any]] = []
    sum_n = sum_answered = sum_on_time = sum_days = sum_overdue = 0
    for number, row in enumerate(ranked, start=1):
        f = row.figures
        late = int(overdue.get(int(row.key), 0)) if row.key.isdigit() else 0
        rows.append(
            [
                number,
                row.label,
                f.n,
                f.answered,
                f.on_time,
                f.answered - f.on_time,
                _rate(f.on_time, f.answered),
                _average(f.days, f.answered),
                late,
            ]
        )
        sum_n += f.n
        sum_answered += f.answered
        sum_on_time += f.on_time
        sum_days += f.days
        sum_overdue += late
    columns = [
        (_("No."), 5),
        (_("Responsible body"), 40),
        (_("Received"), 11),
        (_("Answered"), 11),
        (_("Answered on time"), 11),
        (_("Answered late"), 11),
        (_("On-time rate (%)"), 11),
        (_("Average days to answer"), 12),
        (_("Overdue, still open"), 12),
    ]
    return Table(
        key="deadlines",
        title=_("STATISTICS OF ANSWERS ON TIME BY RESPONSIBLE BODY"),
        sheet=_("Deadlines by body"),
        columns=columns,
        rows=rows,
        totals=[
            "",
            _("Grand total"),
            sum_n,
            sum_answered,
            sum_on_time,
            sum_answered - sum_on_time,
            _rate(sum_on_time, sum_answered),
            _average(sum_days, sum_answered),
            sum_overdue,
        ],
        unit=unit,
        period=period,
        groups=[("", 2), (_("Voices received in the period and given to the body"), 7)],
        formats=["", "", COUNT, COUNT, COUNT, COUNT, DECIMAL, DECIMAL, COUNT],
        notes=[
            _(
                "On time: answered on or before the due date in force (extensions included); a "
                "voice with no due date counts as on time. Average days: from the day received "
                "to the day answered. Overdue, still open: not answered and its due date passed "
                "on %(day)s. Voices not yet given to a body are not counted here."
            )
            % {"day": today.strftime("%d/%m/%Y")},
        ],
    )


# --- Models by field × level ---------------------------------------------------------------------


def _day_bounds(period: ReportPeriod) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def models_by_field_table(*, unit: AdministrativeUnit, period: ReportPeriod) -> Table:
    """ "Skillful Mass Mobilization" models under ``unit``: per field, by level, those registered
    in the period (entered in the registry) and those honored in the period (a commendation
    decided then, counted at the level of the commendation; a model once per level)."""
    paths = _root_paths(unit)
    start, end = _day_bounds(period)
    registered = (
        MobilizationModel.objects.filter(
            _path_q(paths, "unit__path"), created_at__gte=start, created_at__lt=end
        )
        .values_list("field", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    honored = (
        Commendation.objects.filter(
            _path_q(paths, "model__unit__path"),
            decided_on__gte=period.start,
            decided_on__lte=period.end,
        )
        .values_list("model__field", "level")
        .annotate(n=Count("model", distinct=True))
        .order_by()
    )
    counts: dict[tuple[str, str, int], int] = defaultdict(int)
    for which, grouped in enumerate((registered, honored)):
        for field_value, level, n in grouped:
            counts[(field_value, level, which)] += n
    levels = list(Level.values)
    rows: list[list[Any]] = []
    sums = [0] * (2 * len(levels) + 2)
    for number, (field_value, label) in enumerate(Field.choices, start=1):
        cells: list[int] = []
        for level in levels:
            cells += [counts[(field_value, level, 0)], counts[(field_value, level, 1)]]
        cells += [sum(cells[0::2]), sum(cells[1::2])]
        sums = [a + b for a, b in zip(sums, cells, strict=True)]
        rows.append([number, str(label), *cells])
    columns: list[tuple[str, int]] = [(_("No."), 5), (_("Field"), 40)]
    groups: list[tuple[str, int]] = [("", 2)]
    level_titles: dict[str, str] = {
        Level.VILLAGE: _("Village level"),
        Level.COMMUNE: _("Commune level"),
        Level.PROVINCE: _("Province level"),
    }
    for level in levels:
        columns += [(_("Registered"), 11), (_("Honored"), 11)]
        groups.append((level_titles.get(level, level), 2))
    columns += [(_("Registered"), 11), (_("Honored"), 11)]
    groups.append((_("Grand total"), 2))
    return Table(
        key="models",
        title=_('STATISTICS OF "SKILLFUL MASS MOBILIZATION" MODELS'),
        sheet=_("Models by field"),
        columns=columns,
        rows=rows,
        totals=["", _("Grand total"), *sums],
        unit=unit,
        period=period,
        groups=groups,
        formats=["", "", *[COUNT] * (len(columns) - 2)],
        notes=[
            _(
                "Registered: models entered in the registry during the period, at the level they "
                "were registered. Honored: models with a commendation decided during the period, "
                "at the level of the commendation."
            )
        ],
    )


# --- The workbook --------------------------------------------------------------------------------

#: The tables, in the order of the page and of the sheets.
TABLES = ("voices", "deadlines", "models")


def make_table(
    name: str,
    *,
    unit: AdministrativeUnit,
    period: ReportPeriod,
    today: datetime.date | None = None,
) -> Table:
    """The table called ``name`` (one of ``TABLES``); ``KeyError`` for any other name."""
    if name == "voices":
        return voices_by_unit_table(unit=unit, period=period, today=today)
    if name == "deadlines":
        return deadlines_by_body_table(unit=unit, period=period, today=today)
    if name == "models":
        return models_by_field_table(unit=unit, period=period)
    raise KeyError(name)


_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ROW = 6  # after the title block (title, unit, period, date made, empty line)


_RIGHT = Alignment(horizontal="right", vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center")
_CENTER_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT_WRAP = Alignment(vertical="center", wrap_text=True)


def _font(*, bold: bool = False, size: int = 11, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, bold=bold, size=size, italic=italic)


def _write_table(workbook: Workbook, table: Table) -> Worksheet:
    sheet = workbook.create_sheet(_sheet_name(table.sheet))
    width = len(table.columns)
    last = get_column_letter(width)
    centered = _CENTER_WRAP
    plain, bold = _font(), _font(bold=True)

    # The title block.
    lines = [
        (table.title, _font(bold=True, size=14)),
        (_("Unit: %(unit)s") % {"unit": unit_title(table.unit)}, _font(bold=True, size=12)),
        (_("Period: %(period)s") % {"period": _period_line(table.period)}, _font(size=12)),
        (
            _("Made on %(day)s") % {"day": timezone.localdate().strftime("%d/%m/%Y")},
            _font(italic=True),
        ),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = sheet_put(sheet, row=row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.merge_cells(f"A{row}:{last}{row}")
    sheet.row_dimensions[1].height = 36

    # The header: one or two rows.
    top = _HEADER_ROW
    two_rows = any(title for title, _span in table.groups)
    bottom = top + 1 if two_rows else top
    groups = table.groups if two_rows else [("", width)]
    column = 1
    for title, span in groups:
        for offset in range(span):
            name = table.columns[column + offset - 1][0]
            if title:
                sheet_put(sheet, row=bottom, column=column + offset, value=name)
            else:
                sheet_put(sheet, row=top, column=column + offset, value=name)
                if two_rows:
                    sheet.merge_cells(
                        start_row=top,
                        start_column=column + offset,
                        end_row=bottom,
                        end_column=column + offset,
                    )
        if title:
            sheet_put(sheet, row=top, column=column, value=title)
            if span > 1:
                sheet.merge_cells(
                    start_row=top, start_column=column, end_row=top, end_column=column + span - 1
                )
        column += span
    for row in range(top, bottom + 1):
        sheet.row_dimensions[row].height = 45 if row == bottom else 30
        for col in range(1, width + 1):
            cell = sheet_put(sheet, row=row, column=col)
            cell.font = bold
            cell.alignment = centered
            cell.border = _BORDER

    # The rows, then the totals in bold.
    formats = table.formats or [""] * width
    first = bottom + 1
    for offset, values in enumerate([*table.rows, table.totals]):
        is_total = offset == len(table.rows)
        for col, value in enumerate(values, start=1):
            cell = sheet_put(sheet, row=first + offset, column=col, value=value)
            cell.border = _BORDER
            cell.font = bold if is_total else plain
            if formats[col - 1]:
                cell.number_format = formats[col - 1]
                cell.alignment = _RIGHT
            elif col == 1:
                cell.alignment = _CENTER
            else:
                cell.alignment = _LEFT_WRAP
    end = first + len(table.rows)

    # What the figures mean.
    for offset, note in enumerate(table.notes, start=2):
        row = end + offset
        cell = sheet_put(sheet, row=row, column=1, value=note)
        cell.font = _font(italic=True, size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.row_dimensions[row].height = 45

    for index, (_title, col_width) in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = col_width
    sheet.freeze_panes = f"C{first}"

    # Printing: A4 landscape, fitted to the width, the header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{top}:{bottom}"
    sheet.print_area = f"A1:{last}{end + 1 + len(table.notes)}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = _("Page &P of &N")
    return sheet


def _sheet_name(title: str) -> str:
    for forbidden in "\\/?*[]:":
        title = title.replace(forbidden, " ")
    return title.strip()[:31] or "Sheet"


def build_statistics_workbook(
    *,
    unit: AdministrativeUnit,
    period: ReportPeriod,
    tables: list[str] | None = None,
    today: datetime.date | None = None,
    built: list[Table] | None = None,
) -> Workbook:
    """The workbook of the tables named (all of them by default), one sheet each, in Vietnamese;
    each table written is also appended to ``built`` when given (to count its rows). Raises
    ``KeyError`` for a table that does not exist."""
    names = list(TABLES) if not tables else list(tables)
    for name in names:
        if name not in TABLES:
            raise KeyError(name)
    workbook = new_workbook(write_only=False)
    with translation.override("vi"):
        for name in names:
            table = make_table(name, unit=unit, period=period, today=today)
            _write_table(workbook, table)
            if built is not None:
                built.append(table)
    return workbook


def statistics_workbook(
    *,
    unit: AdministrativeUnit,
    period: ReportPeriod,
    tables: list[str] | None = None,
    today: datetime.date | None = None,
) -> bytes:
    """The workbook as the bytes of an XLSX file."""
    return workbook_bytes(
        build_statistics_workbook(unit=unit, period=period, tables=tables, today=today)
    )
