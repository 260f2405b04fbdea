"""Build the spreadsheets officers upload, in the forms their software saves them."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence

HEADER = ["Mã xã", "Tên", "Loại", "Vùng sâu, vùng xa"]


def csv_text(rows: list[list[str]], *, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    text = csv_text(rows, delimiter=delimiter)
    if encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(encoding)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed letters where it has them, tone marks apart.

    Windows-1258 has "ơ", "â", "đ", "ó"... but no "ờ" or "ả": those are written as the base letter
    followed by a combining tone mark.
    """
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        # The tone mark is not always last in NFD: "ộ" is o + dot below + circumflex.
        decomposed = unicodedata.normalize("NFD", char)
        tones = [c for c in decomposed if c in _TONE_MARKS]
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        out += base.encode("cp1258") + "".join(tones).encode("cp1258")
    return bytes(out)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: The first bytes of a Windows executable: what an ".xlsx" that is really a program starts with.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 64
    + (b"This program cannot be run in DOS mode.\r\r\n$")
)


def xlsx_rezip(data: bytes, replace: dict[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """The same .xlsx with some members' content replaced (a value, or a function of the old)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            new = replace.get(info.filename, content)
            target.writestr(info.filename, new(content) if callable(new) else new)
    return out.getvalue()


def xlsx_sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def xlsx_without_dimension(data: bytes) -> bytes:
    """The .xlsx without the ``<dimension>`` its sheet declares (some programs write none)."""
    return xlsx_rezip(
        data,
        {"xl/worksheets/sheet1.xml": lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml)},
    )


def xlsx_zip_bomb(unpacked_mb: int) -> bytes:
    """A real workbook whose sheet is ``unpacked_mb`` MB of the same row: a few hundred KB."""
    row = b'<row><c t="inlineStr"><is><t>01</t></is></c><c t="inlineStr"><is><t>Xom</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Mã", "Tên"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
                continue
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/')
                sheet.write(b'spreadsheetml/2006/main"><sheetData>')
                for _ in range(unpacked_mb):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()
