"""Importing voices from officers' spreadsheets: row by row, all or nothing, within scope."""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata

import pytest
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.lib.tables import TableError
from danvan.units.tests.files import EXE_BYTES, csv_bytes, xlsx_bytes
from danvan.voices.importing.columns import normalize_unit_code, parse_date
from danvan.voices.importing.files import VoiceImporter
from danvan.voices.importing.parse import parse_voice_file
from danvan.voices.importing.write import voices_import
from danvan.voices.models import Channel, Voice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận", "Họ tên", "Điện thoại"]
GOOD_ROWS = [
    HEADER,
    ["Phản ánh", "infrastructure", "17329", "Đường liên xóm bị sụt lún.", "02/11/2026", "", ""],
    [
        "Khiếu nại lần đầu",
        "Đất đai, giải phóng mặt bằng",
        "17329-001",
        "Chưa nhận tiền bồi thường.",
        "2026-11-03",
        "Nguyễn Văn An",
        "0912345678",
    ],
    ["Kiến nghị cử tri", "y te", "16813", "Trạm y tế thiếu bác sĩ.", "4/11/2026", "", ""],
]


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_csv(rows: list[list[str]]) -> bytes:
    """A CSV as old Excel saves it in Windows-1258: letters like "ô", tone marks apart.

    (``units.tests.files.to_cp1258`` cannot encode letters with a dot below and a second mark,
    such as "ộ" or "ặ"; this encoder splits every tone mark off.)
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    out = bytearray()
    for char in unicodedata.normalize("NFC", buffer.getvalue()):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def run(name: str, data: bytes, *, actor: Actor, only_valid: bool = False):
    rows = parse_voice_file(name=name, data=data)
    return voices_import(actor=actor, rows=rows, only_valid=only_valid)


def errors_by_line(report) -> dict[int, list[str]]:
    return {row.line: row.errors for row in report.error_rows}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("y-kien.csv", csv_bytes(GOOD_ROWS, encoding="utf-8-sig")),
        ("y-kien.csv", csv_bytes(GOOD_ROWS, encoding="utf-8")),
        ("y-kien.csv", cp1258_csv(GOOD_ROWS)),
        ("y-kien.csv", csv_bytes(GOOD_ROWS, delimiter=";")),
        ("Y-KIEN.XLSX", xlsx_bytes(GOOD_ROWS)),
    ],
    ids=["utf8-bom", "utf8", "cp1258", "semicolons", "xlsx"],
)
def test_a_valid_file_imports_every_row_through_the_import_channel(world, system_actor, name, data):
    report = run(name, data, actor=system_actor)

    assert report.error_rows == []
    assert report.imported == 3
    voices = {v.text: v for v in Voice.objects.all()}
    complaint = voices["Chưa nhận tiền bồi thường."]
    assert complaint.kind == "complaint_first"
    assert complaint.channel == Channel.IMPORT
    assert complaint.unit == world.anh_son_village
    assert complaint.topic.code == "land"
    assert complaint.received_on == datetime.date(2026, 11, 3)
    assert complaint.submitter_name == "Nguyễn Văn An"
    assert complaint.deadlines.filter(step="accept").exists()
    assert voices["Trạm y tế thiếu bác sĩ."].kind == "voter_recommendation"
    assert voices["Trạm y tế thiếu bác sĩ."].received_on == datetime.date(2026, 11, 4)


def test_excel_date_cells_and_stripped_leading_zeros_are_understood(world, system_actor):
    rows: list[list[object]] = [
        ["Kind", "Topic", "Unit code", "Text", "Received on"],
        ["reflection", "other", 70, "Chợ họp lấn chiếm vỉa hè.", datetime.datetime(2026, 10, 5)],
    ]

    report = run("voices.xlsx", xlsx_bytes(rows), actor=system_actor)

    assert report.error_rows == []
    voice = Voice.objects.get()
    assert voice.unit == world.hoan_kiem
    assert voice.received_on == datetime.date(2026, 10, 5)


def test_row_errors_are_reported_and_nothing_is_imported(world, system_actor):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    data = csv_bytes(
        [
            HEADER,
            GOOD_ROWS[1],
            ["Thư tay", "land", "17329", "Nội dung A", "02/11/2026", "", ""],
            ["Phản ánh", "chăn nuôi", "17329", "Nội dung B", "02/11/2026", "", ""],
            ["Phản ánh", "land", "99999", "Nội dung C", "02/11/2026", "", ""],
            ["Phản ánh", "land", "17329", "", "02/11/2026", "", ""],
            ["Phản ánh", "land", "17329", "Nội dung D", tomorrow, "", ""],
            ["Phản ánh", "land", "17329", "Nội dung E", "31/02/2026", "", ""],
            GOOD_ROWS[1],
            # The service's own rule: a complaint needs a name.
            ["Khiếu nại", "land", "17329", "Nội dung F", "02/11/2026", "", ""],
        ]
    )

    report = run("y-kien.csv", data, actor=system_actor)

    assert report.imported == 0
    assert Voice.objects.count() == 0
    errors = errors_by_line(report)
    assert errors[3] == ["Unknown kind “Thư tay”."]
    assert errors[4] == ["Unknown topic “chăn nuôi”."]
    assert errors[5] == ["No unit has the code 99999."]
    assert errors[6] == ["The content is empty."]
    assert errors[7] == ["The date of receipt cannot be in the future."]
    assert errors[8] == ["“31/02/2026” is not a date; write it as dd/mm/yyyy."]
    assert errors[9] == ["Same as line 2 of this file."]
    assert "needs the name" in errors[10][0]
    assert 2 not in errors


def test_only_valid_rows_imports_the_rows_without_errors(world, system_actor):
    data = csv_bytes(
        [
            HEADER,
            GOOD_ROWS[1],
            ["Phản ánh", "land", "99999", "Nội dung C", "02/11/2026", "", ""],
            ["Khiếu nại", "land", "17329", "Nội dung F", "02/11/2026", "", ""],
        ]
    )

    report = run("y-kien.csv", data, actor=system_actor, only_valid=True)

    assert report.imported == 1
    assert sorted(errors_by_line(report)) == [3, 4]
    assert list(Voice.objects.values_list("text", flat=True)) == ["Đường liên xóm bị sụt lún."]


def test_the_same_file_twice_does_not_make_duplicates(world, system_actor):
    data = csv_bytes(GOOD_ROWS)
    run("y-kien.csv", data, actor=system_actor)

    again = run("y-kien.csv", data, actor=system_actor)

    assert again.imported == 0
    assert all("Already imported" in row.errors[0] for row in again.rows)
    assert Voice.objects.count() == 3


def test_a_unit_outside_the_officers_scope_is_a_row_error(world, commune_officer):
    data = csv_bytes(
        [
            HEADER,
            GOOD_ROWS[1],  # Anh Sơn: the officer's commune
            ["Phản ánh", "land", "16813", "Ở xã khác.", "02/11/2026", "", ""],  # Mường Xén
        ]
    )

    report = run("y-kien.csv", data, actor=Actor.of_user(commune_officer))

    assert errors_by_line(report) == {3: ["Xã Mường Xén is outside the units you work for."]}
    assert report.imported == 0


def test_a_file_in_an_unknown_encoding_is_refused_with_a_clear_message(world):
    data = b"Loai,Linh vuc,Ma don vi,Noi dung,Ngay nhan\n\x81\x8d\x8f\xc3\x28\n"

    with pytest.raises(TableError, match=re.escape("encoding is not recognised")):
        parse_voice_file(name="y-kien.csv", data=data)


def test_stray_bytes_in_a_utf8_file_are_an_error_on_their_row(world):
    data = ",".join(HEADER).encode() + b"\n\x81\x8d\x8f\xc3\x28\n"

    [row] = parse_voice_file(name="y-kien.csv", data=data)

    assert row.line == 2
    assert "(line 2) is not UTF-8 text" in row.errors[0]


@pytest.mark.parametrize("name", ["y-kien.xlsx", "y-kien.csv", "y-kien.exe"])
def test_a_disguised_program_is_refused(world, name):
    with pytest.raises(TableError):
        parse_voice_file(name=name, data=EXE_BYTES)


def test_a_file_missing_required_columns_names_them(world):
    with pytest.raises(TableError, match="missing these columns: Loại, Ngày nhận"):
        parse_voice_file(
            name="y-kien.csv", data=csv_bytes([["Lĩnh vực", "Mã xã", "Nội dung"], ["a", "b", "c"]])
        )


def test_the_templates_are_importable_as_they_are(world, system_actor):
    from openpyxl import load_workbook

    importer = VoiceImporter()
    workbook = load_workbook(io.BytesIO(importer.template_xlsx()))
    assert workbook.active is not None and workbook.active.freeze_panes == "A2"
    for name, data in [
        ("mau.xlsx", importer.template_xlsx()),
        ("mau.csv", importer.template_csv()),
    ]:
        rows = parse_voice_file(name=name, data=data)
        assert [r.errors for r in rows] == [[], []]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02/11/2026", datetime.date(2026, 11, 2)),
        ("2/1/2026", datetime.date(2026, 1, 2)),
        ("2026-11-02", datetime.date(2026, 11, 2)),
        ("2026-11-02 00:00:00", datetime.date(2026, 11, 2)),
        ("46328", datetime.date(2026, 11, 2)),
        ("hôm qua", None),
        ("32/01/2026", None),
    ],
)
def test_dates_are_read_the_vietnamese_way(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("70", "00070"), ("17329", "17329"), ("70-1", "00070-001"), ("17329-001", "17329-001")],
)
def test_excel_stripped_zeros_are_put_back(code, expected):
    assert normalize_unit_code(code) == expected


def test_a_few_hundred_rows_import_in_one_go(world, system_actor):
    # The speed of large files is measured by bench/import_voices.py, not here.
    rows = [HEADER] + [
        ["Phản ánh", "other", "17329", f"Ý kiến số {i}", "02/11/2026", "", ""] for i in range(200)
    ]

    report = run("lon.csv", csv_bytes(rows), actor=system_actor)

    assert report.imported == 200
    assert Voice.objects.filter(channel="import").count() == 200
