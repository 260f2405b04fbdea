"""Import a list of existing models from a spreadsheet (CSV or XLSX), row by row.

Each row is read, resolved (unit, period, lead body) and checked as a registration would be; a
row that repeats an earlier one of the file, or a model already registered, is an error. Nothing
is written while any row has an error, unless the officer chooses to import only the valid rows.
``ModelImporter`` plugs the list into the one import framework (``danvan.lib.importing``): the
page, the preview, the templates and the error workbook come from there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.importing import (
    Column,
    Columns,
    Importer,
    ImportReport,
    ImportRow,
    Progress,
    TableError,
)
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.tables import Row
from danvan.lib.text import fold
from danvan.organizations.models import Body
from danvan.skillful.models import EmulationPeriod, Holder, MobilizationModel, ModelStatus
from danvan.skillful.models import Field as ModelField
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

#: Other titles officers give the columns.
_ALIASES: dict[str, tuple[str, ...]] = {
    "unit_code": ("ma xa", "ma don vi hanh chinh", "unit"),
    "name": ("ten",),
    "situation": ("thuc trang",),
    "goals": ("muc tieu",),
    "content": ("noi dung",),
    "area_and_target": ("dia ban",),
    "resources": ("nguon luc thuc hien",),
    "expected_outputs": ("ket qua",),
    "decision_number": ("so quyet dinh",),
}

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


@dataclass(kw_only=True)
class ModelRow(ImportRow):
    """A row of a model list: its cells as values, then resolved by ``models_validate``."""

    unit_code: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    unit: AdministrativeUnit | None = None
    status: str = ModelStatus.REGISTERED
    commendation: CommendationInput | None = None
    #: The model's code once imported.
    code: str = ""


def _date(text: str) -> datetime.date | None:
    text = text.strip().split(" ")[0]  # "2026-03-01 00:00:00" from an Excel date cell
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def models_validate(*, actor: Actor, rows: list[ModelRow]) -> ImportReport[ModelRow]:
    """Resolve each row and check it as a registration; writes nothing."""
    units = {
        u.code: u
        for u in AdministrativeUnit.objects.current().filter(code__in={r.unit_code for r in rows})
    }
    seen: dict[tuple[str, str, str], int] = {}
    bodies_cache: dict[int, list[Body]] = {}
    for row in rows:
        unit = _row_unit(actor, row, units)
        if unit is None:
            continue
        row.unit = unit
        values = row.values
        if values.get("level") is None:
            values["level"] = LEVEL_OF_TIER.get(unit.tier, "")
        period = period_by_years(unit, values.get("period_text", ""))
        if period is None:
            row.error(
                _("No emulation period “%(period)s” (write it like 2021-2025).")
                % {"period": values.get("period_text", "")},
                column="period",
                title=TITLES["period"],
            )
        values["period"] = period
        if unit.pk not in bodies_cache:
            bodies_cache[unit.pk] = list(bodies_for(unit))
        lead = _row_lead_body(row, unit, bodies_cache[unit.pk])
        if lead is None:
            continue
        values["lead_body"] = lead
        if row.errors:
            continue
        key = (row.unit_code, fold(row.name), str(period.pk if period else ""))
        if key in seen:
            row.errors.append(_("Same as line %(line)s.") % {"line": seen[key]})
            continue
        seen[key] = row.line
        _row_check_registration(row, unit, period)
    return ImportReport(rows=rows)


def _row_unit(
    actor: Actor, row: ModelRow, units: dict[str, AdministrativeUnit]
) -> AdministrativeUnit | None:
    """The row's current unit, if the importing officer may register models there; else None,
    with the row's error."""
    unit = units.get(row.unit_code)
    if unit is None:
        row.error(
            _("No current unit has the code “%(code)s”.") % {"code": row.unit_code},
            column="unit_code",
            title=TITLES["unit_code"],
        )
        return None
    if actor.user is not None and not can(actor.user, Capability.ACT, unit):
        row.errors.append(_("You may not register models of %(unit)s.") % {"unit": unit.name})
        return None
    return unit


def _row_lead_body(row: ModelRow, unit: AdministrativeUnit, bodies: list[Body]) -> Body | None:
    """The lead body named on the row, by its name or short name, among the active ``bodies`` at
    the unit or above it; else None, with the row's error."""
    text = row.values.get("lead_body_text", "")
    wanted = fold(text)
    lead = next(
        (b for b in bodies if wanted and wanted in (fold(b.name), fold(b.short_name or ""))),
        None,
    )
    if lead is None:
        row.error(
            _("No active body named “%(body)s” at %(unit)s or above it.")
            % {"body": text, "unit": unit.name},
            column="lead_body",
            title=TITLES["lead_body"],
        )
    return lead


def _row_check_registration(
    row: ModelRow, unit: AdministrativeUnit, period: EmulationPeriod | None
) -> None:
    """The checks of a registration (``registration_errors``), a content, and no model of the
    same name registered in the unit for the period."""
    checked = dict(row.values)
    errors = registration_errors(unit=unit, values=checked, partner_bodies=[], require_parts=False)
    for messages in errors.values():
        row.errors.extend(messages)
    if not checked.get("content"):
        row.errors.append(_("The content and method cannot be empty."))
    existing = next(
        (
            m
            for m in MobilizationModel.objects.filter(unit=unit, period=period).only("code", "name")
            if fold(m.name) == fold(row.name)
        ),
        None,
    )
    if existing is not None:
        row.errors.append(
            _("This model is already registered as %(code)s.") % {"code": existing.code}
        )


def models_import(
    *,
    actor: Actor,
    rows: list[ModelRow],
    only_valid: bool = False,
    progress: Progress | None = None,
) -> ImportReport[ModelRow]:
    """Import the models through ``model_record_existing`` (each with its audit row): all rows,
    or with ``only_valid`` the rows without errors.

    When any row has an error and ``only_valid`` is false, nothing is written."""
    return ModelImporter().commit(actor=actor, rows=rows, only_valid=only_valid, progress=progress)


class ModelImporter(Importer[ModelRow]):
    """Existing models (mô hình đã có), one per row, with their commendation when honored."""

    name = "mau-mo-hinh-dan-van-kheo"
    sheet = "Mo hinh Dan van kheo"
    max_rows = MAX_ROWS
    columns = Columns(
        *(
            Column(key, title, aliases=_ALIASES.get(key, ()), required=key in REQUIRED, width=22)
            for key, title, _example in COLUMNS
        )
    )
    examples = [{key: example for key, _title, example in COLUMNS}]

    def parse_row(self, raw: Row) -> ModelRow:
        """One row's cells turned into values; a cell that cannot be understood is an error on its
        row. Units, periods and bodies are resolved by ``models_validate``."""
        cells = raw.values
        code = cells.get("unit_code", "").strip()
        if code.isdigit() and len(code) < 5 and len(code) != 2:
            code = code.zfill(5)  # Excel drops the leading zeros of "00070"
        row = ModelRow(line=raw.line, unit_code=code, name=cells.get("name", ""), errors=raw.errors)
        values: dict[str, Any] = {part: cells.get(part, "") for part in PARTS}
        values["name"] = row.name
        values["person_name"] = cells.get("person_name", "")
        values["person_consents_to_publication"] = fold(cells.get("person_consents", "")) in _YES
        self._parse_classification(row, cells, values)
        self._parse_dates(row, cells, values)
        values["period_text"] = cells.get("period", "")
        values["lead_body_text"] = cells.get("lead_body", "")
        status = STATUS_ALIASES.get(fold(cells.get("status", "")))
        if status is None:
            self.error(
                row,
                _("Unknown status “%(value)s”.") % {"value": cells.get("status", "")},
                column="status",
            )
        row.commendation = self._parse_commendation(row, cells, status)
        row.values = values
        row.status = status or ModelStatus.REGISTERED
        return row

    def _parse_classification(
        self, row: ModelRow, cells: dict[str, str], values: dict[str, Any]
    ) -> None:
        """The model's field, holder (collective or individual) and level; an empty level is
        the unit's own, found by ``models_validate``."""
        values["field"] = FIELD_ALIASES.get(fold(cells.get("field", "")), "")
        if not values["field"]:
            self.error(
                row,
                _("Unknown field “%(value)s”.") % {"value": cells.get("field", "")},
                column="field",
            )
        values["holder"] = HOLDER_ALIASES.get(fold(cells.get("holder", "")), "")
        if not values["holder"]:
            self.error(
                row,
                _("“%(title)s” must be “Tập thể” or “Cá nhân”.") % {"title": TITLES["holder"]},
                column="holder",
            )
        level_text = fold(cells.get("level", ""))
        values["level"] = LEVEL_ALIASES.get(level_text, "") if level_text else None
        if level_text and not values["level"]:
            self.error(
                row,
                _("Unknown level “%(value)s”.") % {"value": cells.get("level", "")},
                column="level",
            )

    def _parse_dates(self, row: ModelRow, cells: dict[str, str], values: dict[str, Any]) -> None:
        """The year registered and the day the model started."""
        year_text = cells.get("year", "").strip().removesuffix(".0")
        values["year"] = int(year_text) if year_text.isdigit() else None
        if values["year"] is None:
            self.error(row, _("The year must be a number like 2024."), column="year")
        values["starts_on"] = _date(cells.get("starts_on", ""))
        if values["starts_on"] is None:
            self.error(row, _("The start day must be a date like 01/03/2024."), column="starts_on")

    def _parse_commendation(
        self, row: ModelRow, cells: dict[str, str], status: str | None
    ) -> CommendationInput | None:
        """The commendation of an honored model: its decision's number, date, issuer and form,
        all required; none on a model that is not honored."""
        decision = cells.get("decision_number", "").strip()
        if status != ModelStatus.HONORED and not decision:
            return None
        decided_on = _date(cells.get("decided_on", ""))
        given = {
            "decision_number": decision,
            "decided_on": decided_on,
            "issuer": cells.get("issuer"),
            "title": cells.get("title"),
        }
        missing = next((key for key, value in given.items() if not value), None)
        if status != ModelStatus.HONORED:
            self.error(
                row,
                _("Only an honored model has a commendation decision."),
                column="decision_number",
            )
        elif missing is not None:
            self.error(
                row,
                _(
                    "An honored model needs the commendation's decision number, date, issuing "
                    "body and form."
                ),
                column=missing,
            )
        elif decided_on is not None:
            return CommendationInput(
                decision_number=decision,
                decided_on=decided_on,
                issuer=cells.get("issuer", ""),
                title=cells.get("title", ""),
            )
        return None

    def validate(self, *, actor: Any, rows: list[ModelRow]) -> ImportReport[ModelRow]:
        return models_validate(actor=actor, rows=rows)

    def write(self, *, actor: Any, row: ModelRow) -> None:
        assert row.unit is not None
        values = {k: v for k, v in row.values.items() if k not in ("period_text", "lead_body_text")}
        model = model_record_existing(
            actor=actor,
            unit=row.unit,
            values=values,
            status=row.status,
            commendation=row.commendation,
        )
        row.code = model.code

    def commit(
        self,
        *,
        actor: Any,
        rows: list[ModelRow],
        only_valid: bool,
        progress: Progress | None = None,
    ) -> ImportReport[ModelRow]:
        report = super().commit(actor=actor, rows=rows, only_valid=only_valid, progress=progress)
        if not report.imported:
            for row in rows:
                row.code = ""  # rolled back
        return report


def parse_model_file(*, name: str, data: bytes) -> list[ModelRow]:
    """Rows of the file with their cells turned into values (``ModelImporter.parse_row``)."""
    return ModelImporter().parse(name=name, data=data)


def template_xlsx() -> bytes:
    return ModelImporter().template_xlsx()


def template_csv() -> bytes:
    return ModelImporter().template_csv()


__all__ = [
    "ModelImporter",
    "TableError",
    "models_import",
    "parse_model_file",
    "template_csv",
    "template_xlsx",
]
