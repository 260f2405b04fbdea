"""Turn an uploaded village list into rows for ``villages_import``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from danvan.lib.tables import TableError, read_table
from danvan.lib.text import fold
from danvan.units.models import UnitKind
from danvan.units.services import ImportRow

MAX_ROWS = 20_000

COLUMN_ALIASES = {
    "ma xa": "commune_code",
    "ma don vi cap xa": "commune_code",
    "ma xa/phuong": "commune_code",
    "commune code": "commune_code",
    "commune": "commune_code",
    "ten": "name",
    "ten thon": "name",
    "ten thon/to dan pho": "name",
    "name": "name",
    "loai": "kind",
    "kind": "kind",
    "vung sau vung xa": "remote",
    "vung sau, vung xa": "remote",
    "remote": "remote",
}

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


def parse_village_file(*, name: str, data: bytes, default_commune: str = "") -> list[ImportRow]:
    """Rows of the file; a cell that cannot be understood becomes an error on its row."""
    table = read_table(
        name=name,
        data=data,
        aliases=COLUMN_ALIASES,
        required=["name"] if default_commune else ["commune_code", "name"],
        max_rows=MAX_ROWS,
        titles={"commune_code": "Mã xã", "name": "Tên"},
    )
    rows: list[ImportRow] = []
    for raw in table:
        values = raw.values
        errors: list[str] = list(raw.errors)
        kind_text = fold(values.get("kind", ""))
        kind = KIND_ALIASES.get(kind_text)
        if kind is None:
            errors.append(_("Unknown kind “%(kind)s”.") % {"kind": values.get("kind", "")})
        remote_text = fold(values.get("remote", ""))
        remote: bool | None = None
        if remote_text in _YES:
            remote = True
        elif remote_text and remote_text not in _NO:
            errors.append(_("“Remote” must be yes or no."))
        code = values.get("commune_code", "") or default_commune
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)  # Excel drops the leading zeros of "00070"
        rows.append(
            ImportRow(
                line=raw.line,
                commune_code=code,
                name=values.get("name", ""),
                kind=str(kind or ""),
                is_remote=remote,
                errors=errors,
            )
        )
    return rows


def village_template_xlsx() -> bytes:
    from danvan.lib.xlsx import new_workbook, sheet_append, sheet_start, workbook_bytes

    workbook = new_workbook()
    columns = [("Mã xã", 12), ("Tên", 30), ("Loại", 16), ("Vùng sâu, vùng xa", 18)]
    sheet = sheet_start(workbook, "Thon - To dan pho", columns)
    sheet_append(sheet, ["17329", "Xóm 1", "Thôn", "Không"])
    sheet_append(sheet, ["17329", "Tổ dân phố 2", "Tổ dân phố", "Không"])
    return workbook_bytes(workbook)


def village_template_csv() -> bytes:
    text = "Mã xã,Tên,Loại,Vùng sâu vùng xa\n17329,Xóm 1,Thôn,Không\n17329,Tổ dân phố 2,Tổ dân phố,Không\n"
    return text.encode("utf-8-sig")


__all__ = ["TableError", "parse_village_file", "village_template_csv", "village_template_xlsx"]
