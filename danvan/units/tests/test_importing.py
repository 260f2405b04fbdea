"""Importing villages from officers' spreadsheets: row by row, all or nothing."""

from __future__ import annotations

import re

import pytest

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.units.importing import (
    TableError,
    parse_village_file,
    village_template_csv,
    village_template_xlsx,
)
from danvan.units.models import AdministrativeUnit, UnitKind
from danvan.units.services import villages_import
from danvan.units.tests.files import EXE_BYTES, HEADER, csv_bytes, xlsx_bytes

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GOOD_ROWS = [
    HEADER,
    ["17329", "Xóm 2", "Thôn", "Không"],
    ["17329", "Tổ dân phố Hòa Bình", "Tổ dân phố", ""],
    ["16813", "Bản Huồi Lê", "Bản", "Có"],
]


def import_file(name: str, data: bytes, *, actor: Actor, only_valid: bool = False, default=""):
    rows = parse_village_file(name=name, data=data, default_commune=default)
    return villages_import(actor=actor, rows=rows, only_valid=only_valid)


def villages_of(code: str) -> dict[str, AdministrativeUnit]:
    return {u.name: u for u in AdministrativeUnit.objects.filter(parent__code=code)}


def errors_by_line(report) -> dict[int, list[str]]:
    return {row.line: row.errors for row in report.error_rows}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("thon.csv", csv_bytes(GOOD_ROWS, encoding="utf-8-sig")),
        ("thon.csv", csv_bytes(GOOD_ROWS, encoding="utf-8")),
        ("thon.csv", csv_bytes(GOOD_ROWS, encoding="cp1258")),
        ("thon.csv", csv_bytes(GOOD_ROWS, delimiter=";")),
        ("THON.XLSX", xlsx_bytes(GOOD_ROWS)),
    ],
    ids=["utf8-bom", "utf8", "cp1258", "semicolons", "xlsx"],
)
def test_a_valid_file_imports_every_row(world, system_actor, name, data):
    report = import_file(name, data, actor=system_actor)

    assert report.error_rows == []
    assert report.imported == 3
    anh_son = villages_of("17329")
    assert set(anh_son) == {"Xóm 1", "Xóm 2", "Tổ dân phố Hòa Bình"}
    assert anh_son["Xóm 2"].code == "17329-002"
    assert anh_son["Xóm 2"].kind == UnitKind.VILLAGE
    assert anh_son["Xóm 2"].path == "/40/17329/17329-002/"
    assert anh_son["Tổ dân phố Hòa Bình"].kind == UnitKind.RESIDENTIAL_GROUP
    assert anh_son["Tổ dân phố Hòa Bình"].code == "17329-003"
    huoi_le = villages_of("16813")["Bản Huồi Lê"]
    assert huoi_le.code == "16813-002"
    assert huoi_le.is_remote is True


def test_cp1258_names_are_stored_in_the_composed_form(world, system_actor):
    data = csv_bytes([HEADER, ["17329", "Xóm Đồng Hưởng", "Xóm", ""]], encoding="cp1258")
    assert "Hưởng".encode() not in data  # really Windows-1258

    import_file("thon.csv", data, actor=system_actor)

    village = AdministrativeUnit.objects.get(parent__code="17329", code="17329-002")
    assert village.name == "Xóm Đồng Hưởng"


def test_rows_without_a_remote_flag_take_the_communes(world, system_actor):
    from danvan.units.services import unit_set_remote

    unit_set_remote(actor=system_actor, unit=world.anh_son, is_remote=True)

    import_file("thon.csv", csv_bytes(GOOD_ROWS), actor=system_actor)

    assert villages_of("17329")["Xóm 2"].is_remote is True


def test_leading_zeros_dropped_by_excel_are_restored(world, system_actor):
    data = xlsx_bytes([HEADER, [70, "Tổ dân phố số 1", "Tổ dân phố", "Không"]])

    report = import_file("to-dan-pho.xlsx", data, actor=system_actor)

    assert report.error_rows == []
    assert report.rows[0].commune_code == "00070"
    village = villages_of("00070")["Tổ dân phố số 1"]
    assert village.code == "00070-001"
    assert village.path == "/01/00070/00070-001/"


def test_leading_zeros_are_restored_in_csv_files_too(world):
    rows = parse_village_file(name="thon.csv", data=csv_bytes([HEADER, ["70", "Tổ 1", "", ""]]))

    assert rows[0].commune_code == "00070"


def test_rows_without_a_commune_code_go_to_the_default_commune(world, system_actor):
    data = csv_bytes([["Tên", "Loại"], ["Xóm 2", "Xóm"], ["Xóm 3", ""]])

    report = import_file("thon.csv", data, actor=system_actor, default="17329")

    assert report.imported == 2
    assert {"Xóm 2", "Xóm 3"} <= set(villages_of("17329"))


def test_headers_are_recognised_without_diacritics_or_in_english(world):
    data = csv_bytes(
        [["commune code", "NAME", "kind", "remote"], ["17329", "Xóm 2", "village", "yes"]]
    )

    (row,) = parse_village_file(name="thon.csv", data=data)

    assert (row.commune_code, row.name, row.kind, row.is_remote) == (
        "17329",
        "Xóm 2",
        UnitKind.VILLAGE,
        True,
    )


def test_a_file_with_errors_is_reported_row_by_row_and_nothing_is_imported(world, system_actor):
    before = AdministrativeUnit.objects.count()
    data = csv_bytes(
        [
            HEADER,
            ["17329", "Xóm 2", "Thôn", ""],  # line 2: fine
            ["99999", "Xóm 3", "Thôn", ""],  # line 3: no such commune
            ["17329", "", "Thôn", ""],  # line 4: no name
            ["17329", "xóm  2", "Thôn", ""],  # line 5: same as line 2
            ["17329", "Xóm 1", "Thôn", ""],  # line 6: already exists
            ["17329", "Xóm 7", "Lâu đài", ""],  # line 7: unknown kind
            ["17329", "Xóm 8", "Thôn", "có lẽ"],  # line 8: remote neither yes nor no
            ["17329-001", "Xóm 9", "Thôn", ""],  # line 9: a village, not a commune
            ["", "Xóm 10", "Thôn", ""],  # line 10: no commune code
        ]
    )

    report = import_file("thon.csv", data, actor=system_actor)

    assert report.imported == 0
    assert AdministrativeUnit.objects.count() == before
    assert not AuditEntry.objects.filter(action="unit.import").exists()
    assert errors_by_line(report) == {
        3: ["No commune has the code 99999."],
        4: ["The name is empty."],
        5: ["Same name as line 2 of this file."],
        6: ["Xã Anh Sơn already has a village or residential group named “Xóm 1”."],
        7: ["Unknown kind “Lâu đài”.", "The kind must be village or residential group."],
        8: ["“Remote” must be yes or no."],
        9: ["Xóm 1 is not a commune or ward."],
        10: ["The commune code is empty."],
    }
    assert [row.line for row in report.valid_rows] == [2]


def test_only_the_valid_rows_are_imported_when_asked(world, system_actor):
    data = csv_bytes(
        [
            HEADER,
            ["17329", "Xóm 2", "Thôn", ""],
            ["99999", "Xóm 3", "Thôn", ""],
            ["16813", "Bản Xốp Mạt", "Bản", ""],
            ["16813", "", "Bản", ""],
        ]
    )

    report = import_file("thon.csv", data, actor=system_actor, only_valid=True)

    assert report.imported == 2
    assert [row.line for row in report.error_rows] == [3, 5]
    assert "Xóm 2" in villages_of("17329")
    assert "Bản Xốp Mạt" in villages_of("16813")


def test_importing_writes_one_audit_row_per_commune(world, commune_officer, provincial_staff):
    import_file("thon.csv", csv_bytes(GOOD_ROWS), actor=Actor.of_user(provincial_staff))

    entries = {e.unit.code: e for e in AuditEntry.objects.filter(action="unit.import")}
    assert set(entries) == {"17329", "16813"}
    assert entries["17329"].changes == {"villages": ["Xóm 2", "Tổ dân phố Hòa Bình"]}
    assert entries["17329"].actor == provincial_staff
    assert entries["16813"].changes == {"villages": ["Bản Huồi Lê"]}


def test_rows_for_a_commune_outside_the_officers_scope_are_refused(world, commune_officer):
    report = import_file("thon.csv", csv_bytes(GOOD_ROWS), actor=Actor.of_user(commune_officer))

    assert report.imported == 0
    assert errors_by_line(report) == {4: ["You may not add villages to Xã Mường Xén."]}


def test_an_empty_file_is_refused(world):
    with pytest.raises(TableError, match="The file is empty"):
        parse_village_file(name="thon.csv", data=b"\r\n\r\n")


def test_a_file_missing_a_required_column_is_refused(world):
    data = csv_bytes([["Tên", "Loại"], ["Xóm 2", "Thôn"]])

    with pytest.raises(TableError, match="missing these columns: Mã xã"):
        parse_village_file(name="thon.csv", data=data)


def test_a_file_in_an_unknown_encoding_is_refused_with_a_clear_message(world):
    data = b"Ma xa,Ten\n17329,Xom 2\n17329,\x81\x8d\x8f\xc3\x28\n"

    with pytest.raises(
        TableError, match=re.escape("encoding is not recognised. Save it as CSV (UTF-8)")
    ):
        parse_village_file(name="thon.csv", data=data)


def test_stray_bytes_in_a_utf8_file_are_an_error_on_their_row_naming_line_and_byte(world):
    data = "Mã xã,Tên\n17329,Xóm 2\n".encode() + b"17329,\x81\x8d\x8f\xc3\x28\n"

    rows = parse_village_file(name="thon.csv", data=data)

    assert [row.name for row in rows] == ["Xóm 2", "\ufffd\ufffd\ufffd\ufffd("]
    assert rows[0].errors == []
    assert rows[1].errors[0].startswith("Byte 33 of the file (line 3) is not UTF-8 text")


def test_a_utf16_text_export_is_read(world):
    data = "Mã xã\tTên\n17329\tXóm 2\n".encode("utf-16")

    assert [row.name for row in parse_village_file(name="thon.csv", data=data)] == ["Xóm 2"]


def test_a_program_renamed_to_xlsx_is_refused(world):
    with pytest.raises(TableError, match="not a real Excel"):
        parse_village_file(name="thon.xlsx", data=EXE_BYTES)


def test_a_program_renamed_to_csv_is_refused(world):
    with pytest.raises(TableError, match="not a text CSV file"):
        parse_village_file(name="thon.csv", data=EXE_BYTES)


def test_a_damaged_workbook_is_refused(world):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    with pytest.raises(TableError, match="cannot be opened"):
        parse_village_file(name="thon.xlsx", data=buffer.getvalue())


def test_other_file_types_are_refused(world):
    with pytest.raises(TableError, match=re.escape("Only .xlsx and .csv")):
        parse_village_file(name="thon.xls", data=b"\xd0\xcf\x11\xe0")


@pytest.mark.parametrize(
    ("name", "data"),
    [("mau.xlsx", village_template_xlsx()), ("mau.csv", village_template_csv())],
)
def test_the_templates_are_read_back_without_errors(world, name, data):
    rows = parse_village_file(name=name, data=data)

    assert [(r.commune_code, r.name, r.kind, r.is_remote, r.errors) for r in rows] == [
        ("17329", "Xóm 1", UnitKind.VILLAGE, None, []),
        ("17329", "Tổ dân phố 2", UnitKind.RESIDENTIAL_GROUP, None, []),
    ]
