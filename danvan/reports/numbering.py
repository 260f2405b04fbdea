"""Numbers and symbols of issued reports (số, ký hiệu).

Party documents (Guidance 36-HD/VPTW) join the number and the symbol with a hyphen, ``15-BC/BTGDVTU``
and write ``Số 15-BC/BTGDVTU``; state documents (Decree 30/2020/NĐ-CP) write ``Số: 15/BC-UBND``.
Numbers below 10 take a leading zero in both. ``BC`` is the abbreviation of the document type
(báo cáo, report).
"""

from __future__ import annotations

from danvan.reports.models import ReportFormat

__all__ = ["DOCUMENT_TYPE_CODE", "number_line", "report_symbol"]

DOCUMENT_TYPE_CODE = "BC"


def _number(number: int | None) -> str:
    # A draft has no number yet: officials leave the space blank to write it in on issue.
    return f"{number:02d}" if number is not None else "    "


def report_symbol(
    fmt: str, number: int | None, body_code: str, type_code: str = DOCUMENT_TYPE_CODE
) -> str:
    """``15-BC/BTGDVTU`` (Party) or ``15/BC-UBND`` (state); ``type_code`` is another document
    type's abbreviation (``QĐ`` for a decision, ``KL`` for a conclusion)."""
    if fmt == ReportFormat.PARTY:
        return f"{_number(number)}-{type_code}/{body_code}"
    return f"{_number(number)}/{type_code}-{body_code}"


def number_line(
    fmt: str, number: int | None, body_code: str, type_code: str = DOCUMENT_TYPE_CODE
) -> str:
    """The line under the issuing body: ``Số 15-BC/BTGDVTU`` or ``Số: 15/BC-UBND``."""
    prefix = "Số " if fmt == ReportFormat.PARTY else "Số: "
    return prefix + report_symbol(fmt, number, body_code, type_code)
