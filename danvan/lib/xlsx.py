"""The spreadsheets officials download: one look for every export.

Each sheet has its columns' widths, a bold header that wraps, frozen panes so the header (and,
where asked, the first column) stays in view, and optionally a bold totals row. Files are sent
``no-store``: they may hold personal data and are audited by their callers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from danvan.lib.forms import XLSX_CONTENT_TYPE

__all__ = [
    "new_workbook",
    "sheet_append_bold",
    "sheet_append_with_totals",
    "sheet_start",
    "xlsx_response",
]


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def sheet_start(
    workbook: Workbook,
    title: str,
    columns: Sequence[tuple[str, int]],
    *,
    freeze: str = "A2",
) -> WriteOnlyWorksheet:
    """A new sheet (titles cut to Excel's 31 characters) with its header written."""
    sheet = workbook.create_sheet(str(title)[:31])
    for index, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    header = []
    for name, _width in columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    return sheet


def sheet_append_bold(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """A row in bold: the totals."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def sheet_append_with_totals(sheet: WriteOnlyWorksheet, rows: Sequence[Sequence[Any]]) -> None:
    """The rows, the last of which is the totals row."""
    for number, values in enumerate(rows, start=1):
        if number == len(rows):
            sheet_append_bold(sheet, values)
        else:
            sheet.append(list(values))


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, no_store=True, private=True)
    return response
