"""The page, fonts, paragraphs and tables of an official document in python-docx: Times New
Roman, body 14 pt, tables 12 pt, a text width of 16.5 cm on A4; the Word XML python-docx does not
offer (borders, cell margins, repeated header rows, the page number field) written in the order
the schema requires."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from danvan.reports.models import ReportFormat, SignerPrefix

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

FONT = "Times New Roman"
BODY_SIZE = 14
TABLE_SIZE = 12
TEXT_WIDTH_CM = 16.5  # A4 (210 mm) less 30 mm left and 15 mm right

SIGNER_PREFIXES: dict[str, dict[str, str]] = {
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

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


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


def plain(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH, after: float = 0) -> Paragraph:
    """A paragraph outside the running text: no first-line indent, no spacing before."""
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Cm(0)
    fmt.left_indent = Cm(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    fmt.keep_together = True
    return paragraph


def write(
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


def rule(container: _Cell | DocumentObject, length_cm: float, width_cm: float) -> Paragraph:
    """A short horizontal line, centered: an empty paragraph with a bottom border, indented so
    that it is ``length_cm`` long in a space ``width_cm`` wide."""
    paragraph = plain(container.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
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


def text_width_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """A rough width of a line of Times capitals, to size the line under it."""
    per_char = 0.62 if bold else 0.58
    return len(text) * size_pt * per_char * 2.54 / 72


def page_field(paragraph: Paragraph) -> None:
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


def no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    _set_table_property(table, borders, _AFTER_TBL_BORDERS)


def all_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
        borders.append(edge)
    _set_table_property(table, borders, _AFTER_TBL_BORDERS)


def no_cell_margins(table: Table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    _set_table_property(table, margins, _AFTER_TBL_CELL_MAR)


def keep_row_together(table: Table) -> None:
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def fixed_widths(table: Table, widths_cm: Sequence[float]) -> None:
    table.autofit = False  # w:tblLayout w:type="fixed"
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)


def repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def cell_text(
    cell: _Cell,
    text: str,
    *,
    size: float = TABLE_SIZE,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
) -> None:
    paragraph = cell.paragraphs[0]
    plain(paragraph, align)
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    write(paragraph, text, size, bold=bold, italic=italic)
