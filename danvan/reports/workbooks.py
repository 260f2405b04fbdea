"""The standard statistics workbooks (bảng thống kê): the tables officials print and send upward.

The tables are made in ``stats_voices``, ``stats_deadlines`` and ``stats_models`` (``Table`` and
what they share in ``stats_table``); this module names them (``TABLES``, ``make_table``) and
writes them as sheets.

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

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from danvan.lib.xlsx import new_workbook, sheet_put, workbook_bytes
from danvan.reports.periods import ReportPeriod
from danvan.reports.stats_deadlines import deadlines_by_body_table
from danvan.reports.stats_models import models_by_field_table
from danvan.reports.stats_table import FONT_NAME, Table, period_line, unit_title
from danvan.reports.stats_voices import voices_by_unit_table
from danvan.units.models import AdministrativeUnit

__all__ = [
    "TABLES",
    "build_statistics_workbook",
    "make_table",
    "statistics_workbook",
]

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


def _title_block(sheet: Worksheet, table: Table, last: str) -> None:
    """Title, unit, period and the day it was made, each merged across the table."""
    lines = [
        (table.title, _font(bold=True, size=14)),
        (_("Unit: %(unit)s") % {"unit": unit_title(table.unit)}, _font(bold=True, size=12)),
        (_("Period: %(period)s") % {"period": period_line(table.period)}, _font(size=12)),
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


def _header(sheet: Worksheet, table: Table) -> int:
    """The header, one row or two (groups over their columns); returns its last row."""
    width = len(table.columns)
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
    bold = _font(bold=True)
    for row in range(top, bottom + 1):
        sheet.row_dimensions[row].height = 45 if row == bottom else 30
        for col in range(1, width + 1):
            cell = sheet_put(sheet, row=row, column=col)
            cell.font = bold
            cell.alignment = _CENTER_WRAP
            cell.border = _BORDER
    return bottom


def _rows(sheet: Worksheet, table: Table, first: int) -> int:
    """The rows from ``first``, then the totals in bold; returns the totals' row."""
    formats = table.formats or [""] * len(table.columns)
    plain, bold = _font(), _font(bold=True)
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
    return first + len(table.rows)


def _notes(sheet: Worksheet, table: Table, end: int, last: str) -> None:
    """What the figures mean, under the table."""
    for offset, note in enumerate(table.notes, start=2):
        row = end + offset
        cell = sheet_put(sheet, row=row, column=1, value=note)
        cell.font = _font(italic=True, size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.row_dimensions[row].height = 45


def _print_setup(sheet: Worksheet, *, top: int, bottom: int, last_row: int, last: str) -> None:
    """A4 landscape, fitted to the width, the header on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{top}:{bottom}"
    sheet.print_area = f"A1:{last}{last_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = _("Page &P of &N")


def _write_table(workbook: Workbook, table: Table) -> Worksheet:
    sheet = workbook.create_sheet(_sheet_name(table.sheet))
    last = get_column_letter(len(table.columns))
    _title_block(sheet, table, last)
    bottom = _header(sheet, table)
    first = bottom + 1
    end = _rows(sheet, table, first)
    _notes(sheet, table, end, last)
    for index, (_title, col_width) in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = col_width
    sheet.freeze_panes = f"C{first}"
    _print_setup(
        sheet, top=_HEADER_ROW, bottom=bottom, last_row=end + 1 + len(table.notes), last=last
    )
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
