"""The spreadsheets officials download: one writer and one look for every workbook.

Every cell of every workbook is written here (``sheet_append``, ``sheet_put``, ``sheet_start``):
a guard test fails when another module writes cells itself. Text is always stored as text, never
as a formula: a name, an address or a complaint starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would otherwise become a live formula when the file is opened (formula
injection); such text also gets Excel's quote prefix, so that editing the cell keeps it text.
Characters XML cannot hold (control characters pasted from other programs) are dropped instead
of making the download fail. Aware datetimes are written in local time, dates as DD/MM/YYYY.

Each sheet has its columns' widths, a bold header that wraps, frozen panes so the header (and,
where asked, the first column) stays in view, and optionally a bold totals row. Files are sent
``no-store``: they may hold personal data; callers audit each download (``audit_export``).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from danvan.lib.forms import XLSX_CONTENT_TYPE

__all__ = [
    "FORMULA_STARTS",
    "cell_value",
    "csv_bytes",
    "new_workbook",
    "sheet_append",
    "sheet_append_bold",
    "sheet_append_with_totals",
    "sheet_put",
    "sheet_start",
    "workbook_bytes",
    "xlsx_response",
]

#: A text starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"

AnySheet: TypeAlias = Worksheet | WriteOnlyWorksheet


def cell_value(value: Any) -> Any:
    """What a cell may hold: text without the characters XML refuses, aware datetimes in local
    time (Excel has no time zones), translatable strings as text; anything else unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _fill(cell: Cell, value: Any) -> Cell:
    """Put ``value`` in ``cell``: text as text (never a formula), dates in the local format."""
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str):
        # openpyxl reads a leading "=" as a formula and "#N/A" as an error: neither comes in.
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif isinstance(value, datetime.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    return cell


_NEEDS_CELL = object()


def _plain(value: Any) -> Any:
    """``value`` as openpyxl may take it without a cell of ours: numbers, nothing, and text it
    keeps as text unaided (not starting like a formula, not an error code); otherwise
    ``_NEEDS_CELL``. The same file, written faster (a large export has half a million cells)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str) and not isinstance(value, Promise):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith(FORMULA_STARTS) and value not in ERROR_CODES:
            return value
    return _NEEDS_CELL


def new_workbook(*, write_only: bool = True) -> Workbook:
    """An empty workbook: streamed row by row (``write_only``), or with cells anywhere (merged
    titles, borders) and no sheet yet."""
    if write_only:
        return Workbook(write_only=True)
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    return workbook


def sheet_append(
    sheet: AnySheet,
    values: Iterable[Any],
    *,
    bold: bool = False,
    wrap: bool = False,
) -> None:
    """One row at the bottom of the sheet, through the one cell writer."""
    cells: list[Any] = []
    for value in values:
        if not (bold or wrap):
            plain = _plain(value)
            if plain is not _NEEDS_CELL:
                cells.append(plain)
                continue
        cell = _fill(WriteOnlyCell(sheet), value)
        if bold:
            cell.font = Font(bold=True)
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    sheet.append(cells)


def sheet_put(sheet: Worksheet, *, row: int, column: int, value: Any = None) -> Cell:
    """The cell at ``row``, ``column`` (1-based), holding ``value`` (written through the one cell
    writer) when one is given; for sheets with merged titles and styled cells."""
    cell = sheet.cell(row=row, column=column)
    if value is not None:
        _fill(cell, value)
    return cell


def sheet_start(
    workbook: Workbook,
    title: str,
    columns: Sequence[tuple[str, int]],
    *,
    freeze: str = "A2",
) -> AnySheet:
    """A new sheet (titles cut to Excel's 31 characters) with its header written."""
    sheet = workbook.create_sheet(cell_value(str(title))[:31])
    for index, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    sheet_append(sheet, [str(name) for name, _width in columns], bold=True, wrap=True)
    return sheet


def sheet_append_bold(sheet: AnySheet, values: Iterable[Any]) -> None:
    """A row in bold: the totals."""
    sheet_append(sheet, values, bold=True)


def sheet_append_with_totals(sheet: AnySheet, rows: Sequence[Sequence[Any]]) -> None:
    """The rows, the last of which is the totals row."""
    for number, values in enumerate(rows, start=1):
        sheet_append(sheet, values, bold=number == len(rows))


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(workbook: Workbook | bytes, filename: str) -> HttpResponse:
    data = workbook if isinstance(workbook, bytes) else workbook_bytes(workbook)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, no_store=True, private=True)
    return response


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows as CSV for spreadsheet programs (UTF-8 with its mark, CRLF): a text that would be
    read as a formula starts with an apostrophe, control characters are dropped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        values = []
        for value in row:
            value = cell_value(value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                value = "'" + value
            values.append("" if value is None else value)
        writer.writerow(values)
    return buffer.getvalue().encode("utf-8-sig")
