from __future__ import annotations

import re

import pytest

from danvan.lib.tables import TableError, header_key, read_table
from danvan.units.tests.files import EXE_BYTES, csv_bytes, to_cp1258, xlsx_bytes

ALIASES = {"ma": "code", "ten": "name", "ghi chu": "note"}


pytestmark = pytest.mark.usefixtures("english")


def read(name: str, data: bytes, *, required=("code", "name"), max_rows: int = 100):
    return read_table(name=name, data=data, aliases=ALIASES, required=required, max_rows=max_rows)


def values(rows) -> list[tuple[int, dict[str, str]]]:
    return [(row.line, row.values) for row in rows]


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Mã", "code"),
        ("MA", "code"),
        ("Tên:", "name"),
        ("*Tên*", "name"),
        ("Ghi_chú", "note"),
        ("Khác", None),
    ],
)
def test_header_titles_are_matched_without_diacritics_case_or_decoration(title, key):
    assert header_key(title, ALIASES) == key


def test_a_csv_is_read_into_rows_named_by_their_header():
    data = csv_bytes([["Mã", "Tên", "Cột lạ"], ["01", " Xóm  1 ", "x"], ["02", "Xóm 2", ""]])

    assert values(read("a.csv", data)) == [
        (2, {"code": "01", "name": "Xóm 1"}),
        (3, {"code": "02", "name": "Xóm 2"}),
    ]


def test_blank_lines_before_the_header_and_between_rows_are_skipped():
    data = csv_bytes([[], ["", ""], ["Mã", "Tên"], ["01", "Xóm 1"], ["", ""], ["02", "Xóm 2"]])

    assert [row.line for row in read("a.csv", data)] == [4, 6]


def test_short_rows_get_empty_values():
    data = b"Ma,Ten,Ghi chu\r\n01,Xom 1\r\n"

    assert values(read("a.csv", data)) == [(2, {"code": "01", "name": "Xom 1", "note": ""})]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
def test_vietnamese_csv_encodings_are_recognised(encoding):
    data = csv_bytes(
        [["Mã", "Tên"], ["01", "Bản Huồi Lê"], ["02", "Xóm Đồng Hưởng"]], encoding=encoding
    )

    assert [row.values["name"] for row in read("a.csv", data)] == ["Bản Huồi Lê", "Xóm Đồng Hưởng"]


def test_the_byte_order_mark_does_not_stick_to_the_first_title():
    data = "Mã,Tên\n01,Xóm 1\n".encode("utf-8-sig")

    assert read("a.csv", data)[0].values == {"code": "01", "name": "Xóm 1"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_detected(delimiter):
    data = csv_bytes([["Mã", "Tên"], ["01", "Xóm 1, phía Bắc"]], delimiter=delimiter)

    assert read("a.csv", data)[0].values == {"code": "01", "name": "Xóm 1, phía Bắc"}


def test_a_txt_file_is_read_as_csv():
    assert len(read("a.txt", b"Ma,Ten\n01,Xom 1\n")) == 1


def test_an_xlsx_workbook_is_read_from_its_first_sheet():
    data = xlsx_bytes([["Mã", "Tên"], [1, "Xóm 1"], [None, None], ["02", "Xóm 2"]])

    assert values(read("a.xlsx", data)) == [
        (2, {"code": "1", "name": "Xóm 1"}),
        (4, {"code": "02", "name": "Xóm 2"}),
    ]


def test_a_missing_required_column_is_named():
    with pytest.raises(TableError, match="missing these columns: code"):
        read("a.csv", csv_bytes([["Tên"], ["Xóm 1"]]))


def test_an_empty_file_is_refused():
    with pytest.raises(TableError, match=re.escape("The file is empty.")):
        read("a.csv", b"")
    with pytest.raises(TableError, match=re.escape("The file is empty.")):
        read("a.xlsx", xlsx_bytes([]))


def test_too_many_rows_are_refused():
    data = csv_bytes([["Mã", "Tên"]] + [[str(n), f"Xóm {n}"] for n in range(11)])

    with pytest.raises(TableError, match="more than 10 rows"):
        read("a.csv", data, max_rows=10)


def test_an_unknown_encoding_is_refused_instead_of_read_as_mojibake():
    data = b"Ma,Ten\r\n01,\x81\x8d\x8f\xc3\x28\r\n"

    with pytest.raises(TableError, match="character encoding is not recognised"):
        read("a.csv", data)


def test_a_utf16_file_is_refused():
    with pytest.raises(TableError, match="not a text CSV file"):
        read("a.csv", "Mã\tTên\n01\tXóm 1\n".encode("utf-16"))


@pytest.mark.parametrize("name", ["a.xlsx", "a.XLSX"])
def test_a_program_renamed_to_xlsx_is_refused(name):
    with pytest.raises(TableError, match="not a real Excel"):
        read(name, EXE_BYTES)


def test_an_old_xls_workbook_renamed_to_xlsx_is_refused():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512

    with pytest.raises(TableError, match="not a real Excel"):
        read("a.xlsx", ole2)


@pytest.mark.parametrize("name", ["a.xls", "a.exe", "a.pdf", "a"])
def test_other_extensions_are_refused(name):
    with pytest.raises(TableError, match=re.escape("Only .xlsx and .csv")):
        read(name, b"Ma,Ten\n")


def test_the_cp1258_test_encoder_writes_tone_marks_apart():
    # Sanity check of the helper the import tests rely on.
    assert to_cp1258("ờ") == "ơ".encode("cp1258") + "\u0300".encode("cp1258")
    assert to_cp1258("đ") == b"\xf0"
