"""Read officers' spreadsheets (CSV or XLSX) into rows of text, with clear errors.

CSV files from Vietnamese offices come as UTF-8 (with or without BOM), as Windows-1258 / 1252
from old Excel versions, or as UTF-16 with a byte order mark ("Unicode text"). A file is read as
Windows-1258 only when it holds no UTF-8 letter at all: a UTF-8 file with a stray byte stays
UTF-8, and the rows holding the stray bytes get an error naming the line and byte. Text that was
garbled before it was saved ("Ä‘Æ°á»ng" for "đường") is an error on its row, not imported.
Line endings may be CRLF, LF or CR alone. A quote that is opened and never closed makes the rows
after it one cell: that is refused with the row where it happened.

An .xlsx is a zip: its members' unpacked sizes are checked before anything is unpacked (a small
file that unpacks to gigabytes is refused), the size the sheet declares (``<dimension>``) is not
trusted, and rows are counted while they stream, so reading stops at the file's limit.
A file whose content does not match its extension (an executable renamed .xlsx) is refused.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from danvan.lib.text import clean_name, fold

#: The longest cell: Excel's own limit, so nothing longer comes from a real spreadsheet.
MAX_CELL = 32_767
#: Columns read from each row; templates have at most a few dozen.
MAX_COLUMNS = 200
#: Lines of a file or rows of a sheet, blank ones included: Excel's own limit.
MAX_LINES = 1_048_576
#: An .xlsx unpacks to at most this much in all (a legitimate 100,000-row file: about 100 MB).
MAX_XLSX_UNPACKED = 256 * 1024 * 1024
#: A member larger than ``_RATIO_FROM`` unpacked may be at most this many times its packed size
#: (spreadsheet XML packs 5-30 times; a zip bomb a thousand times).
MAX_XLSX_RATIO = 100
_RATIO_FROM = 1024 * 1024
MAX_XLSX_MEMBERS = 10_000


class TableError(Exception):
    """The file as a whole cannot be read; the message is for the officer."""


@dataclass
class Row:
    line: int  # 1-based line / row number in the file, header included
    values: dict[str, str]
    #: What is wrong with the row as read (bytes that are not text, a cell too long...).
    errors: list[str] = field(default_factory=list)


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)  # "32.767" in Vietnamese


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
    """Rows of the first sheet, keyed by field name. ``titles`` names fields in error messages.

    Raises ``TableError`` when the file as a whole cannot be read or has more than ``max_rows``
    rows (found while reading, before the rest is read).
    """
    lower = name.lower()
    raw_rows: Generator[tuple[int, Sequence[object], list[str]], None, None]
    if lower.endswith(".xlsx"):
        raw_rows = _read_xlsx(data)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        raw_rows = _read_csv(data)
    else:
        raise TableError(_("Only .xlsx and .csv files can be imported."))

    header: list[tuple[int, str]] | None = None
    rows: list[Row] = []
    with contextlib.closing(raw_rows):
        for number, cells, errors in raw_rows:
            if len(cells) > MAX_COLUMNS:
                cells = cells[:MAX_COLUMNS]
            if header is None:
                texts = ["" if c is None else clean_name(str(c)) for c in cells]
                if not any(texts):
                    continue
                keys = [header_key(t, aliases) for t in texts]
                missing = [f for f in required if f not in keys]
                if missing:
                    raise TableError(
                        _("The header row is missing these columns: %(columns)s.")
                        % {"columns": ", ".join((titles or {}).get(f, f) for f in missing)}
                    )
                header = [(i, key) for i, key in enumerate(keys) if key]
                continue
            if not errors and not any(c is not None and str(c).strip() for c in cells):
                continue
            row = Row(line=number, values={}, errors=list(errors))
            for i, key in header:
                cell = cells[i] if i < len(cells) else None
                text = "" if cell is None else str(cell)
                if len(text) > MAX_CELL:
                    row.errors.append(
                        _("The “%(column)s” cell is longer than %(max)s characters.")
                        % {"column": (titles or {}).get(key, key), "max": _number(MAX_CELL)}
                    )
                    text = text[:MAX_CELL]
                row.values[key] = clean_name(text)
            if garbled := _garbled(row.values.values()):
                row.errors.append(
                    _(
                        "The row holds garbled text (“%(text)s”): the file was saved in the wrong "
                        "character encoding. Save it as CSV UTF-8 or as .xlsx and import it again."
                    )
                    % {"text": garbled}
                )
            rows.append(row)
            if len(rows) > max_rows:
                raise TableError(
                    _("The file has more than %(count)s rows; split it into smaller files.")
                    % {"count": _number(max_rows)}
                )
    if header is None:
        raise TableError(_("The file is empty."))
    return rows


def count_rows(*, name: str, data: bytes, stop_after: int, heavy_bytes: int = 0) -> int:
    """About how many rows the file has, without parsing it; counting stops at ``stop_after``.

    The line count of a CSV (any line ending); the ``<row>`` elements of an .xlsx's sheets,
    counted in the unpacked XML (its declared ``<dimension>`` may be wrong or missing). An .xlsx
    that unpacks to more than ``heavy_bytes`` (when given) counts as ``stop_after`` rows: it is
    heavy to parse whatever its rows. Raises ``TableError`` for an .xlsx that is not one or
    unpacks to too much (checked from its directory, before unpacking).
    """
    lower = name.lower()
    if lower.endswith((".csv", ".txt")):
        return min(max(data.count(b"\n"), data.count(b"\r")), stop_after)
    if not lower.endswith(".xlsx"):
        return 0
    archive = _open_zip(data)
    if heavy_bytes and sum(member.file_size for member in archive.infolist()) > heavy_bytes:
        archive.close()
        return stop_after
    count = 0
    with archive:
        for member in archive.infolist():
            if not member.filename.startswith("xl/worksheets/"):
                continue
            tail = b""
            try:
                with archive.open(member) as stream:
                    while count < stop_after and (chunk := stream.read(1024 * 1024)):
                        # A tag cut in two by the chunk's end is found with the next chunk; the
                        # tags wholly inside the kept tail were counted with the previous one.
                        text = tail + chunk
                        tail = text[-31:]
                        count += len(_ROW_TAG.findall(text)) - len(_ROW_TAG.findall(tail))
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                raise TableError(
                    _("The Excel workbook cannot be opened: it may be damaged.")
                ) from exc
    return min(count, stop_after)


#: A row's opening tag, with or without a namespace prefix ("<row ", "<x:row>").
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s/>]")


# --- CSV -------------------------------------------------------------------------------------

#: A UTF-8 encoded Vietnamese or Latin letter: Latin-1 and Latin Extended (Ă Đ Ĩ Ũ Ơ Ư) and
#: the Vietnamese precomposed letters (U+1EA0-U+1EF9). Windows-1258 text practically never holds
#: these byte pairs (a capital letter followed by a symbol).
_UTF8_LETTER = re.compile(rb"[\xc3-\xc6][\x80-\xbf]|\xe1[\xba\xbb][\x80-\xbf]")


def _read_csv(data: bytes) -> Generator[tuple[int, Sequence[object], list[str]], None, None]:
    text, stray = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    # The limit is global to the process; cells longer than ``MAX_CELL`` become row errors.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text), dialect)
    width = 0
    line = 1  # the text line the next row starts on
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableError(
                _("Row %(row)s cannot be read as CSV (%(error)s).")
                % {"row": number + 1, "error": exc}
            ) from exc
        number += 1
        if number > MAX_LINES:
            raise TableError(
                _("The file has more than %(count)s lines; delete the empty ones.")
                % {"count": _number(MAX_LINES)}
            )
        first, line = line, reader.line_num + 1
        errors = [
            _(
                "Byte %(byte)s of the file (line %(line)s) is not UTF-8 text; it shows as "
                "“\ufffd”. Fix it, or save the file as CSV UTF-8, and import it again."
            )
            % {"byte": _number(stray[at]), "line": at}
            for at in range(first, line)
            if at in stray
        ]
        if not width:
            width = sum(1 for cell in cells if cell.strip())
        elif width >= 2 and any("\n" in cell for cell in cells):
            _check_not_merged(cells, number, dialect, width)
        yield number, cells, errors


def _decode(data: bytes) -> tuple[str, dict[int, int]]:
    """The file's text and, for a UTF-8 file with stray bytes, {line: first bad byte offset}."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), {}
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:4096]:
        try:
            return data.decode("utf-8-sig"), {}
        except UnicodeDecodeError:
            pass
        if _UTF8_LETTER.search(data):
            return data.decode("utf-8-sig", errors="replace"), _stray_bytes(data)
        try:
            return data.decode("cp1258"), {}
        except UnicodeDecodeError:
            pass
    else:
        raise TableError(_("This is not a text CSV file. Save it as CSV (UTF-8) and try again."))
    raise TableError(
        _("The file's character encoding is not recognised. Save it as CSV (UTF-8) and try again.")
    )


def _stray_bytes(data: bytes) -> dict[int, int]:
    """{line number: offset of its first byte that is not UTF-8} (1-based, as an editor shows)."""
    stray: dict[int, int] = {}
    offset = 0
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            stray[number] = offset + exc.start + 1
        offset += len(line)
    return stray


def _check_not_merged(
    cells: list[str], number: int, dialect: type[csv.Dialect] | csv.Dialect, width: int
) -> None:
    """Refuse a cell whose later lines look like whole rows: a quote was never closed there."""
    for cell in cells:
        for piece in cell.split("\n")[1:]:
            if len(next(csv.reader([piece], dialect), [])) >= max(2, width - 1):
                raise TableError(
                    _(
                        'Row %(row)s: a quote (") is opened and never closed, so the rows after '
                        "it were merged into one cell. Close the quote and import the file again."
                    )
                    % {"row": number}
                )


# Text saved as UTF-8 after being read as Windows-1252/1258: each letter becomes a letter that is
# not Vietnamese (Ä Å Æ), or Ã Â Ă or á followed by a symbol ("Ä‘" for "đ", "Æ°" for "ư",
# "Ã¡" for "á", "áº¡" for "ạ"). "Ã" and "Â" are Vietnamese capitals, so a quote, an ellipsis or a
# no-break space after them ("NGÃ”") is not counted.
_CP1252_SIGNS = "€‚ƒ„†‡ˆ‰Š‹ŒŽ•–—˜™š›œžŸ"
_MOJIBAKE = re.compile(
    f"[ÄÅÆ][\u00a0-\u00bf{_CP1252_SIGNS}‘’“”…]|[ÂÃĂ][\u00a1-\u00bf{_CP1252_SIGNS}]|á[º»]."
)


def _garbled(values: Iterable[str]) -> str:
    """A few characters around the first garbled letter of the values, or ""."""
    for value in values:
        if value and (match := _MOJIBAKE.search(value)):
            return value[max(match.start() - 8, 0) : match.end() + 8]
    return ""


# --- XLSX ------------------------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The workbook's zip, its members' sizes checked from its directory before unpacking."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError(_("This file is not a real Excel (.xlsx) workbook."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise TableError(_("The Excel workbook cannot be opened: it may be damaged.")) from exc
    members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    if (
        len(members) > MAX_XLSX_MEMBERS
        or unpacked > MAX_XLSX_UNPACKED
        or any(
            member.file_size > _RATIO_FROM
            and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1)
            for member in members
        )
    ):
        archive.close()
        raise TableError(
            _(
                "This workbook unpacks to %(mb)s MB, far more than a spreadsheet of its size "
                "holds: it cannot be imported. Copy its rows into a new workbook, or save it as "
                "CSV, and try again."
            )
            % {"mb": _number(unpacked // (1024 * 1024))}
        )
    return archive


def _read_xlsx(data: bytes) -> Generator[tuple[int, Sequence[object], list[str]], None, None]:
    _open_zip(data).close()
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise TableError(_("The Excel workbook cannot be opened: it may be damaged.")) from exc
    try:
        if not workbook.worksheets:
            raise TableError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        # The size the sheet declares may be wrong (rows past it would be dropped) or missing.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # broken XML or a bad checksum further in the sheet
                raise TableError(
                    _("The Excel workbook cannot be opened: it may be damaged.")
                ) from exc
            number += 1
            if number > MAX_LINES:
                raise TableError(
                    _("The file has more than %(count)s lines; delete the empty ones.")
                    % {"count": _number(MAX_LINES)}
                )
            yield number, cells, []
    finally:
        workbook.close()
