"""The synthesis report as a DOCX in the official formats (see ``shared/domain/legal-rules.md``).

State documents follow Decree 30/2020/NĐ-CP (Appendix I), Party documents Guidance 36-HD/VPTW: A4,
margins 20/20/30/15 mm, Times New Roman, body 14 pt justified, the header block as a borderless
two-column table (issuing body on the left; the national motto or "ĐẢNG CỘNG SẢN VIỆT NAM", the
place and the date on the right), page numbers from page 2, the signer at the bottom right and the
recipients (Nơi nhận) at the bottom left. The document is Vietnamese by law, whatever the reader's
language.

Everything the body says comes from the report's ``Snapshot`` and the officer's two texts, so an
issued report rendered again from its frozen figures is the same document.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from danvan.reports import charts
from danvan.reports.models import ReportFormat, SignerPrefix
from danvan.reports.numbering import DOCUMENT_TYPE_CODE, number_line
from danvan.reports.snapshot import ChildReport, Count, Snapshot

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

    from danvan.organizations.models import Body
    from danvan.units.models import AdministrativeUnit

__all__ = [
    "FONT",
    "DocumentWriter",
    "ReportDocument",
    "date_words",
    "issuing_body_lines",
    "render_report",
]

FONT = "Times New Roman"
BODY_SIZE = 14
TABLE_SIZE = 12
TEXT_WIDTH_CM = 16.5  # A4 (210 mm) less 30 mm left and 15 mm right

_PREFIXES: dict[str, dict[str, str]] = {
    ReportFormat.STATE: {
        SignerPrefix.ON_BEHALF: "TM.",
        SignerPrefix.DEPUTY: "KT.",
        SignerPrefix.DELEGATED: "TL.",
    },
    ReportFormat.PARTY: {
        SignerPrefix.ON_BEHALF: "T/M",
        SignerPrefix.DEPUTY: "K/T",
        SignerPrefix.DELEGATED: "T/L",
    },
}

_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass
class ReportDocument:
    format: str  # ReportFormat value: "party" | "state"
    superior: str  # upper line of the issuing body block; may be ""
    issuer: str  # "BAN TUYÊN GIÁO VÀ DÂN VẬN" / "ỦY BAN NHÂN DÂN XÃ ANH SƠN"
    body_code: str  # "BTGDVTU" / "UBND"
    number: int | None  # None for a draft (blank number space)
    place: str  # "Nghệ An"
    date: datetime.date | None  # None for a draft: "ngày    tháng    năm 2026"
    title: str  # "Tình hình nhân dân quý III năm 2026"
    snapshot: Snapshot
    assessment: str
    proposals: str
    signer_prefix: str  # SignerPrefix value
    signer_authority: str  # "BAN THƯỜNG VỤ" / "ỦY BAN NHÂN DÂN" / "CHỦ TỊCH"
    signer_position: str  # "PHÓ TRƯỞNG BAN"
    signer_name: str
    recipients: list[str] = field(default_factory=list)
    draft: bool = True
    type_code: str = DOCUMENT_TYPE_CODE  # "BC"; other documents reuse the format ("QĐ", "KL")


# --- Issuing body -------------------------------------------------------------------------------

_UNIT_PREFIXES = (
    "thành phố ",
    "tỉnh ",
    "xã ",
    "phường ",
    "đặc khu ",
    "thị trấn ",
    "huyện ",
    "quận ",
    "thị xã ",
)
# "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An" → ("Tỉnh ủy Nghệ An", "Ban Tuyên giáo và Dân vận")
_PARTY_COMMITTEE_IN_NAME = re.compile(
    r"^(?P<issuer>.+?)\s+(?P<superior>(?:tỉnh|thành|đảng|huyện|quận|thị)\s+(?:ủy|uỷ)\s+.+)$",
    re.IGNORECASE,
)


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).upper()


def _bare_name(unit_name: str) -> str:
    """``Tỉnh Nghệ An`` → ``Nghệ An``."""
    lowered = unit_name.lower()
    for prefix in _UNIT_PREFIXES:
        if lowered.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def _full_name(unit: AdministrativeUnit) -> str:
    """``Tỉnh Nghệ An``: provinces are stored by their bare name (``Nghệ An``)."""
    from danvan.units.models import UnitKind

    name = " ".join(unit.name.split())
    if name.lower().startswith(_UNIT_PREFIXES):
        return name
    kinds: dict[str, str] = {UnitKind.PROVINCE: "Tỉnh", UnitKind.CENTRAL_CITY: "Thành phố"}
    kind = kinds.get(unit.kind, "")
    return f"{kind} {name}" if kind else name


def _strip_suffix(name: str, *suffixes: str) -> str:
    """The name without a trailing unit name, if it ends with one (case-insensitive)."""
    for suffix in suffixes:
        if suffix and name.lower().endswith(" " + suffix.lower()):
            return name[: -len(suffix) - 1].strip()
    return name


def _below(name: str, unit_name: str, parent: Body, body: Body) -> str:
    """The body's name under its superior: without the unit's name when the superior, at the
    same unit, already says it ("Khối dân vận xã Anh Sơn" under "Đảng ủy xã Anh Sơn")."""
    return _strip_suffix(name, unit_name) if parent.unit_id == body.unit_id else name


def issuing_body_lines(body: Body) -> tuple[str, str]:
    """(superior, issuer) in capitals, the two lines of the issuing body at the top left.

    Party (Guidance 36-HD/VPTW): a commission of a committee under the committee ("TỈNH ỦY NGHỆ
    AN" / "BAN TUYÊN GIÁO VÀ DÂN VẬN"); a committee under its Party organization ("ĐẢNG BỘ TỈNH
    NGHỆ AN" / "TỈNH ỦY"; "ĐẢNG BỘ TỈNH NGHỆ AN" / "ĐẢNG ỦY XÃ ANH SƠN"); any other body under
    its superior body. State (Decree 30/2020): a People's Committee or Council alone ("ỦY BAN
    NHÂN DÂN TỈNH NGHỆ AN"); a department under its People's Committee ("UBND TỈNH NGHỆ AN" /
    "SỞ XÂY DỰNG"). Front bodies under their superior body when they have one.
    """
    from danvan.organizations.models import BodyKind, PoliticalSystem

    unit = body.unit
    name = " ".join(body.name.split())
    unit_name = _full_name(unit)
    parent = body.parent
    system = body.political_system
    if system == PoliticalSystem.PARTY:
        match = _PARTY_COMMITTEE_IN_NAME.match(name)
        if body.kind != BodyKind.PARTY_COMMITTEE and match:
            return _upper(match["superior"]), _upper(match["issuer"])
        if body.kind == BodyKind.PARTY_COMMITTEE:
            if unit.is_province:
                return _upper(f"Đảng bộ {unit_name}"), _upper(
                    _strip_suffix(name, unit_name, _bare_name(unit_name))
                )
            above = unit.parent
            superior = _upper(f"Đảng bộ {_full_name(above)}") if above is not None else ""
            return superior, _upper(name)
        if parent is not None:
            return _upper(parent.name), _upper(_below(name, unit_name, parent, body))
        return _upper(f"Đảng bộ {unit_name}"), _upper(name)
    if system == PoliticalSystem.STATE:
        if body.kind == BodyKind.PEOPLES_COMMITTEE_DEPARTMENT:
            if parent is not None and parent.kind == BodyKind.PEOPLES_COMMITTEE:
                superior = _upper(parent.name).replace("ỦY BAN NHÂN DÂN", "UBND", 1)
            else:
                superior = _upper(f"UBND {unit_name}")
            return superior, _upper(_strip_suffix(name, unit_name))
        return "", _upper(name)
    if parent is not None:
        return _upper(parent.name), _upper(_below(name, unit_name, parent, body))
    return "", _upper(name)


# --- Numbers and dates in Vietnamese ------------------------------------------------------------


def fmt_int(n: int) -> str:
    """``1.234``: Vietnamese writes thousands with a dot."""
    return f"{n:,}".replace(",", ".")


def fmt_percent(value: float) -> str:
    """``12,5``: one decimal with a comma, none for whole numbers."""
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _share(part: int, whole: int) -> str:
    return fmt_percent(100.0 * part / whole) if whole else "0"


def compare(n: int, before: int, against: str) -> str:
    """``tăng 12,5% so với kỳ trước`` / ``giảm 3 ý kiến ...`` / ``bằng kỳ trước``."""
    if n == before:
        return f"bằng {against}"
    if before == 0:
        return f"tăng {fmt_int(n)} ý kiến so với {against} (kỳ đó không có)"
    change = 100.0 * (n - before) / before
    word = "tăng" if change > 0 else "giảm"
    return f"{word} {fmt_percent(abs(change))}% so với {against}"


def _change_cell(n: int, before: int) -> str:
    if before == 0:
        return "-" if n == 0 else "mới"
    change = 100.0 * (n - before) / before
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return f"{sign}{fmt_percent(abs(change))}%"


def date_words(day: datetime.date) -> str:
    """``ngày 05 tháng 01 năm 2027``: a zero before days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _iso_to_text(value: str) -> str:
    try:
        day = datetime.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return day.strftime("%d/%m/%Y")


# --- Low-level formatting -----------------------------------------------------------------------


def _set_run_font(
    run: Run,
    size: float | None = None,
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    underline: bool | None = None,
) -> Run:
    run.font.name = FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic
    if underline is not None:
        run.font.underline = underline
    return run


def _plain(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH, after: float = 0) -> Paragraph:
    """A paragraph outside the running text: no first-line indent, no spacing before."""
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Cm(0)
    fmt.left_indent = Cm(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    fmt.keep_together = True
    return paragraph


def _write(
    paragraph: Paragraph,
    text: str,
    size: float = BODY_SIZE,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> Paragraph:
    _set_run_font(paragraph.add_run(text), size, bold=bold, italic=italic, underline=underline)
    return paragraph


def _rule(container: _Cell | DocumentObject, length_cm: float, width_cm: float) -> Paragraph:
    """A short horizontal line, centered: an empty paragraph with a bottom border, indented so
    that it is ``length_cm`` long in a space ``width_cm`` wide."""
    paragraph = _plain(container.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
    side = max(0.0, (width_cm - length_cm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Cm(side)
    fmt.right_indent = Cm(side)
    fmt.line_spacing = Pt(2)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    p_pr.insert_element_before(borders, *_AFTER_PBDR)
    _set_run_font(paragraph.add_run(""), 2)
    return paragraph


def _text_width_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """A rough width of a line of Times capitals, to size the line under it."""
    per_char = 0.62 if bold else 0.58
    return len(text) * size_pt * per_char * 2.54 / 72


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field, each part in a run of its own as Word writes it."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "2"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, shown, end):
        _set_run_font(paragraph.add_run(), BODY_SIZE)._element.append(element)


# What follows each element in its parent, in the order of the OOXML schema: Word refuses a
# document whose elements are out of order.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_TBL_CELL_MAR = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_AFTER_TBL_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", *_AFTER_TBL_CELL_MAR)


def _set_table_property(table: Table, element: BaseOxmlElement, after: tuple[str, ...]) -> None:
    tbl_pr = table._tbl.tblPr
    existing = tbl_pr.find(element.tag)
    if existing is not None:
        tbl_pr.remove(existing)
    tbl_pr.insert_element_before(element, *after)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    _set_table_property(table, borders, _AFTER_TBL_BORDERS)


def _all_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
        borders.append(edge)
    _set_table_property(table, borders, _AFTER_TBL_BORDERS)


def _no_cell_margins(table: Table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    _set_table_property(table, margins, _AFTER_TBL_CELL_MAR)


def _keep_row_together(table: Table) -> None:
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _fixed_widths(table: Table, widths_cm: Sequence[float]) -> None:
    table.autofit = False  # w:tblLayout w:type="fixed"
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cell_text(
    cell: _Cell,
    text: str,
    *,
    size: float = TABLE_SIZE,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
) -> None:
    paragraph = cell.paragraphs[0]
    _plain(paragraph, align)
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    _write(paragraph, text, size, bold=bold, italic=italic)


# --- The document -------------------------------------------------------------------------------


class DocumentWriter:
    """Writes a document in the Party or state format: page, header block, title, signature.

    ``build`` writes the report; another document (a decision) overrides ``build`` and
    ``kind_word`` and reuses the rest."""

    #: The document type in the title block.
    kind_word = "BÁO CÁO"

    def __init__(self, document: ReportDocument) -> None:
        self.spec = document
        self.snapshot = document.snapshot
        self.party = document.format == ReportFormat.PARTY
        self.doc = Document()
        self.section_index = 0
        self.table_index = 0
        self.figure_index = 0

    # Page, styles, header --------------------------------------------------------------------

    def setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(210)
        section.page_height = Mm(297)
        section.top_margin = Mm(20)
        section.bottom_margin = Mm(20)
        section.left_margin = Mm(30)
        section.right_margin = Mm(15)
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        # Every rFonts of the template (also the document defaults, which name theme fonts that
        # would win over an explicit font in Word) says Times New Roman for all scripts.
        styles_element = self.doc.styles.element
        for fonts in styles_element.iter(qn("w:rFonts")):
            for attribute in list(fonts.attrib):
                if attribute.endswith("Theme"):
                    del fonts.attrib[attribute]
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attribute), FONT)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_SIZE)
        r_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            r_fonts.set(qn(attribute), FONT)
        normal_r_pr = normal.element.get_or_add_rPr()
        lang = normal_r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            normal_r_pr.insert_element_before(
                lang, "w:eastAsianLayout", "w:specVanish", "w:oMath", "w:rPrChange"
            )
        lang.set(qn("w:val"), "vi-VN")
        fmt = normal.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = Cm(1)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6)
        fmt.line_spacing = 1.0
        # Page numbers from page 2: the first page has its own (empty) header.
        section.different_first_page_header_footer = True
        header_paragraph = section.header.paragraphs[0]
        _plain(header_paragraph, WD_ALIGN_PARAGRAPH.CENTER)
        _page_field(header_paragraph)
        first = section.first_page_header.paragraphs[0]
        _plain(first, WD_ALIGN_PARAGRAPH.CENTER)

    def heading_block(self) -> None:
        spec = self.spec
        if spec.draft:
            paragraph = _plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.RIGHT, after=2)
            _write(paragraph, "DỰ THẢO", 13, bold=True)
        widths = (7.8, 8.7) if self.party else (6.3, 10.2)
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _no_cell_margins(table)
        _fixed_widths(table, widths)
        left, right = table.rows[0].cells
        number = number_line(
            spec.format, None if spec.draft else spec.number, spec.body_code, spec.type_code
        )
        if self.party:
            self._party_left(left, widths[0], number)
            self._party_right(right, widths[1])
        else:
            self._state_left(left, widths[0], number)
            self._state_right(right, widths[1])

    def _dateline(self) -> str:
        place = " ".join(self.spec.place.split())
        if self.spec.date is not None and not self.spec.draft:
            words = date_words(self.spec.date)
        else:
            from django.utils import timezone

            year = (self.spec.date or timezone.localdate()).year
            words = f"ngày     tháng     năm {year}"
        return f"{place}, {words}" if place else words

    def _state_left(self, cell: _Cell, width: float, number: str) -> None:
        first = _plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        if self.spec.superior:
            _write(first, _upper(self.spec.superior), 13)
            issuer_paragraph = _plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        else:
            issuer_paragraph = first
        issuer = _upper(self.spec.issuer)
        _write(issuer_paragraph, issuer, 13, bold=True)
        longest_line = min(width, _text_width_cm(issuer, 13, bold=True))
        _rule(cell, max(1.5, min(longest_line, width) / 2.5), width)
        number_paragraph = _plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        number_paragraph.paragraph_format.space_before = Pt(6)
        _write(number_paragraph, number, 13)

    def _state_right(self, cell: _Cell, width: float) -> None:
        motto = _plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        _write(motto, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
        slogan_text = "Độc lập - Tự do - Hạnh phúc"
        slogan = _plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        _write(slogan, slogan_text, 14, bold=True)
        _rule(cell, 6.2, width)
        dateline = _plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        dateline.paragraph_format.space_before = Pt(6)
        _write(dateline, self._dateline(), 14, italic=True)

    def _party_left(self, cell: _Cell, width: float, number: str) -> None:
        first = _plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        if self.spec.superior:
            _write(first, _upper(self.spec.superior), 14)
            issuer_paragraph = _plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        else:
            issuer_paragraph = first
        _write(issuer_paragraph, _upper(self.spec.issuer), 14, bold=True)
        _write(_plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER), "*", 14)
        _write(_plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER), number, 14)

    def _party_right(self, cell: _Cell, width: float) -> None:
        title = _plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        _write(title, "ĐẢNG CỘNG SẢN VIỆT NAM", 15, bold=True)
        _rule(cell, 8.2, width)
        dateline = _plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        dateline.paragraph_format.space_before = Pt(10)
        _write(dateline, self._dateline(), 14, italic=True)

    def title_block(self) -> None:
        kind = _plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        kind.paragraph_format.space_before = Pt(18)
        _write(kind, self.kind_word, 16 if self.party else 14, bold=True)
        summary = _plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        _write(summary, " ".join(self.spec.title.split()), 14, bold=True)
        if self.party:
            dashes = _plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER, after=12)
            _write(dashes, "-----", 14)
        else:
            _rule(self.doc, 3.5, TEXT_WIDTH_CM).paragraph_format.space_after = Pt(12)

    # Running text ----------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        numeral = _ROMAN[self.section_index] if self.section_index < len(_ROMAN) else "?"
        self.section_index += 1
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
        _write(paragraph, f"{numeral}. {text.upper()}", bold=True)

    def subheading(self, text: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        _write(paragraph, text, bold=True)

    def text(self, text: str, *, italic: bool = False) -> Paragraph:
        return _write(self.doc.add_paragraph(), text, italic=italic)

    def officer_text(self, text: str, placeholder: str) -> None:
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n", text or "")]
        paragraphs = [p for p in paragraphs if p]
        if not paragraphs:
            self.text(placeholder, italic=True)
            return
        for paragraph in paragraphs:
            self.text(paragraph)

    def caption(self, text: str, *, before: bool = True) -> None:
        paragraph = _plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER, after=6)
        paragraph.paragraph_format.keep_with_next = before
        _write(paragraph, text, 13, italic=True)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        widths_cm: Sequence[float],
        *,
        numeric_from: int = 2,
        total: Sequence[str] | None = None,
        caption: str = "",
    ) -> Table:
        if caption:
            self.table_index += 1
            self.caption(f"Bảng {self.table_index}. {caption}")
        body_rows = [list(r) for r in rows]
        table = self.doc.add_table(rows=1 + len(body_rows) + (1 if total else 0), cols=len(headers))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _all_borders(table)
        _fixed_widths(table, widths_cm)
        _repeat_header(table)
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            _cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        all_rows = [*body_rows, list(total)] if total else body_rows
        for index, values in enumerate(all_rows, start=1):
            is_total = bool(total) and index == len(all_rows)
            for column, (cell, value) in enumerate(
                zip(table.rows[index].cells, values, strict=True)
            ):
                if column == 0 and not is_total:
                    align = WD_ALIGN_PARAGRAPH.CENTER
                elif column >= numeric_from:
                    align = WD_ALIGN_PARAGRAPH.RIGHT
                else:
                    align = WD_ALIGN_PARAGRAPH.LEFT
                _cell_text(cell, value, bold=is_total, align=align)
        if total:
            row = table.rows[-1]
            merged = row.cells[0].merge(row.cells[1])
            for paragraph in merged.paragraphs[1:]:
                paragraph._p.getparent().remove(paragraph._p)
            merged.paragraphs[0].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # a little air after a table
        _plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT, after=6)
        return table

    def picture(self, png: bytes | None, caption: str) -> None:
        if png is None:
            return
        self.figure_index += 1
        paragraph = _plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER, after=2)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(charts.CHART_WIDTH_CM))
        self.caption(f"Hình {self.figure_index}. {caption}", before=False)

    # Sections --------------------------------------------------------------------------------

    def count_table(self, counts: list[Count], label_header: str, caption: str) -> None:
        whole = sum(c.n for c in counts)
        rows = [
            [
                str(i),
                c.label,
                fmt_int(c.n),
                _share(c.n, whole),
                fmt_int(c.previous),
                _change_cell(c.n, c.previous),
                fmt_int(c.last_year),
                _change_cell(c.n, c.last_year),
            ]
            for i, c in enumerate(counts, start=1)
        ]
        sum_n = sum(c.n for c in counts)
        sum_prev = sum(c.previous for c in counts)
        sum_year = sum(c.last_year for c in counts)
        # The sum of the rows is the total only when each voice sits in one row (kinds, units);
        # the row says "Cộng" either way, and it is the sum of the rows shown.
        total_row = [
            "Cộng",
            "",
            fmt_int(sum_n),
            "100" if sum_n else "0",
            fmt_int(sum_prev),
            _change_cell(sum_n, sum_prev),
            fmt_int(sum_year),
            _change_cell(sum_n, sum_year),
        ]
        self.table(
            [
                "TT",
                label_header,
                "Kỳ này",
                "Tỷ lệ (%)",
                "Kỳ trước",
                "So với kỳ trước",
                "Cùng kỳ năm trước",
                "So với cùng kỳ",
            ],
            rows,
            (1.0, 4.6, 1.6, 1.6, 1.7, 2.0, 2.0, 2.0),
            total=total_row,
            caption=caption,
        )

    def general(self) -> None:
        s = self.snapshot
        self.heading("Tình hình chung")
        total = s.total
        if not (total.n or total.previous or total.last_year):
            self.text(
                f"Trong {s.period.label}, trên địa bàn {s.unit_name} không tiếp nhận ý kiến, "
                "phản ánh, kiến nghị nào của nhân dân; kỳ trước và cùng kỳ năm trước cũng không có."
            )
        sentence = (
            f"Trong {s.period.label}, trên địa bàn {s.unit_name} đã tiếp nhận "
            f"{fmt_int(total.n)} ý kiến, phản ánh, kiến nghị của nhân dân, "
            f"{compare(total.n, total.previous, 'kỳ trước')} "
            f"(kỳ trước: {fmt_int(total.previous)}), "
            f"{compare(total.n, total.last_year, 'cùng kỳ năm trước')} "
            f"(cùng kỳ năm trước: {fmt_int(total.last_year)})."
        )
        if total.n or total.previous or total.last_year:
            self.text(sentence)
        if total.n:
            answered = (
                f"Đến thời điểm tổng hợp, đã trả lời, giải quyết {fmt_int(s.answered)} ý kiến "
                f"(đạt {_share(s.answered, total.n)}%), trong đó {fmt_int(s.answered_on_time)} "
                f"ý kiến được trả lời đúng hạn ({_share(s.answered_on_time, total.n)}%)"
            )
            if s.average_days is not None:
                answered += f"; thời gian trả lời bình quân {fmt_percent(s.average_days)} ngày"
            answered += f"; còn {fmt_int(s.overdue)} ý kiến quá hạn chưa được trả lời."
            self.text(answered)
        channels = [c for c in s.by_channel if c.n]
        if channels:
            parts = ", ".join(
                f"{c.label} {fmt_int(c.n)} ý kiến ({_share(c.n, total.n)}%)" for c in channels
            )
            self.text(f"Theo kênh tiếp nhận: {parts}.")
        if s.by_kind:
            self.subheading("1. Theo loại ý kiến")
            self.count_table(s.by_kind, "Loại ý kiến", "Ý kiến, phản ánh theo loại")
        if s.by_topic:
            self.subheading(f"{2 if s.by_kind else 1}. Theo lĩnh vực")
            top = sorted((c for c in s.by_topic if c.n), key=lambda c: -c.n)[:3]
            if top:
                topics_total = sum(c.n for c in s.by_topic)
                named = ", ".join(
                    f"{c.label.lower()} ({fmt_int(c.n)} ý kiến, {_share(c.n, topics_total)}%)"
                    for c in top
                )
                self.text(f"Các lĩnh vực được nhân dân quan tâm nhiều nhất: {named}.")
            self.count_table(s.by_topic, "Lĩnh vực", "Ý kiến, phản ánh theo lĩnh vực")
        if s.by_unit:
            number = 1 + bool(s.by_kind) + bool(s.by_topic)
            self.subheading(f"{number}. Theo đơn vị")
            self.count_table(s.by_unit, "Đơn vị", "Ý kiến, phản ánh theo đơn vị trực thuộc")
        self.picture(charts.trend_png(s), "Diễn biến ý kiến, phản ánh so với kỳ trước")
        self.picture(charts.topic_share_png(s), "Cơ cấu ý kiến, phản ánh theo lĩnh vực")

    def concerns(self) -> None:
        self.heading("Những vấn đề nhân dân quan tâm, phản ánh")
        if not self.snapshot.concerns:
            self.text("Trong kỳ không có vấn đề nổi bật được nhiều người dân cùng phản ánh.")
            return
        for i, c in enumerate(self.snapshot.concerns, start=1):
            where = f" tại {c.unit}" if c.unit else ""
            topic = f", lĩnh vực {c.topic.lower()}" if c.topic else ""
            paragraph = self.doc.add_paragraph()
            paragraph.paragraph_format.keep_with_next = True
            _write(paragraph, f"{i}. {c.title}", bold=True)
            _write(
                paragraph,
                f"{where}{topic}: {fmt_int(c.voices)} ý kiến trong kỳ "
                f"(tổng cộng {fmt_int(c.total_voices)} ý kiến); tình trạng: {c.status}.",
            )
            quote = " ".join(c.text.split())
            if quote and quote.rstrip(" .…") != " ".join(c.title.split()).rstrip(" .…"):
                self.text(f"Ý kiến tiêu biểu: “{quote}”", italic=True)

    def hot_spots(self) -> None:
        self.heading("Điểm nóng và việc xử lý")
        spots = self.snapshot.hot_spots
        if not spots:
            self.text("Trong kỳ không phát sinh điểm nóng, vụ việc phức tạp.")
            return
        serious = sum(1 for h in spots if h.level >= 3)
        self.text(
            f"Trong kỳ phát hiện {fmt_int(len(spots))} dấu hiệu điểm nóng, "
            f"trong đó {fmt_int(serious)} ở mức nghiêm trọng."
        )
        for i, h in enumerate(spots, start=1):
            paragraph = self.doc.add_paragraph()
            _write(paragraph, f"{i}. {h.rule_label} ({h.level_label.lower()})", bold=True)
            place = f" tại {h.unit}" if h.unit else ""
            topic = f", lĩnh vực {h.topic.lower()}" if h.topic else ""
            reason = h.reason.rstrip(". ")
            _write(
                paragraph,
                f"{place}{topic}, phát hiện ngày {_iso_to_text(h.raised_on)}: {reason}. "
                f"Tình trạng: {h.status_label}.",
            )
            if h.handling:
                self.text(f"Việc xử lý: {' '.join(h.handling.split())}")

    def cases(self) -> None:
        self.heading("Tiếp nhận, giải quyết khiếu nại, tố cáo")
        c, d = self.snapshot.complaints, self.snapshot.denunciations
        if not (c.received or d.received or c.pending or d.pending):
            self.text("Trong kỳ không phát sinh đơn khiếu nại, tố cáo.")
            return
        self.text(
            f"Trong kỳ tiếp nhận {fmt_int(c.received)} đơn khiếu nại và {fmt_int(d.received)} "
            f"đơn tố cáo; đã giải quyết {fmt_int(c.resolved)} đơn khiếu nại "
            f"({fmt_int(c.resolved_on_time)} đúng hạn) và {fmt_int(d.resolved)} đơn tố cáo "
            f"({fmt_int(d.resolved_on_time)} đúng hạn); đang giải quyết "
            f"{fmt_int(c.pending + d.pending)} đơn, trong đó {fmt_int(c.overdue + d.overdue)} "
            "đơn đã quá hạn."
        )

        def row(number: str, label: str, value: str) -> list[str]:
            a, b = getattr(c, value), getattr(d, value)
            return [number, label, fmt_int(a), fmt_int(b), fmt_int(a + b)]

        rows = [
            row("1", "Số đơn tiếp nhận", "received"),
            row("2", "Số đơn thụ lý", "accepted"),
            row("3", "Số đơn không thụ lý", "refused"),
            row("4", "Số đơn đã giải quyết", "resolved"),
            row("", "- Giải quyết đúng hạn", "resolved_on_time"),
            row("", "- Giải quyết quá hạn", "resolved_late"),
            row("5", "Số đơn đang giải quyết", "pending"),
            row("", "- Trong đó đã quá hạn", "overdue"),
        ]
        rate = _share(c.resolved_on_time + d.resolved_on_time, c.resolved + d.resolved)
        self.table(
            ["TT", "Nội dung", "Khiếu nại", "Tố cáo", "Cộng"],
            rows,
            (1.0, 7.9, 2.5, 2.5, 2.6),
            caption="Tiếp nhận, giải quyết khiếu nại, tố cáo",
        )
        if c.resolved + d.resolved:
            self.text(f"Tỷ lệ giải quyết đúng hạn đạt {rate}% số đơn đã giải quyết.")

    def voters(self) -> None:
        self.heading("Trả lời kiến nghị cử tri")
        v = self.snapshot.voter_recommendations
        if not (v.received or v.pending or v.answered):
            self.text("Trong kỳ không có kiến nghị của cử tri được chuyển đến.")
            return
        self.text(
            f"Trong kỳ tiếp nhận {fmt_int(v.received)} kiến nghị của cử tri; đã trả lời "
            f"{fmt_int(v.answered)} kiến nghị ({_share(v.answered, v.received)}%), trong đó "
            f"{fmt_int(v.answered_on_time)} kiến nghị được trả lời đúng hạn; còn "
            f"{fmt_int(v.pending)} kiến nghị đang được xem xét, giải quyết."
        )

    def models(self) -> None:
        self.heading("Mô hình “Dân vận khéo”")
        m = self.snapshot.models
        if not (m.registered or m.honored or m.total_active):
            self.text("Trong kỳ không có mô hình “Dân vận khéo” được đăng ký hoặc biểu dương.")
            return
        self.text(
            f"Trong kỳ có {fmt_int(m.registered)} mô hình “Dân vận khéo” được đăng ký mới, "
            f"{fmt_int(m.honored)} mô hình được biểu dương, khen thưởng; đến cuối kỳ toàn "
            f"{self.snapshot.unit_name} có {fmt_int(m.total_active)} mô hình đang triển khai."
        )
        if m.honored_names:
            names = "; ".join(f"“{n}”" for n in m.honored_names)
            self.text(f"Các mô hình được biểu dương: {names}.")

    def children(self) -> None:
        reports: list[ChildReport] = self.snapshot.children_reports
        if not reports:
            return
        self.heading("Báo cáo của cấp dưới")
        self.text(
            f"Trong kỳ có {fmt_int(len(reports))} đơn vị trực thuộc đã gửi báo cáo; "
            "tổng hợp số liệu như sau:"
        )
        rows = [
            [
                str(i),
                r.unit,
                r.symbol,
                _iso_to_text(r.issued_on),
                fmt_int(r.received),
                fmt_int(r.complaints),
                fmt_int(r.resolved_on_time),
            ]
            for i, r in enumerate(reports, start=1)
        ]
        total = [
            "Cộng",
            "",
            "",
            "",
            fmt_int(sum(r.received for r in reports)),
            fmt_int(sum(r.complaints for r in reports)),
            fmt_int(sum(r.resolved_on_time for r in reports)),
        ]
        self.table(
            [
                "TT",
                "Đơn vị",
                "Số, ký hiệu",
                "Ngày ban hành",
                "Ý kiến tiếp nhận",
                "Khiếu nại",
                "Giải quyết đúng hạn",
            ],
            rows,
            (1.0, 3.8, 3.0, 2.4, 2.1, 2.0, 2.2),
            numeric_from=4,
            total=total,
            caption="Số liệu báo cáo của các đơn vị trực thuộc",
        )
        proposing = [r for r in reports if r.proposals.strip()]
        if proposing:
            self.text("Đề xuất, kiến nghị của các đơn vị:")
            for r in proposing:
                paragraph = self.doc.add_paragraph()
                _write(paragraph, f"- {r.unit}: ", bold=True)
                _write(paragraph, " ".join(r.proposals.split()))

    def closing(self) -> None:
        self.heading("Đánh giá chung")
        self.officer_text(self.spec.assessment, "(Nội dung đánh giá chung.)")
        self.heading("Đề xuất, kiến nghị")
        self.officer_text(self.spec.proposals, "(Nội dung đề xuất, kiến nghị.)")
        title = " ".join(self.spec.title.split())
        title = title[:1].lower() + title[1:] if title else "tình hình nhân dân"
        self.text(f"Trên đây là báo cáo {title}./.").paragraph_format.keep_with_next = True

    # Signature and recipients ----------------------------------------------------------------

    def signature(self) -> None:
        spec = self.spec
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _fixed_widths(table, (8.0, 8.5))
        _keep_row_together(table)
        left, right = table.rows[0].cells
        # Recipients, bottom left.
        heading = _plain(left.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
        if self.party:
            _write(heading, "Nơi nhận:", 14, underline=True)
            size = 12.0
        else:
            _write(heading, "Nơi nhận:", 12, bold=True, italic=True)
            size = 11.0
        recipients = [" ".join(r.split()).lstrip("-– ").rstrip(";.,") for r in spec.recipients]
        recipients = [r for r in recipients if r]
        keeps_file = [r for r in recipients if r.lower().startswith("lưu")]
        recipients = [r for r in recipients if not r.lower().startswith("lưu")]
        for recipient in recipients:
            _write(_plain(left.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT), f"- {recipient};", size)
        last = keeps_file[0] if keeps_file else "Lưu: VT"
        _write(_plain(left.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT), f"- {last}.", size)
        # Signer, bottom right.
        prefixes = _PREFIXES[ReportFormat.PARTY if self.party else ReportFormat.STATE]
        prefix = prefixes.get(spec.signer_prefix, "")
        authority = _upper(spec.signer_authority)
        position = _upper(spec.signer_position)
        lines: list[str] = []
        if prefix and authority:
            lines.append(f"{prefix} {authority}")
        elif authority and not position:
            lines.append(authority)
        if position:
            lines.append(position)
        first = True
        for line in lines or [""]:
            paragraph = (
                _plain(right.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
                if first
                else _plain(right.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
            )
            first = False
            _write(paragraph, line, 14, bold=True)
        for _ in range(4):  # room for the signature and the seal
            _plain(right.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        name = " ".join(spec.signer_name.split())
        _write(_plain(right.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER), name, 14, bold=True)

    def build(self) -> bytes:
        self.setup()
        self.heading_block()
        self.title_block()
        self.general()
        self.concerns()
        self.hot_spots()
        self.cases()
        self.voters()
        self.models()
        self.children()
        self.closing()
        self.signature()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def render_report(document: ReportDocument) -> bytes:
    """The report as the bytes of a .docx file."""
    return DocumentWriter(document).build()
