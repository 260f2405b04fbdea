"""The files an officer downloads to import voices: the .xlsx and .csv templates, with the
columns of an import (``session``: a voter contact session's, whose kind and date are fixed)."""

from __future__ import annotations

from danvan.lib.xlsx import csv_bytes, new_workbook, sheet_append, sheet_start, workbook_bytes
from danvan.voices.importing.columns import TITLES


def voice_template_xlsx(*, session: bool = False) -> bytes:
    header, examples = _template_rows(session=session)
    workbook = new_workbook()
    columns = [(title, 50 if title == TITLES["text"] else 16) for title in header]
    sheet = sheet_start(workbook, "Kien nghi cu tri" if session else "Y kien", columns)
    for example in examples:
        sheet_append(sheet, example)
    return workbook_bytes(workbook)


def voice_template_csv(*, session: bool = False) -> bytes:
    header, examples = _template_rows(session=session)
    return csv_bytes([header, *examples])


def _template_rows(*, session: bool) -> tuple[list[str], list[list[str]]]:
    text = "Đường liên thôn xuống cấp, đề nghị sửa chữa trước mùa mưa."
    if session:
        return (
            [TITLES[f] for f in ("topic", "unit_code", "text", "joint", "name", "address")],
            [["Hạ tầng, giao thông, xây dựng", "17329", text, "Không", "Nguyễn Văn An", "Xóm 1"]],
        )
    return (
        [
            TITLES[f]
            for f in (
                "kind",
                "topic",
                "unit_code",
                "text",
                "received_on",
                "name",
                "contact",
                "address",
            )
        ],
        [
            [
                "Phản ánh",
                "infrastructure",
                "17329",
                text,
                "02/11/2026",
                "Nguyễn Văn An",
                "0912345678",
                "Xóm 1",
            ],
            [
                "Khiếu nại lần đầu",
                "land",
                "17329-001",
                "Chưa nhận được tiền bồi thường khi thu hồi đất.",
                "2026-11-03",
                "Trần Thị Bình",
                "",
                "",
            ],
        ],
    )
