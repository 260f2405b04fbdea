"""The one cell writer of every workbook (``danvan.lib.xlsx``): text stays text, control characters
are dropped; and a guard that fails when a module writes cells or CSV rows without it."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from danvan.lib.xlsx import (
    csv_bytes,
    new_workbook,
    sheet_append,
    sheet_put,
    sheet_start,
    workbook_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "#N/A",
    "a\x0bb\x01c",
]
KEPT = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "#N/A",
    "abc",
]


def _read(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("write_only", [True, False])
def test_appended_text_is_text_whatever_it_starts_with(write_only: bool) -> None:
    workbook = new_workbook(write_only=write_only)
    sheet = sheet_start(workbook, "Tên\x01", [("Cột", 10)] * len(HOSTILE))
    sheet_append(sheet, HOSTILE)
    sheet_append(sheet, HOSTILE, bold=True)
    rows = _read(workbook_bytes(workbook))
    assert rows[1] == KEPT and rows[2] == KEPT


def test_a_cell_put_anywhere_is_text_and_styled_cells_may_stay_empty() -> None:
    workbook = new_workbook(write_only=False)
    sheet = workbook.create_sheet("x")
    for column, value in enumerate(HOSTILE, start=1):
        sheet_put(sheet, row=2, column=column, value=value)
    assert sheet_put(sheet, row=1, column=1).value is None
    book = load_workbook(io.BytesIO(workbook_bytes(workbook)))
    cells = next(iter(book.worksheets[0].iter_rows(min_row=2)))
    assert [c.value for c in cells] == KEPT
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells][:6] == [True] * 6


def test_dates_and_aware_datetimes_are_written_in_local_time() -> None:
    workbook = new_workbook()
    sheet = sheet_start(workbook, "x", [("a", 10), ("b", 10)])
    at = datetime.datetime(2026, 3, 1, 1, 30, tzinfo=datetime.UTC)
    sheet_append(sheet, [datetime.date(2026, 3, 1), at])
    book = load_workbook(io.BytesIO(workbook_bytes(workbook)))
    day, moment = next(book.worksheets[0].iter_rows(min_row=2))
    assert day.number_format == "DD/MM/YYYY"
    assert moment.value == datetime.datetime(2026, 3, 1, 8, 30)  # Asia/Ho_Chi_Minh


def test_csv_rows_start_formulas_with_an_apostrophe() -> None:
    data = csv_bytes([HOSTILE, ["Xóm 1", 3, None]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["'" + v for v in KEPT[:6]] + ["#N/A", "abc"]
    assert rows[1] == ["Xóm 1", "3", ""]


# --- The guard ------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]  # danvan/
#: The one module allowed to write cells and CSV rows.
WRITER = ROOT / "lib" / "xlsx.py"
SHEET_NAME = re.compile(r"(sheet|^ws$|worksheet)", re.IGNORECASE)
#: openpyxl's makers of workbooks and cells; reading (``load_workbook``), styles and type names
#: are free.
WRITING_NAMES = {"Workbook", "WriteOnlyCell", "Cell", "MergedCell"}


def _name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name_of(node.value)
    return ""


def cell_writers(source: str) -> list[str]:
    """Where ``source`` writes a workbook's cells or CSV rows itself: ``line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name_of(node.func) in WRITING_NAMES:
            found.append(f"{node.lineno}: {_name_of(node.func)}(...)")
        elif isinstance(node, ast.ImportFrom) and node.module == "csv":
            found += [
                f"{node.lineno}: imports csv.{a.name}"
                for a in node.names
                if "writer" in a.name.lower()
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = _name_of(node.func.value)
            if node.func.attr in {"append", "cell"} and SHEET_NAME.search(owner):
                found.append(f"{node.lineno}: {owner}.{node.func.attr}(...)")
            elif node.func.attr in {"writer", "DictWriter"} and owner == "csv":
                found.append(f"{node.lineno}: csv.{node.func.attr}(...)")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and SHEET_NAME.search(_name_of(target)):
                    found.append(f"{node.lineno}: {_name_of(target)}[...] = ...")
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "value"
                    and "cell" in _name_of(target.value).lower()
                ):
                    found.append(f"{node.lineno}: {_name_of(target.value)}.value = ...")
    return found


def _modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path != WRITER and "tests" not in path.parts and "migrations" not in path.parts
    )


def test_no_module_writes_cells_without_the_one_writer() -> None:
    offenders = {
        str(path.relative_to(ROOT.parent)): writers
        for path in _modules()
        if (writers := cell_writers(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, (
        "Write workbooks with danvan.lib.xlsx (sheet_start, sheet_append, sheet_put, csv_bytes): "
        "it keeps people's text from becoming formulas and drops what XML refuses."
    )


@pytest.mark.parametrize(
    "source",
    [
        "from openpyxl import Workbook\nbook = Workbook()\n",
        "cells = [WriteOnlyCell(ws, value=x)]\n",
        "sheet.append(['=1'])\n",
        "ws.cell(row=1, column=1, value=x)\n",
        "self.worksheet.append(row)\n",
        "sheet['A1'] = name\n",
        "cell.value = name\n",
        "import csv\nw = csv.writer(buffer)\n",
        "import openpyxl\nbook = openpyxl.Workbook()\n",
    ],
)
def test_the_guard_sees_a_module_writing_cells_itself(source: str) -> None:
    assert cell_writers(source)


def test_the_guard_lets_the_writer_and_ordinary_lists_be() -> None:
    assert cell_writers(WRITER.read_text(encoding="utf-8"))  # it would flag the writer itself
    assert not cell_writers("rows.append(1)\nerrors.append('x')\nsheet_append(sheet, row)\n")
    assert not cell_writers(
        "from openpyxl import load_workbook\nfrom openpyxl.styles import Font\n"
    )
