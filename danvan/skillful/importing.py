"""Import a list of existing models from a spreadsheet (CSV or XLSX), row by row.

Each row is read, resolved (unit, period, lead body) and checked as a registration would be; a
row that repeats an earlier one of the file, or a model already registered, is an error. Nothing
is written while any row has an error, unless the officer chooses to import only the valid rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.tables import TableError, read_table
from danvan.lib.text import fold
from danvan.skillful.models import Field as ModelField
from danvan.skillful.models import Holder, MobilizationModel, ModelStatus
from danvan.skillful.services_registry import (
    LEVEL_OF_TIER,
    PARTS,
    CommendationInput,
    bodies_for,
    model_record_existing,
    period_by_years,
    registration_errors,
)
from danvan.units.models import AdministrativeUnit

MAX_ROWS = 2_000

#: The template's columns: field name, Vietnamese title, an example.
COLUMNS: list[tuple[str, str, str]] = [
    ("unit_code", "Mã đơn vị", "17329"),
    ("name", "Tên mô hình", "Dân vận khéo vận động hiến đất làm đường giao thông"),
    ("field", "Lĩnh vực", "Kinh tế"),
    ("level", "Cấp", "Xã"),
    ("holder", "Tập thể/cá nhân", "Tập thể"),
    ("person_name", "Người", ""),
    ("person_consents", "Đồng ý công khai tên", ""),
    ("period", "Giai đoạn", "2021-2025"),
    ("year", "Năm", "2024"),
    ("lead_body", "Cơ quan chủ trì", "Ủy ban Mặt trận Tổ quốc Việt Nam xã Anh Sơn"),
    ("starts_on", "Ngày bắt đầu", "01/03/2024"),
    ("situation", "Thực trạng, lý do", "Đường liên xóm hẹp, xuống cấp"),
    ("goals", "Mục tiêu, tiêu chí", "Mở rộng 3 km đường"),
    ("content", "Nội dung, cách thức", "Vận động từng hộ hiến đất, góp ngày công"),
    ("area_and_target", "Địa bàn, đối tượng", "Các hộ dọc tuyến đường"),
    ("forces", "Lực lượng thực hiện", "Mặt trận, các đoàn thể"),
    ("resources", "Nguồn lực", "Nhân dân đóng góp, ngân sách hỗ trợ"),
    ("expected_outputs", "Kết quả dự kiến", "3 km đường bê tông"),
    ("sustainability", "Khả năng duy trì, nhân rộng", "Nhân rộng ra các xóm khác"),
    ("status", "Trạng thái", "Được khen thưởng"),
    ("decision_number", "Số quyết định khen thưởng", "1234/QĐ-UBND"),
    ("decided_on", "Ngày quyết định", "15/12/2025"),
    ("issuer", "Cơ quan khen thưởng", "UBND tỉnh Nghệ An"),
    ("title", "Hình thức khen thưởng", "Bằng khen"),
]

TITLES = {key: title for key, title, _example in COLUMNS}

COLUMN_ALIASES: dict[str, str] = {fold(title).strip(" *:"): key for key, title, _e in COLUMNS}
COLUMN_ALIASES.update({key.replace("_", " "): key for key, _t, _e in COLUMNS})
COLUMN_ALIASES.update(
    {
        "ma xa": "unit_code",
        "ma don vi hanh chinh": "unit_code",
        "unit": "unit_code",
        "ten": "name",
        "thuc trang": "situation",
        "muc tieu": "goals",
        "noi dung": "content",
        "dia ban": "area_and_target",
        "nguon luc thuc hien": "resources",
        "ket qua": "expected_outputs",
        "so quyet dinh": "decision_number",
    }
)

REQUIRED = ["unit_code", "name", "field", "period", "year", "lead_body", "starts_on", "content"]

FIELD_ALIASES = {
    "kinh te": ModelField.ECONOMY,
    "van hoa - xa hoi": ModelField.CULTURE_SOCIETY,
    "van hoa xa hoi": ModelField.CULTURE_SOCIETY,
    "van hoa, xa hoi": ModelField.CULTURE_SOCIETY,
    "quoc phong - an ninh": ModelField.DEFENCE_SECURITY,
    "quoc phong an ninh": ModelField.DEFENCE_SECURITY,
    "quoc phong, an ninh": ModelField.DEFENCE_SECURITY,
    "xay dung dang va he thong chinh tri": ModelField.PARTY_BUILDING,
    "xay dung dang, he thong chinh tri": ModelField.PARTY_BUILDING,
    "xay dung he thong chinh tri": ModelField.PARTY_BUILDING,
    **{fold(str(label)): value for value, label in ModelField.choices},
    **{value: value for value in ModelField.values},
}
LEVEL_ALIASES = {
    "thon": "village",
    "to dan pho": "village",
    "xa": "commune",
    "phuong": "commune",
    "dac khu": "commune",
    "tinh": "province",
    "thanh pho": "province",
    "village": "village",
    "commune": "commune",
    "province": "province",
}
HOLDER_ALIASES = {
    "": Holder.COLLECTIVE,
    "tap the": Holder.COLLECTIVE,
    "ca nhan": Holder.INDIVIDUAL,
    "collective": Holder.COLLECTIVE,
    "individual": Holder.INDIVIDUAL,
}
STATUS_ALIASES = {
    "": ModelStatus.REGISTERED,
    "dang ky": ModelStatus.REGISTERED,
    "da dang ky": ModelStatus.REGISTERED,
    "dang trien khai": ModelStatus.UNDER_WAY,
    "dang thuc hien": ModelStatus.UNDER_WAY,
    "de nghi danh gia": ModelStatus.PROPOSED,
    "da danh gia": ModelStatus.EVALUATED,
    "duoc cong nhan": ModelStatus.RECOGNIZED,
    "da cong nhan": ModelStatus.RECOGNIZED,
    "khong duoc cong nhan": ModelStatus.NOT_RECOGNIZED,
    "duoc khen thuong": ModelStatus.HONORED,
    "da khen thuong": ModelStatus.HONORED,
    "khen thuong": ModelStatus.HONORED,
    **{value: value for value in ModelStatus.values},
}
_YES = {"co", "x", "yes", "1", "true", "dong y"}


@dataclass
class ImportRow:
    line: int
    unit_code: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    unit: AdministrativeUnit | None = None
    status: str = ModelStatus.REGISTERED
    commendation: CommendationInput | None = None
    errors: list[str] = field(default_factory=list)
    code: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[ImportRow]
    imported: int = 0

    @property
    def error_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.ok]


def _date(text: str) -> datetime.date | None:
    text = text.strip().split(" ")[0]  # "2026-03-01 00:00:00" from an Excel date cell
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_model_file(*, name: str, data: bytes) -> list[ImportRow]:
    """Rows of the file with their cells turned into values; a cell that cannot be understood
    becomes an error on its row. Units, periods and bodies are resolved by ``models_validate``."""
    table = read_table(
        name=name,
        data=data,
        aliases=COLUMN_ALIASES,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        titles=TITLES,
    )
    rows: list[ImportRow] = []
    for raw in table:
        cells = raw.values
        errors: list[str] = list(raw.errors)
        code = cells.get("unit_code", "").strip()
        if code.isdigit() and len(code) < 5 and len(code) != 2:
            code = code.zfill(5)  # Excel drops the leading zeros of "00070"
        values: dict[str, Any] = {part: cells.get(part, "") for part in PARTS}
        values["name"] = cells.get("name", "")
        values["person_name"] = cells.get("person_name", "")
        values["person_consents_to_publication"] = fold(cells.get("person_consents", "")) in _YES
        values["field"] = FIELD_ALIASES.get(fold(cells.get("field", "")), "")
        if not values["field"]:
            errors.append(_("Unknown field “%(value)s”.") % {"value": cells.get("field", "")})
        values["holder"] = HOLDER_ALIASES.get(fold(cells.get("holder", "")), "")
        if not values["holder"]:
            errors.append(
                _("“%(title)s” must be “Tập thể” or “Cá nhân”.") % {"title": TITLES["holder"]}
            )
        level_text = fold(cells.get("level", ""))
        values["level"] = LEVEL_ALIASES.get(level_text, "") if level_text else None
        if level_text and not values["level"]:
            errors.append(_("Unknown level “%(value)s”.") % {"value": cells.get("level", "")})
        year_text = cells.get("year", "").strip().removesuffix(".0")
        values["year"] = int(year_text) if year_text.isdigit() else None
        if values["year"] is None:
            errors.append(_("The year must be a number like 2024."))
        values["starts_on"] = _date(cells.get("starts_on", ""))
        if values["starts_on"] is None:
            errors.append(_("The start day must be a date like 01/03/2024."))
        values["period_text"] = cells.get("period", "")
        values["lead_body_text"] = cells.get("lead_body", "")
        status = STATUS_ALIASES.get(fold(cells.get("status", "")))
        if status is None:
            errors.append(_("Unknown status “%(value)s”.") % {"value": cells.get("status", "")})
        commendation = None
        decision = cells.get("decision_number", "").strip()
        if status == ModelStatus.HONORED or decision:
            decided_on = _date(cells.get("decided_on", ""))
            if status != ModelStatus.HONORED:
                errors.append(_("Only an honored model has a commendation decision."))
            elif (
                not decision
                or decided_on is None
                or not cells.get("issuer")
                or not cells.get("title")
            ):
                errors.append(
                    _(
                        "An honored model needs the commendation's decision number, date, issuing "
                        "body and form."
                    )
                )
            else:
                commendation = CommendationInput(
                    decision_number=decision,
                    decided_on=decided_on,
                    issuer=cells.get("issuer", ""),
                    title=cells.get("title", ""),
                )
        rows.append(
            ImportRow(
                line=raw.line,
                unit_code=code,
                name=values["name"],
                values=values,
                status=status or ModelStatus.REGISTERED,
                commendation=commendation,
                errors=errors,
            )
        )
    return rows


def models_validate(*, actor: Actor, rows: list[ImportRow]) -> ImportReport:
    """Resolve each row and check it as a registration; writes nothing."""
    units = {
        u.code: u
        for u in AdministrativeUnit.objects.current().filter(code__in={r.unit_code for r in rows})
    }
    seen: dict[tuple[str, str, str], int] = {}
    bodies_cache: dict[int, list[Any]] = {}
    for row in rows:
        values = row.values
        unit = units.get(row.unit_code)
        if unit is None:
            row.errors.append(
                _("No current unit has the code “%(code)s”.") % {"code": row.unit_code}
            )
            continue
        if actor.user is not None and not can(actor.user, Capability.ACT, unit):
            row.errors.append(_("You may not register models of %(unit)s.") % {"unit": unit.name})
            continue
        row.unit = unit
        if values.get("level") is None:
            values["level"] = LEVEL_OF_TIER.get(unit.tier, "")
        period = period_by_years(unit, values.get("period_text", ""))
        if period is None:
            row.errors.append(
                _("No emulation period “%(period)s” (write it like 2021-2025).")
                % {"period": values.get("period_text", "")}
            )
        values["period"] = period
        if unit.pk not in bodies_cache:
            bodies_cache[unit.pk] = list(bodies_for(unit))
        wanted = fold(values.get("lead_body_text", ""))
        lead = next(
            (
                b
                for b in bodies_cache[unit.pk]
                if wanted and wanted in (fold(b.name), fold(b.short_name or ""))
            ),
            None,
        )
        if lead is None:
            row.errors.append(
                _("No active body named “%(body)s” at %(unit)s or above it.")
                % {"body": values.get("lead_body_text", ""), "unit": unit.name}
            )
            continue
        values["lead_body"] = lead
        if row.errors:
            continue
        key = (row.unit_code, fold(row.name), str(period.pk if period else ""))
        if key in seen:
            row.errors.append(_("Same as line %(line)s.") % {"line": seen[key]})
            continue
        seen[key] = row.line
        checked = dict(values)
        errors = registration_errors(
            unit=unit, values=checked, partner_bodies=[], require_parts=False
        )
        for messages in errors.values():
            row.errors.extend(messages)
        if not checked.get("content"):
            row.errors.append(_("The content and method cannot be empty."))
        existing = next(
            (
                m
                for m in MobilizationModel.objects.filter(unit=unit, period=period).only(
                    "code", "name"
                )
                if fold(m.name) == fold(row.name)
            ),
            None,
        )
        if existing is not None:
            row.errors.append(
                _("This model is already registered as %(code)s.") % {"code": existing.code}
            )
    return ImportReport(rows=rows)


@transaction.atomic
def models_import(*, actor: Actor, rows: list[ImportRow], only_valid: bool = False) -> ImportReport:
    """Import the models: all rows, or with ``only_valid`` the rows without errors.

    When any row has an error and ``only_valid`` is false, nothing is written."""
    report = models_validate(actor=actor, rows=rows)
    if report.error_rows and not only_valid:
        return report
    for row in report.valid_rows:
        assert row.unit is not None
        values = {k: v for k, v in row.values.items() if k not in ("period_text", "lead_body_text")}
        try:
            model = model_record_existing(
                actor=actor,
                unit=row.unit,
                values=values,
                status=row.status,
                commendation=row.commendation,
            )
        except (ValidationError, PermissionDenied) as exc:  # checked above; a race at most
            transaction.set_rollback(True)
            row.errors.extend(getattr(exc, "messages", [str(exc)]))
            report.imported = 0
            return report
        row.code = model.code
        report.imported += 1
    return report


def template_xlsx() -> bytes:
    from danvan.lib.xlsx import new_workbook, sheet_append, sheet_start, workbook_bytes

    workbook = new_workbook()
    columns = [(title, 22) for _key, title, _example in COLUMNS]
    sheet = sheet_start(workbook, "Mo hinh Dan van kheo", columns)
    sheet_append(sheet, [example for _key, _title, example in COLUMNS])
    return workbook_bytes(workbook)


def template_csv() -> bytes:
    from danvan.lib.xlsx import csv_bytes

    return csv_bytes(
        [
            [title for _key, title, _example in COLUMNS],
            [example for _key, _title, example in COLUMNS],
        ]
    )


__all__ = ["TableError", "models_import", "parse_model_file", "template_csv", "template_xlsx"]
