"""The village list (danh sách thôn, tổ dân phố) as an importer of ``danvan.lib.importing``.

Its columns, how a row's cells become a ``VillageRow``; the rows are checked and written by
``villages_validate`` and ``villages_import`` (``units.services``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from danvan.lib.importing import Column, Columns, Importer, ImportReport, Progress, TableError
from danvan.lib.tables import Row
from danvan.lib.text import fold
from danvan.units.models import UnitKind
from danvan.units.services import VillageRow, villages_import, villages_validate

KIND_ALIASES = {
    "": UnitKind.VILLAGE,
    "thon": UnitKind.VILLAGE,
    "xom": UnitKind.VILLAGE,
    "ban": UnitKind.VILLAGE,
    "ap": UnitKind.VILLAGE,
    "lang": UnitKind.VILLAGE,
    "buon": UnitKind.VILLAGE,
    "soc": UnitKind.VILLAGE,
    "village": UnitKind.VILLAGE,
    "to dan pho": UnitKind.RESIDENTIAL_GROUP,
    "khu pho": UnitKind.RESIDENTIAL_GROUP,
    "residential group": UnitKind.RESIDENTIAL_GROUP,
    "residential_group": UnitKind.RESIDENTIAL_GROUP,
}

_YES = {"co", "x", "yes", "1", "true"}
_NO = {"", "khong", "no", "0", "false"}


class VillageImporter(Importer[VillageRow]):
    """Villages and residential groups; rows without a commune code go to ``default_commune``
    (the commune whose page the officer imports from), and the column is then optional."""

    name = "mau-thon-to-dan-pho"
    sheet = "Thon - To dan pho"
    max_rows = 20_000
    columns = Columns(
        Column(
            "commune_code",
            "Mã xã",
            aliases=("ma don vi cap xa", "ma xa/phuong", "commune"),
            required=True,
            width=12,
        ),
        Column("name", "Tên", aliases=("ten thon", "ten thon/to dan pho"), required=True, width=30),
        Column("kind", "Loại"),
        Column("remote", "Vùng sâu, vùng xa", aliases=("vung sau vung xa",), width=18),
    )
    examples = [
        {"commune_code": "17329", "name": "Xóm 1", "kind": "Thôn", "remote": "Không"},
        {"commune_code": "17329", "name": "Tổ dân phố 2", "kind": "Tổ dân phố", "remote": "Không"},
    ]

    def __init__(self, *, default_commune: str = "") -> None:
        self.default_commune = default_commune

    def required(self) -> list[str]:
        return ["name"] if self.default_commune else ["commune_code", "name"]

    def parse_row(self, raw: Row) -> VillageRow:
        values = raw.values
        row = VillageRow(
            line=raw.line,
            commune_code="",
            name="",
            kind="",
            is_remote=None,
            errors=list(raw.errors),
        )
        kind = KIND_ALIASES.get(fold(values.get("kind", "")))
        if kind is None:
            self.error(
                row, _("Unknown kind “%(kind)s”.") % {"kind": values.get("kind", "")}, column="kind"
            )
        remote_text = fold(values.get("remote", ""))
        if remote_text in _YES:
            row.is_remote = True
        elif remote_text and remote_text not in _NO:
            self.error(row, _("“Remote” must be yes or no."), column="remote")
        code = values.get("commune_code", "") or self.default_commune
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)  # Excel drops the leading zeros of "00070"
        row.commune_code = code
        row.name = values.get("name", "")
        row.kind = str(kind or "")
        return row

    def validate(self, *, actor: Any, rows: list[VillageRow]) -> ImportReport[VillageRow]:
        return villages_validate(actor=actor, rows=rows)

    def commit(
        self,
        *,
        actor: Any,
        rows: list[VillageRow],
        only_valid: bool,
        progress: Progress | None = None,
    ) -> ImportReport[VillageRow]:
        # Written in bulk, one audit row per commune: there is no progress to tell.
        return villages_import(actor=actor, rows=rows, only_valid=only_valid)


def parse_village_file(*, name: str, data: bytes, default_commune: str = "") -> list[VillageRow]:
    """Rows of the file; a cell that cannot be understood becomes an error on its row."""
    return VillageImporter(default_commune=default_commune).parse(name=name, data=data)


def village_template_xlsx() -> bytes:
    return VillageImporter().template_xlsx()


def village_template_csv() -> bytes:
    return VillageImporter().template_csv()


__all__ = [
    "TableError",
    "VillageImporter",
    "parse_village_file",
    "village_template_csv",
    "village_template_xlsx",
]
