"""The synthesis report as a DOCX: the official header blocks, page and fonts, every figure, charts."""

from __future__ import annotations

import dataclasses
import datetime
import io
from concurrent.futures import ThreadPoolExecutor

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from docx.table import Table

from danvan.audit.context import Actor
from danvan.organizations.models import BodyKind
from danvan.organizations.services import body_create
from danvan.reports import charts
from danvan.reports.docx_format import FONT
from danvan.reports.issuer import issuing_body_lines
from danvan.reports.render import render_report
from danvan.reports.snapshot import TrendPoint
from danvan.reports.tests.render_samples import (
    empty_snapshot,
    party_document,
    sample_snapshot,
    state_document,
)
from danvan.reports.wording import compare, date_words, fmt_int


def read(data: bytes) -> DocumentObject:
    return docx.Document(io.BytesIO(data))


def table_texts(table: Table) -> list[str]:
    texts: list[str] = []
    for row in table.rows:
        for cell in row.cells:
            texts.extend(p.text for p in cell.paragraphs)
            for inner in cell.tables:
                texts.extend(table_texts(inner))
    return texts


def all_text(document: DocumentObject) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(table_texts(table))
    return "\n".join(parts)


def header_texts(document: DocumentObject) -> list[str]:
    return [t for t in table_texts(document.tables[0]) if t.strip()]


def cell_rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def mm(length: Length | None) -> float:
    assert length is not None
    return round(length.mm, 1)


@pytest.fixture(scope="module")
def party() -> DocumentObject:
    return read(render_report(party_document()))


@pytest.fixture(scope="module")
def state() -> DocumentObject:
    return read(render_report(state_document()))


# --- Header blocks ----------------------------------------------------------------------------


def test_the_party_header_names_the_party_the_body_with_a_star_and_the_hyphenated_number(party):
    left, right = party.tables[0].rows[0].cells
    left_lines = [p.text for p in left.paragraphs if p.text.strip()]
    right_lines = [p.text for p in right.paragraphs if p.text.strip()]

    assert left_lines == ["TỈNH ỦY NGHỆ AN", "BAN TUYÊN GIÁO VÀ DÂN VẬN", "*", "Số 15-BC/BTGDVTU"]
    assert right_lines == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Nghệ An, ngày 08 tháng 10 năm 2026"]
    superior_run = left.paragraphs[0].runs[0]
    issuer_run = left.paragraphs[1].runs[0]
    assert not superior_run.bold
    assert issuer_run.bold
    party_run = right.paragraphs[0].runs[0]
    assert party_run.bold and party_run.font.size == Pt(15)
    dateline = next(p for p in right.paragraphs if p.text.startswith("Nghệ An"))
    assert dateline.runs[0].italic


def test_the_state_header_has_the_motto_and_the_number_with_a_colon(state):
    left, right = state.tables[0].rows[0].cells
    left_lines = [p.text for p in left.paragraphs if p.text.strip()]
    right_lines = [p.text for p in right.paragraphs if p.text.strip()]

    assert left_lines == ["ỦY BAN NHÂN DÂN XÃ ANH SƠN", "Số: 15/BC-UBND"]
    assert right_lines == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Anh Sơn, ngày 05 tháng 01 năm 2027",
    ]
    motto = right.paragraphs[0].runs[0]
    assert motto.bold and Pt(12) <= motto.font.size <= Pt(13)
    assert left.paragraphs[0].runs[0].bold


def test_a_superior_body_sits_above_the_issuer_in_plain_capitals():
    document = dataclasses.replace(
        state_document(), superior="UBND tỉnh Nghệ An", issuer="Sở Xây dựng", body_code="SXD"
    )
    left = read(render_report(document)).tables[0].rows[0].cells[0]
    lines = [p for p in left.paragraphs if p.text.strip()]

    assert [p.text for p in lines] == ["UBND TỈNH NGHỆ AN", "SỞ XÂY DỰNG", "Số: 15/BC-SXD"]
    assert not lines[0].runs[0].bold and lines[1].runs[0].bold


def test_the_header_block_is_a_borderless_two_column_table(party, state):
    for document in (party, state):
        table = document.tables[0]
        assert len(table.columns) == 2
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}


def test_a_draft_says_so_and_leaves_the_number_and_the_date_blank():
    document = read(render_report(state_document(draft=True)))
    texts = header_texts(document)

    assert document.paragraphs[0].text == "DỰ THẢO"
    assert "Số:     /BC-UBND" in texts
    assert "Anh Sơn, ngày     tháng     năm 2027" in texts
    assert "15/BC-UBND" not in all_text(document)
    assert "05 tháng 01" not in all_text(document)

    party_draft = read(render_report(party_document(draft=True)))
    assert party_draft.paragraphs[0].text == "DỰ THẢO"
    assert "Số     -BC/BTGDVTU" in header_texts(party_draft)


def test_an_issued_report_does_not_say_draft(party, state):
    assert "DỰ THẢO" not in all_text(party)
    assert "DỰ THẢO" not in all_text(state)


def test_dates_take_a_zero_before_days_below_ten_and_months_one_and_two():
    assert date_words(datetime.date(2027, 1, 5)) == "ngày 05 tháng 01 năm 2027"
    assert date_words(datetime.date(2026, 2, 28)) == "ngày 28 tháng 02 năm 2026"
    assert date_words(datetime.date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert date_words(datetime.date(2026, 12, 15)) == "ngày 15 tháng 12 năm 2026"


# --- Title, page, fonts -----------------------------------------------------------------------


def test_the_document_type_is_bold_and_centered_with_the_summary_below(party, state):
    for document, size in ((party, Pt(16)), (state, Pt(14))):
        index = next(i for i, p in enumerate(document.paragraphs) if p.text == "BÁO CÁO")
        kind = document.paragraphs[index]
        summary = document.paragraphs[index + 1]
        assert kind.runs[0].bold and kind.runs[0].font.size == size
        assert kind.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert summary.text.startswith("Tình hình nhân dân quý")
        assert summary.runs[0].bold


def test_the_page_is_a4_with_the_official_margins(party, state):
    for document in (party, state):
        section = document.sections[0]
        assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)
        assert mm(section.top_margin) == 20.0
        assert mm(section.bottom_margin) == 20.0
        assert mm(section.left_margin) == 30.0
        assert mm(section.right_margin) == 15.0


def test_pages_are_numbered_from_the_second_in_the_header_center(party):
    section = party.sections[0]
    assert section.different_first_page_header_footer
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and "fldChar" in header_xml
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" not in section.first_page_header._element.xml


def test_every_run_is_times_new_roman_for_every_script(party, state):
    for document in (party, state):
        normal = document.styles["Normal"]
        assert normal.font.name == FONT
        assert normal.font.size == Pt(14)
        fonts = normal.element.rPr.rFonts
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert fonts.get(qn(attribute)) == FONT
        for rfonts in document.styles.element.iter(qn("w:rFonts")):
            assert not any(a.endswith("Theme") for a in rfonts.attrib)
        body = document.element.body
        runs = list(body.iter(qn("w:r")))
        assert runs
        for run in runs:
            rfonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
            if rfonts is not None:  # a run without fonts takes Normal's
                assert rfonts.get(qn("w:eastAsia")) == FONT
                assert rfonts.get(qn("w:ascii")) == FONT


def test_the_body_is_14_pt_justified_with_a_first_line_indent(party):
    paragraph = next(p for p in party.paragraphs if p.text.startswith("Trong quý III năm 2026"))
    assert paragraph.runs[0].font.size == Pt(14)
    fmt = party.styles["Normal"].paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert fmt.first_line_indent is not None and 9 <= fmt.first_line_indent.mm <= 11
    assert fmt.space_after == Pt(6)


def test_tables_have_a_bold_header_borders_12_pt_and_right_aligned_numbers(party):
    table = party.tables[1]  # by kind
    header = table.rows[0].cells
    assert header[1].text == "Loại ý kiến"
    assert all(cell.paragraphs[0].runs[0].bold for cell in header)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"single"}
    first = table.rows[1].cells
    assert first[2].paragraphs[0].runs[0].font.size == Pt(12)
    assert first[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[-1].cells[0].text == "Cộng"
    assert table.rows[-1].cells[2].text == "1.256"


# --- The body ---------------------------------------------------------------------------------


def test_sections_are_numbered_with_roman_numerals_in_the_officials_order(party):
    headings = [
        p.text for p in party.paragraphs if p.text[:1] in "IVX" and ". " in p.text[:6] and p.text
    ]
    assert headings == [
        "I. TÌNH HÌNH CHUNG",
        "II. NHỮNG VẤN ĐỀ NHÂN DÂN QUAN TÂM, PHẢN ÁNH",
        "III. ĐIỂM NÓNG VÀ VIỆC XỬ LÝ",
        "IV. TIẾP NHẬN, GIẢI QUYẾT KHIẾU NẠI, TỐ CÁO",
        "V. TRẢ LỜI KIẾN NGHỊ CỬ TRI",
        "VI. MÔ HÌNH “DÂN VẬN KHÉO”",
        "VII. BÁO CÁO CỦA CẤP DƯỚI",
        "VIII. ĐÁNH GIÁ CHUNG",
        "IX. ĐỀ XUẤT, KIẾN NGHỊ",
    ]


def test_the_opening_compares_with_the_period_before_and_a_year_before(party):
    text = all_text(party)
    assert "đã tiếp nhận 1.256 ý kiến" in text
    assert "tăng 7,4% so với kỳ trước (kỳ trước: 1.170)" in text
    assert "tăng 19,2% so với cùng kỳ năm trước (cùng kỳ năm trước: 1.054)" in text


def test_comparisons_read_as_officials_write_them():
    assert compare(90, 100, "kỳ trước") == "giảm 10% so với kỳ trước"
    assert compare(5, 5, "kỳ trước") == "bằng kỳ trước"
    assert compare(3, 0, "kỳ trước") == "tăng 3 ý kiến so với kỳ trước (kỳ đó không có)"


def test_every_figure_of_the_snapshot_appears_in_the_document(party):
    s = sample_snapshot()
    text = all_text(party)
    figures: list[int] = [
        s.total.n,
        s.total.previous,
        s.total.last_year,
        s.answered,
        s.answered_on_time,
        s.overdue,
        len(s.hot_spots),
    ]
    for count in [*s.by_kind, *s.by_topic, *s.by_unit]:
        figures += [count.n, count.previous, count.last_year]
    figures += [c.n for c in s.by_channel]
    for concern in s.concerns:
        figures += [concern.voices, concern.total_voices]
    for cases in (s.complaints, s.denunciations):
        figures += [getattr(cases, f.name) for f in dataclasses.fields(cases)]
    figures += [
        getattr(s.voter_recommendations, f.name)
        for f in dataclasses.fields(s.voter_recommendations)
    ]
    figures += [s.models.registered, s.models.honored, s.models.total_active]
    for child in s.children_reports:
        figures += [child.received, child.complaints, child.resolved_on_time]
    missing = [n for n in figures if fmt_int(n) not in text]
    assert missing == []
    assert "8,4 ngày" in text
    for words in [
        *(c.label for c in s.by_kind),
        *(c.label for c in s.by_topic),
        *(c.label for c in s.by_unit),
        *(c.title for c in s.concerns),
        *(c.text for c in s.concerns),
        *(h.reason for h in s.hot_spots),
        *(h.handling for h in s.hot_spots),
        *s.models.honored_names,
        *(r.symbol for r in s.children_reports),
        s.children_reports[0].proposals,
    ]:
        assert words in text, words


def test_the_tables_by_kind_and_by_unit_hold_the_figures_row_by_row(party):
    rows = cell_rows(party.tables[1])
    assert rows[1][:5] == ["1", "Phản ánh", "731", "58,2", "690"]
    assert rows[1][6] == "612"
    unit_table = next(t for t in party.tables if t.rows[0].cells[1].text == "Đơn vị")
    assert [r[1] for r in cell_rows(unit_table)[1:4]] == [
        "Xã Anh Sơn",
        "Xã Mường Xén",
        "Phường Vinh Hưng",
    ]


def test_the_complaints_table_has_received_accepted_on_time_late_and_pending(party):
    table = next(t for t in party.tables if t.rows[0].cells[1].text == "Nội dung")
    rows = {r[1]: r[2:] for r in cell_rows(table)[1:]}
    assert rows["Số đơn tiếp nhận"] == ["93", "34", "127"]
    assert rows["Số đơn thụ lý"] == ["81", "29", "110"]
    assert rows["- Giải quyết đúng hạn"] == ["59", "20", "79"]
    assert rows["- Giải quyết quá hạn"] == ["7", "2", "9"]
    assert rows["Số đơn đang giải quyết"] == ["15", "7", "22"]


def test_the_officers_texts_come_last_paragraph_by_paragraph(party):
    texts = [p.text for p in party.paragraphs]
    assessment = texts.index("VIII. ĐÁNH GIÁ CHUNG")
    assert texts[assessment + 1 : assessment + 3] == [
        "Tình hình nhân dân cơ bản ổn định.",
        "Một số vụ việc đất đai còn kéo dài.",
    ]
    assert "Đề nghị Ban Thường vụ chỉ đạo giải quyết dứt điểm vụ việc trại lợn." in texts
    assert texts[-1].endswith("./.") or "Trên đây là báo cáo" in all_text(party)


def test_the_signer_block_has_the_prefix_of_each_format(party, state):
    party_sign = table_texts(party.tables[-1])
    state_sign = table_texts(state.tables[-1])

    assert "T/M BAN THƯỜNG VỤ" in party_sign
    assert "PHÓ TRƯỞNG BAN" in party_sign
    assert "Hoàng Văn Minh" in party_sign
    assert "KT. CHỦ TỊCH" in state_sign
    assert "PHÓ CHỦ TỊCH" in state_sign
    assert "Nguyễn Văn A" in state_sign
    name = next(
        p for p in party.tables[-1].rows[0].cells[1].paragraphs if p.text == "Hoàng Văn Minh"
    )
    assert name.runs[0].bold


def test_signer_prefixes_follow_the_format():
    for prefix, party_word, state_word in [
        ("on_behalf", "T/M", "TM."),
        ("deputy", "K/T", "KT."),
        ("delegated", "T/L", "TL."),
    ]:
        p = read(render_report(dataclasses.replace(party_document(), signer_prefix=prefix)))
        s = read(render_report(dataclasses.replace(state_document(), signer_prefix=prefix)))
        assert f"{party_word} BAN THƯỜNG VỤ" in table_texts(p.tables[-1])
        assert f"{state_word} CHỦ TỊCH" in table_texts(s.tables[-1])
    head = read(render_report(dataclasses.replace(state_document(), signer_prefix="")))
    lines = [t for t in table_texts(head.tables[-1]) if t.isupper()]
    assert "PHÓ CHỦ TỊCH" in lines and not any("CHỦ TỊCH" in t and "KT" in t for t in lines)


def test_recipients_start_with_a_dash_and_end_with_the_file_copy(state):
    left = state.tables[-1].rows[0].cells[0]
    lines = [p.text for p in left.paragraphs if p.text.strip()]
    assert lines == ["Nơi nhận:", "- UBND tỉnh Nghệ An;", "- Đảng ủy xã;", "- Lưu: VT."]
    heading = left.paragraphs[0].runs[0]
    assert heading.bold and heading.italic and heading.font.size == Pt(12)
    assert left.paragraphs[1].runs[0].font.size == Pt(11)


# --- Charts -----------------------------------------------------------------------------------


def test_both_charts_are_embedded(party):
    assert len(party.inline_shapes) == 2
    for shape in party.inline_shapes:
        assert 15.5 <= shape.width.cm <= 16.5


def test_charts_are_pngs_16_cm_wide_at_150_dpi():
    snapshot = sample_snapshot()
    for png in (charts.trend_png(snapshot), charts.topic_share_png(snapshot)):
        assert png is not None and png.startswith(b"\x89PNG")
        width = int.from_bytes(png[16:20], "big")
        assert abs(width - round(16 / 2.54 * 150)) <= 2


def test_the_topic_chart_shows_the_eight_largest_and_the_rest_as_other():
    rows = charts._topic_rows(sample_snapshot().by_topic)
    assert len(rows) == 9
    assert rows[0] == ("Đất đai", 412)
    assert rows[-1] == ("Khác", 21 + 17)


def test_a_long_trend_is_drawn_as_lines():
    snapshot = sample_snapshot()
    snapshot.trend = [TrendPoint(f"{d:02d}/07", d % 7, d % 5) for d in range(1, 32)]
    assert charts.trend_png(snapshot) is not None


def test_charts_are_none_when_there_is_nothing_to_draw():
    snapshot = empty_snapshot()
    assert charts.trend_png(snapshot) is None
    assert charts.topic_share_png(snapshot) is None
    snapshot.trend = [TrendPoint("07/2026"), TrendPoint("08/2026")]
    assert charts.trend_png(snapshot) is None


def test_charts_can_be_drawn_by_several_threads_at_once():
    snapshot = sample_snapshot()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: charts.topic_share_png(snapshot), range(8)))
    assert all(r is not None and r.startswith(b"\x89PNG") for r in results)
    assert len(set(results)) == 1


# --- An empty period --------------------------------------------------------------------------


def test_an_empty_snapshot_renders_a_short_report_that_says_nothing_happened():
    document = read(render_report(state_document(empty_snapshot())))
    text = all_text(document)

    assert "không tiếp nhận ý kiến, phản ánh, kiến nghị nào" in text
    assert "Trong kỳ không phát sinh đơn khiếu nại, tố cáo." in text
    assert "Trong kỳ không phát sinh điểm nóng" in text
    assert "BÁO CÁO CỦA CẤP DƯỚI" not in text
    assert len(document.inline_shapes) == 0
    assert "VI. ĐÁNH GIÁ CHUNG" not in text and "VII. ĐÁNH GIÁ CHUNG" in text


def test_bad_text_in_the_fields_does_not_break_the_document():
    document = dataclasses.replace(
        party_document(),
        place="",
        title="  ",
        assessment="\n\n  \n",
        recipients=["", " - ", "Lưu: VT, BTGDV"],
        signer_name="",
        signer_authority="",
        signer_position="",
    )
    text = all_text(read(render_report(document)))
    assert "ngày 08 tháng 10 năm 2026" in text
    assert "- Lưu: VT, BTGDV." in text


# --- The issuing body, from the organizations ---------------------------------------------------


def test_issuing_body_lines_follow_each_system(world):
    actor = Actor.system("test")
    assert issuing_body_lines(world.province_body) == (
        "TỈNH ỦY NGHỆ AN",
        "BAN TUYÊN GIÁO VÀ DÂN VẬN",
    )
    assert issuing_body_lines(world.ha_noi_body) == (
        "THÀNH ỦY HÀ NỘI",
        "BAN TUYÊN GIÁO VÀ DÂN VẬN",
    )
    assert issuing_body_lines(world.anh_son_body) == ("ĐẢNG BỘ TỈNH NGHỆ AN", "ĐẢNG ỦY XÃ ANH SƠN")
    assert issuing_body_lines(world.village_body) == ("ĐẢNG ỦY XÃ ANH SƠN", "TỔ DÂN VẬN XÓM 1")
    assert issuing_body_lines(world.hoan_kiem_body) == ("", "ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM")

    committee = body_create(
        actor=actor, unit=world.nghe_an, kind=BodyKind.PARTY_COMMITTEE, name="Tỉnh ủy Nghệ An"
    )
    people = body_create(
        actor=actor,
        unit=world.nghe_an,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="Ủy ban nhân dân tỉnh Nghệ An",
    )
    department = body_create(
        actor=actor,
        unit=world.nghe_an,
        kind=BodyKind.PEOPLES_COMMITTEE_DEPARTMENT,
        name="Sở Xây dựng tỉnh Nghệ An",
        parent=people,
    )
    building = body_create(
        actor=actor,
        unit=world.anh_son,
        kind=BodyKind.PARTY_BUILDING_COMMISSION,
        name="Ban Xây dựng Đảng Đảng ủy xã Anh Sơn",
        parent=world.anh_son_body,
    )
    bloc = body_create(
        actor=actor,
        unit=world.anh_son,
        kind=BodyKind.MASS_MOBILIZATION_BLOC,
        name="Khối dân vận xã Anh Sơn",
        parent=world.anh_son_body,
    )
    assert issuing_body_lines(committee) == ("ĐẢNG BỘ TỈNH NGHỆ AN", "TỈNH ỦY")
    assert issuing_body_lines(people) == ("", "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN")
    assert issuing_body_lines(department) == ("UBND TỈNH NGHỆ AN", "SỞ XÂY DỰNG")
    assert issuing_body_lines(building) == ("ĐẢNG ỦY XÃ ANH SƠN", "BAN XÂY DỰNG ĐẢNG")
    assert issuing_body_lines(bloc) == ("ĐẢNG ỦY XÃ ANH SƠN", "KHỐI DÂN VẬN")


# --- Well-formed for Word ---------------------------------------------------------------------

_TBL_PR_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
]
_P_PR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "spacing",
    "ind",
    "contextualSpacing",
    "jc",
    "rPr",
    "sectPr",
]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_table_and_paragraph_properties_are_in_the_order_word_requires(party):
    body = party.element.body
    for parent_tag, order in (("w:tblPr", _TBL_PR_ORDER), ("w:pPr", _P_PR_ORDER)):
        for properties in body.iter(qn(parent_tag)):
            names = [_local(child.tag) for child in properties]
            assert len(names) == len(set(names)), names
            known = [n for n in names if n in order]
            assert known == sorted(known, key=order.index), names
