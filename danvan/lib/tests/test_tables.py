from __future__ import annotations

import re
import zipfile

import pytest

from danvan.lib.tables import MAX_CELL, TableError, count_rows, header_key, read_table
from danvan.units.tests.files import (
    EXE_BYTES,
    csv_bytes,
    to_cp1258,
    xlsx_bytes,
    xlsx_rezip,
    xlsx_sheet_xml,
    xlsx_without_dimension,
    xlsx_zip_bomb,
)

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


def test_a_utf16_file_with_its_byte_order_mark_is_read():
    # Excel's "Unicode text": UTF-16 with a BOM, tab separated.
    data = "Mã\tTên\n01\tXóm Đồng\n".encode("utf-16")

    assert values(read("a.csv", data)) == [(2, {"code": "01", "name": "Xóm Đồng"})]


def test_a_utf16_file_without_byte_order_mark_is_refused():
    with pytest.raises(TableError, match="not a text CSV file"):
        read("a.csv", "Mã\tTên\n01\tXóm 1\n".encode("utf-16-le"))


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


# --- Files that used to be read wrong, silently, or with a 500 ----------------------------------


def test_an_xlsx_whose_dimension_understates_its_size_is_read_whole():
    rows = [["Mã", "Tên", "Ghi chú"]] + [[f"{n:02}", f"Xóm {n}", "x"] for n in range(1, 51)]
    data = xlsx_rezip(
        xlsx_bytes(rows),
        {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b'ref="A1:C51"', b'ref="A1:B3"')},
    )
    assert b'<dimension ref="A1:B3"' in xlsx_sheet_xml(data)  # what some exporters write

    table = read("a.xlsx", data)

    assert len(table) == 50
    assert table[-1].values == {"code": "50", "name": "Xóm 50", "note": "x"}


def test_an_xlsx_without_dimension_is_counted_while_read_and_stops_at_the_limit():
    rows = [["Mã", "Tên"]] + [[str(n), f"Xóm {n}"] for n in range(30)]
    data = xlsx_without_dimension(xlsx_bytes(rows))

    assert count_rows(name="a.xlsx", data=data, stop_after=1_000) == 31
    assert count_rows(name="a.xlsx", data=data, stop_after=5) == 5
    assert count_rows(name="a.xlsx", data=data, stop_after=1_000, heavy_bytes=1_000) == 1_000
    with pytest.raises(TableError, match="more than 10 rows"):
        read("a.xlsx", data, max_rows=10)


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(monkeypatch):
    data = xlsx_zip_bomb(200)
    assert len(data) < 2 * 1024 * 1024

    def unpack(*args, **kwargs):
        raise AssertionError("the bomb was opened")

    monkeypatch.setattr("openpyxl.load_workbook", unpack)
    monkeypatch.setattr(zipfile.ZipExtFile, "read", unpack)

    with pytest.raises(TableError, match="unpacks to 200 MB"):
        read("a.xlsx", data)
    with pytest.raises(TableError, match="unpacks to 200 MB"):
        count_rows(name="a.xlsx", data=data, stop_after=2_000)


def test_a_utf8_csv_with_one_stray_byte_stays_utf8_and_that_row_has_an_error():
    text = "Mã,Tên\n01,Xóm Đồng\n02,Bản Huồi\n03,Thôn Đông\n"
    data = text.encode().replace(b"Hu", b"H\xffu")

    table = read("a.csv", data)

    assert [row.values["name"] for row in table] == ["Xóm Đồng", "Bản H\ufffduồi", "Thôn Đông"]
    assert table[0].errors == [] and table[2].errors == []
    offset = data.index(b"\xff") + 1
    assert table[1].errors == [
        f"Byte {offset} of the file (line 3) is not UTF-8 text; it shows as “\ufffd”. Fix it, "
        "or save the file as CSV UTF-8, and import it again."
    ]


@pytest.mark.parametrize("garbled", ["Xã Äá»“ng", "ÄÆ°á»ng", "Tá»• dÃ¢n phá»‘", "Ã¡p Má»¹"])
def test_text_garbled_before_it_was_saved_is_an_error_on_its_row(garbled):
    data = csv_bytes([["Mã", "Tên"], ["01", "Xóm 1"], ["02", garbled]])

    first, second = read("a.csv", data)

    assert first.errors == []
    assert len(second.errors) == 1 and "garbled text" in second.errors[0]


def test_vietnamese_text_is_not_taken_for_garbled_text():
    words = (
        "NGÃ BA Ã “NGÃ” ẮN ĂN Ân Âu “BÀ Â” Đắk Lắk Ạ Ẵ Ỹ Ữ Ự Ở Ợ Ỷ ÁO ĐỒNG "
        "aàáảãạ ăằắẳẵặ âầấẩẫậ đ eèéẻẽẹ êềếểễệ iìíỉĩị oòóỏõọ ôồốổỗộ ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ"
    )
    data = csv_bytes([["Mã", "Tên"], ["01", words], ["02", words.upper()]])

    assert [row.errors for row in read("a.csv", data)] == [[], []]


def test_an_unclosed_quote_that_merges_rows_is_refused_with_its_row():
    data = b'Ma,Ten\n01,"Xom 1\n02,Xom 2\n03,"Xom 3"\n04,Xom 4\n'

    with pytest.raises(
        TableError, match=re.escape('Row 2: a quote (") is opened and never closed')
    ):
        read("a.csv", data)


def test_a_quoted_cell_over_several_lines_is_read():
    data = csv_bytes([["Mã", "Tên", "Ghi chú"], ["01", "Xóm 1", "Đường hỏng,\nnước ngập"]])

    assert read("a.csv", data)[0].values["note"] == "Đường hỏng, nước ngập"


def test_a_csv_with_cr_line_endings_is_read():
    data = "Mã,Tên\r01,Xóm 1\r02,Xóm 2\r".encode()

    assert values(read("a.csv", data)) == [
        (2, {"code": "01", "name": "Xóm 1"}),
        (3, {"code": "02", "name": "Xóm 2"}),
    ]
    assert count_rows(name="a.csv", data=data, stop_after=100) == 3


def test_a_cell_longer_than_excel_allows_is_an_error_on_its_row():
    data = csv_bytes([["Mã", "Tên"], ["01", "x" * 200_000], ["02", "Xóm 2"]])

    first, second = read("a.csv", data)

    assert first.errors == ["The “name” cell is longer than 32,767 characters."]
    assert len(first.values["name"]) == MAX_CELL
    assert second.errors == []
