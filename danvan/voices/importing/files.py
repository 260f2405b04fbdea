"""Voices' importer in ``danvan.lib.importing``: the columns, the templates an officer downloads
and the error workbook come from the framework; reading, checking and writing the rows are
voices' own (``parse``, ``write``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import ClassVar

from danvan.audit.context import Actor
from danvan.lib.importing import Importer, ImportReport, Progress
from danvan.lib.tables import Row
from danvan.voices.importing.columns import COLUMNS
from danvan.voices.importing.parse import (
    MAX_ROWS,
    VoiceImportRow,
    parse_row,
    parse_voice_file,
    required_columns,
    voices_validate,
)
from danvan.voices.importing.write import voices_import

#: The template's example text.
EXAMPLE_TEXT = "Đường liên thôn xuống cấp, đề nghị sửa chữa trước mùa mưa."


class VoiceImporter(Importer[VoiceImportRow]):
    """Voices from an officer's spreadsheet, every row through the intake steps of
    ``voice_submit`` (``voices_import``). ``fixed_kind``, ``fixed_date`` and
    ``default_unit_code`` make those columns optional (a voter contact session's file)."""

    name = "mau-y-kien"
    sheet = "Y kien"
    columns = COLUMNS
    max_rows = MAX_ROWS
    examples: ClassVar[Sequence[Mapping[str, str]]] = (
        {
            "kind": "Phản ánh",
            "topic": "infrastructure",
            "unit_code": "17329",
            "text": EXAMPLE_TEXT,
            "received_on": "02/11/2026",
            "name": "Nguyễn Văn An",
            "contact": "0912345678",
            "address": "Xóm 1",
        },
        {
            "kind": "Khiếu nại lần đầu",
            "topic": "land",
            "unit_code": "17329-001",
            "text": "Chưa nhận được tiền bồi thường khi thu hồi đất.",
            "received_on": "2026-11-03",
            "name": "Trần Thị Bình",
        },
    )

    def __init__(
        self,
        *,
        fixed_kind: str | None = None,
        fixed_date: datetime.date | None = None,
        default_unit_code: str = "",
    ) -> None:
        self.fixed_kind = fixed_kind
        self.fixed_date = fixed_date
        self.default_unit_code = default_unit_code

    def required(self) -> list[str]:
        return required_columns(
            fixed_kind=self.fixed_kind,
            fixed_date=self.fixed_date,
            default_unit_code=self.default_unit_code,
        )

    def parse(self, *, name: str, data: bytes) -> list[VoiceImportRow]:
        # Up to 100,000 rows: read with the cycle collector off (``parse_voice_file``).
        return parse_voice_file(
            name=name,
            data=data,
            fixed_kind=self.fixed_kind,
            fixed_date=self.fixed_date,
            default_unit_code=self.default_unit_code,
        )

    def parse_row(self, raw: Row) -> VoiceImportRow:
        return parse_row(
            raw,
            fixed_kind=self.fixed_kind,
            fixed_date=self.fixed_date,
            default_unit_code=self.default_unit_code,
        )

    def validate(self, *, actor: Actor, rows: list[VoiceImportRow]) -> ImportReport[VoiceImportRow]:
        return voices_validate(actor=actor, rows=rows)

    def commit(
        self,
        *,
        actor: Actor,
        rows: list[VoiceImportRow],
        only_valid: bool,
        progress: Progress | None = None,
    ) -> ImportReport[VoiceImportRow]:
        return voices_import(actor=actor, rows=rows, only_valid=only_valid, progress=progress)

    def template_keys(self) -> list[str]:
        # "Joint" is a voter contact session's column (``voter_contact.importing``).
        return [key for key in self.columns.keys if key != "joint"]
