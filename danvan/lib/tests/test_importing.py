"""The one import framework (``danvan.lib.importing``): columns, rows with errors on their line and
column, templates written from the columns, the error workbook, writing all or nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from danvan.lib.importing import (
    Column,
    Columns,
    Importer,
    ImportReport,
    ImportRow,
    RowError,
    TableError,
)
from danvan.lib.tables import Row

pytestmark = pytest.mark.usefixtures("english")


@dataclass(kw_only=True)
class SeedRow(ImportRow):
    code: str
    name: str
    count: int | None


class SeedImporter(Importer[SeedRow]):
    """A toy importer: seed bags, each with a code, a name and a count."""

    name = "mau-hat-giong"
    sheet = "Hat giong"
    max_rows = 10
    columns = Columns(
        Column("code", "Mã", aliases=("ma hat",), required=True, width=10),
        Column("name", "Tên giống", required=True, width=30),
        Column("count", "Số lượng"),
    )
    examples = [
        {"code": "H1", "name": "Lúa nếp", "count": "12"},
        {"code": "H2", "name": "=Ngô lai", "count": ""},
    ]

    def __init__(self) -> None:
        self.written: list[str] = []

    def parse_row(self, raw: Row) -> SeedRow:
        row = SeedRow(line=raw.line, code="", name="", count=None, errors=list(raw.errors))
        row.code = raw.values.get("code", "")
        row.name = raw.values.get("name", "")
        count = raw.values.get("count", "")
        if count.isdigit():
            row.count = int(count)
        elif count:
            self.error(row, f"“{count}” is not a number.", column="count")
        return row

    def validate(self, *, actor: Any, rows: list[SeedRow]) -> ImportReport[SeedRow]:
        seen: dict[str, int] = {}
        for row in rows:
            if row.code in seen:
                self.error(row, f"Same code as line {seen[row.code]}.", column="code")
            seen.setdefault(row.code, row.line)
        return ImportReport(rows=rows)

    def write(self, *, actor: Any, row: SeedRow) -> None:
        if row.name == "Refused":
            raise ValidationError("The service refuses it.")
        self.written.append(row.code)


def csv_file(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("utf-8-sig")


def test_a_bad_cell_is_an_error_on_its_line_and_column() -> None:
    data = csv_file("Mã,Tên giống,Số lượng", "H1,Lúa,3", "H2,Ngô,ba")

    good, bad = SeedImporter().parse(name="hat.csv", data=data)

    assert (good.line, good.count, good.errors) == (2, 3, [])
    assert bad.line == 3
    assert bad.errors == ["“ba” is not a number."]
    assert isinstance(bad.errors[0], RowError)
    assert (bad.errors[0].column, bad.errors[0].column_title) == ("count", "Số lượng")
    assert bad.cells == {"code": "H2", "name": "Ngô", "count": "ba"}


def test_titles_are_recognised_without_diacritics_by_key_or_by_alias() -> None:
    data = csv_file("MA HAT,name,so luong:", "H1,Lúa,3")

    (row,) = SeedImporter().parse(name="hat.csv", data=data)

    assert (row.code, row.name, row.count) == ("H1", "Lúa", 3)


def test_a_file_without_a_required_column_is_refused_naming_its_title() -> None:
    with pytest.raises(TableError, match="missing these columns: Tên giống"):
        SeedImporter().parse(name="hat.csv", data=csv_file("Mã,Số lượng", "H1,3"))


def test_the_xlsx_template_is_written_from_the_columns_and_reads_back() -> None:
    importer = SeedImporter()
    data = importer.template_xlsx()

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet.title == "Hat giong"
    assert [c.value for c in sheet[1]] == ["Mã", "Tên giống", "Số lượng"]
    assert [c.value for c in sheet[2]] == ["H1", "Lúa nếp", "12"]
    assert sheet["B3"].value == "=Ngô lai"  # text, never a formula
    assert sheet["B3"].data_type == "s"
    assert sheet.column_dimensions["B"].width == 30
    rows = importer.parse(name="mau.xlsx", data=data)
    assert [(r.code, r.name, r.count, r.errors) for r in rows] == [
        ("H1", "Lúa nếp", 12, []),
        ("H2", "=Ngô lai", None, []),
    ]


def test_the_csv_template_is_written_from_the_columns_and_reads_back() -> None:
    importer = SeedImporter()
    data = importer.template_csv()

    assert data.decode("utf-8-sig").splitlines()[0] == "Mã,Tên giống,Số lượng"
    rows = importer.parse(name="mau.csv", data=data)
    assert [(r.code, r.name, r.count) for r in rows] == [
        ("H1", "Lúa nếp", 12),
        ("H2", "'=Ngô lai", None),  # the apostrophe that keeps it text in a spreadsheet program
    ]


def test_the_error_workbook_holds_the_rejected_rows_with_line_cells_and_errors() -> None:
    importer = SeedImporter()
    data = csv_file("Mã,Tên giống,Số lượng", "H1,Lúa,3", "H2,Ngô,ba", "H1,Đậu,")
    report = importer.validate(actor=None, rows=importer.parse(name="hat.csv", data=data))

    workbook = importer.error_workbook(report.error_rows)

    sheet = load_workbook(io.BytesIO(workbook)).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Dòng", "Mã", "Tên giống", "Số lượng", "Lỗi"],
        [3, "H2", "Ngô", "ba", "Số lượng: “ba” is not a number."],
        [4, "H1", "Đậu", None, "Mã: Same code as line 2."],
    ]


def test_the_error_workbook_once_fixed_can_be_uploaded_again() -> None:
    importer = SeedImporter()
    rows = importer.parse(name="hat.csv", data=csv_file("Mã,Tên giống,Số lượng", "H2,Ngô,ba"))
    rows[0].cells["count"] = "4"  # what the officer fixes in the workbook

    again = importer.parse(name="loi.xlsx", data=importer.error_workbook(rows))

    assert [(r.code, r.name, r.count, r.errors) for r in again] == [("H2", "Ngô", 4, [])]


@pytest.mark.django_db
def test_nothing_is_written_while_any_row_has_an_error() -> None:
    importer = SeedImporter()
    rows = importer.parse(name="hat.csv", data=csv_file("Mã,Tên giống", "H1,Lúa", "H1,Ngô"))

    report = importer.commit(actor=None, rows=rows, only_valid=False)

    assert report.imported == 0
    assert importer.written == []
    assert [r.line for r in report.error_rows] == [3]


@pytest.mark.django_db
def test_only_the_valid_rows_are_written_when_asked_and_a_refusal_is_the_rows_error() -> None:
    importer = SeedImporter()
    data = csv_file("Mã,Tên giống", "H1,Lúa", "H1,Ngô", "H3,Refused", "H4,Đậu")
    rows = importer.parse(name="hat.csv", data=data)

    report = importer.commit(actor=None, rows=rows, only_valid=True)

    assert report.imported == 2
    assert importer.written == ["H1", "H4"]
    assert {r.line: r.errors for r in report.error_rows} == {
        3: ["Same code as line 2."],
        4: ["The service refuses it."],
    }


@pytest.mark.django_db
def test_a_row_the_service_refuses_undoes_the_others_when_all_were_asked_for() -> None:
    importer = SeedImporter()
    rows = importer.parse(name="hat.csv", data=csv_file("Mã,Tên giống", "H1,Lúa", "H2,Refused"))

    report = importer.commit(actor=None, rows=rows, only_valid=False)

    assert report.imported == 0
    assert {r.line: r.errors for r in report.error_rows} == {3: ["The service refuses it."]}


@pytest.mark.django_db
def test_progress_is_told_the_rows_written() -> None:
    class ManySeeds(SeedImporter):
        max_rows = 1_000

    importer = ManySeeds()
    lines = ["Mã,Tên giống", *(f"H{n},Lúa {n}" for n in range(250))]
    told: list[int] = []

    report = importer.commit(
        actor=None,
        rows=importer.parse(name="hat.csv", data=csv_file(*lines)),
        only_valid=False,
        progress=told.append,
    )

    assert report.imported == 250
    assert told == [100, 200, 250]


def test_too_many_rows_are_refused() -> None:
    lines = ["Mã,Tên giống", *(f"H{n},Lúa" for n in range(11))]

    with pytest.raises(TableError, match="more than 10 rows"):
        SeedImporter().parse(name="hat.csv", data=csv_file(*lines))


# --- The page (``import_page``), through the villages' import of a commune ---------------------


def village_upload(rows: list[list[str]]) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from danvan.units.tests.files import HEADER
    from danvan.units.tests.files import csv_bytes as village_csv

    return {"file": SimpleUploadedFile("thon.csv", village_csv([HEADER, *rows]))}


@pytest.fixture
def officer(commune_officer: Any, login: Any, settings: Any) -> Any:
    client = login(commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages asserted in English
    return client


def village_page() -> str:
    from django.urls import reverse

    return reverse("units:village_import", args=["17329"])


@pytest.mark.django_db
def test_the_preview_checks_every_row_and_writes_nothing(officer: Any) -> None:
    from danvan.units.models import AdministrativeUnit

    rows = [["17329", "Xóm 2", "Thôn", ""], ["17329", "Xóm 3", "", ""]]
    response = officer.post(village_page(), {**village_upload(rows), "preview": "1"})

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.preview, report.imported, len(report.valid_rows)) == (True, 0, 2)
    assert not AdministrativeUnit.objects.filter(name__in=["Xóm 2", "Xóm 3"]).exists()
    assert [str(m) for m in response.context["messages"]] == [
        "2 rows can be imported; nothing was written yet."
    ]


@pytest.mark.django_db
def test_the_rejected_rows_are_downloaded_as_a_workbook_with_their_errors(officer: Any) -> None:
    rows = [["17329", "Xóm 2", "Thôn", ""], ["17329", "Xóm 7", "Lâu đài", "có lẽ"]]
    response = officer.post(village_page(), village_upload(rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Loại: Unknown kind “Lâu đài”." in page

    workbook = officer.post(village_page(), {"rejected_rows": response.context["rejected"]})

    assert workbook.status_code == 200
    assert workbook["Content-Disposition"] == 'attachment; filename="mau-thon-to-dan-pho-loi.xlsx"'
    assert "no-store" in workbook["Cache-Control"]
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Dòng", "Mã xã", "Tên", "Loại", "Vùng sâu, vùng xa", "Lỗi"],
        [
            3,
            "17329",
            "Xóm 7",
            "Lâu đài",
            "có lẽ",
            "Loại: Unknown kind “Lâu đài”.\nVùng sâu, vùng xa: “Remote” must be yes or no.\n"
            "The kind must be village or residential group.",
        ],
    ]


@pytest.mark.django_db
def test_rejected_rows_not_signed_by_the_page_are_refused(officer: Any) -> None:
    response = officer.post(village_page(), {"rejected_rows": '[{"line": 1}]'})

    assert response.status_code == 400


@pytest.mark.django_db
def test_the_models_page_offers_the_error_workbook_with_the_models_columns(
    world: Any, commune_officer: Any, login: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from danvan.skillful.importing import COLUMNS
    from danvan.skillful.tests.factories_registry import make_period

    make_period(2021, 2025)
    client = login(commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    header = [title for _key, title, _example in COLUMNS]
    bad = [example for _key, _title, example in COLUMNS]
    bad[[key for key, _t, _e in COLUMNS].index("year")] = "năm ngoái"
    data = ("\r\n".join(",".join(f'"{c}"' for c in line) for line in (header, bad))).encode()

    response = client.post("/models/import/", {"file": SimpleUploadedFile("ds.csv", data)})
    assert response.status_code == 400
    workbook = client.post("/models/import/", {"rejected_rows": response.context["rejected"]})

    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Dòng", *header, "Lỗi"]
    assert rows[1][0] == 2
    assert "Năm: The year must be a number like 2024." in rows[1][-1]
