"""Read officers' spreadsheets (CSV or XLSX) into rows of text, with clear errors.

CSV files from Vietnamese offices come as UTF-8 (with or without BOM) or as Windows-1258 / 1252
from old Excel versions; a file in none of these is refused rather than read as mojibake.
A file whose content does not match its extension (an executable renamed .xlsx) is refused.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from danvan.lib.text import clean_name, fold

_ENCODINGS = ("utf-8-sig", "cp1258")


class TableError(Exception):
    """The file as a whole cannot be read; the message is for the officer."""


@dataclass
class Row:
    line: int  # 1-based line / row number in the file, header included
    values: dict[str, str]


def header_key(title: str, aliases: dict[str, str]) -> str | None:
    """Map a column title ("Mã xã", "ma xa", "commune_code") to a field name, or None."""
    folded = fold(title).replace("_", " ").strip(" *:")
    return aliases.get(folded)


def read_table(
    *,
    name: str,
    data: bytes,
    aliases: dict[str, str],
    required: Iterable[str],
    max_rows: int,
    titles: dict[str, str] | None = None,
) -> list[Row]:
    """Rows of the first sheet, keyed by field name. ``titles`` names fields in error messages."""
    lower = name.lower()
    raw_rows: list[list[object]]
    if lower.endswith(".xlsx"):
        raw_rows = _read_xlsx(data)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        raw_rows = _read_csv(data)
    else:
        raise TableError(_("Only .xlsx and .csv files can be imported."))

    header: list[str | None] | None = None
    rows: list[Row] = []
    for number, cells in enumerate(raw_rows, start=1):
        texts = ["" if c is None else clean_name(str(c)) for c in cells]
        if header is None:
            if not any(texts):
                continue
            header = [header_key(t, aliases) for t in texts]
            missing = [f for f in required if f not in header]
            if missing:
                raise TableError(
                    _("The header row is missing these columns: %(columns)s.")
                    % {"columns": ", ".join((titles or {}).get(f, f) for f in missing)}
                )
            continue
        if not any(texts):
            continue
        values = {key: texts[i] if i < len(texts) else "" for i, key in enumerate(header) if key}
        rows.append(Row(line=number, values=values))
        if len(rows) > max_rows:
            raise TableError(
                _("The file has more than %(count)s rows; split it into smaller files.")
                % {"count": max_rows}
            )
    if header is None:
        raise TableError(_("The file is empty."))
    return rows


def _read_csv(data: bytes) -> list[list[object]]:
    if b"\x00" in data[:4096]:
        raise TableError(_("This is not a text CSV file. Save it as CSV (UTF-8) and try again."))
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise TableError(
            _(
                "The file's character encoding is not recognised. Save it as CSV (UTF-8) and try again."
            )
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list[object](row) for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError(_("This file is not a real Excel (.xlsx) workbook."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise TableError(_("The Excel workbook cannot be opened: it may be damaged.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
