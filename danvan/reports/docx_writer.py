"""The writer of an official document in the Party or state format (see
``shared/domain/legal-rules.md``).

State documents follow Decree 30/2020/NĐ-CP (Appendix I), Party documents Guidance 36-HD/VPTW: A4,
margins 20/20/30/15 mm, Times New Roman, body 14 pt justified, the header block as a borderless
two-column table (issuing body on the left; the national motto or "ĐẢNG CỘNG SẢN VIỆT NAM", the
place and the date on the right), page numbers from page 2, the signer at the bottom right and the
recipients (Nơi nhận) at the bottom left. The document is Vietnamese by law, whatever the reader's
language. ``DocumentWriter`` writes that frame; a kind of document writes its ``body``
(``reports.render`` the report, ``decisions.render`` a decision or conclusion).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from danvan.reports import charts
from danvan.reports.docx_format import (
    BODY_SIZE,
    FONT,
    ROMAN,
    SIGNER_PREFIXES,
    TEXT_WIDTH_CM,
    all_borders,
    cell_text,
    fixed_widths,
    keep_row_together,
    no_borders,
    no_cell_margins,
    page_field,
    plain,
    repeat_header,
    rule,
    text_width_cm,
    write,
)
from danvan.reports.issuer import upper
from danvan.reports.models import ReportFormat
from danvan.reports.numbering import DOCUMENT_TYPE_CODE, number_line
from danvan.reports.snapshot import Snapshot
from danvan.reports.wording import date_words

__all__ = ["DocumentWriter", "ReportDocument"]


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
        plain(header_paragraph, WD_ALIGN_PARAGRAPH.CENTER)
        page_field(header_paragraph)
        first = section.first_page_header.paragraphs[0]
        plain(first, WD_ALIGN_PARAGRAPH.CENTER)

    def heading_block(self) -> None:
        spec = self.spec
        if spec.draft:
            paragraph = plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.RIGHT, after=2)
            write(paragraph, "DỰ THẢO", 13, bold=True)
        widths = (7.8, 8.7) if self.party else (6.3, 10.2)
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        no_borders(table)
        no_cell_margins(table)
        fixed_widths(table, widths)
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
            year = (self.spec.date or timezone.localdate()).year
            words = f"ngày     tháng     năm {year}"
        return f"{place}, {words}" if place else words

    def _state_left(self, cell: _Cell, width: float, number: str) -> None:
        first = plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        if self.spec.superior:
            write(first, upper(self.spec.superior), 13)
            issuer_paragraph = plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        else:
            issuer_paragraph = first
        issuer = upper(self.spec.issuer)
        write(issuer_paragraph, issuer, 13, bold=True)
        longest_line = min(width, text_width_cm(issuer, 13, bold=True))
        rule(cell, max(1.5, min(longest_line, width) / 2.5), width)
        number_paragraph = plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        number_paragraph.paragraph_format.space_before = Pt(6)
        write(number_paragraph, number, 13)

    def _state_right(self, cell: _Cell, width: float) -> None:
        motto = plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        write(motto, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
        slogan_text = "Độc lập - Tự do - Hạnh phúc"
        slogan = plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        write(slogan, slogan_text, 14, bold=True)
        rule(cell, 6.2, width)
        dateline = plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        dateline.paragraph_format.space_before = Pt(6)
        write(dateline, self._dateline(), 14, italic=True)

    def _party_left(self, cell: _Cell, width: float, number: str) -> None:
        first = plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        if self.spec.superior:
            write(first, upper(self.spec.superior), 14)
            issuer_paragraph = plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        else:
            issuer_paragraph = first
        write(issuer_paragraph, upper(self.spec.issuer), 14, bold=True)
        write(plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER), "*", 14)
        write(plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER), number, 14)

    def _party_right(self, cell: _Cell, width: float) -> None:
        title = plain(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        write(title, "ĐẢNG CỘNG SẢN VIỆT NAM", 15, bold=True)
        rule(cell, 8.2, width)
        dateline = plain(cell.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        dateline.paragraph_format.space_before = Pt(10)
        write(dateline, self._dateline(), 14, italic=True)

    def title_block(self) -> None:
        kind = plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        kind.paragraph_format.space_before = Pt(18)
        write(kind, self.kind_word, 16 if self.party else 14, bold=True)
        summary = plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        write(summary, " ".join(self.spec.title.split()), 14, bold=True)
        if self.party:
            dashes = plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER, after=12)
            write(dashes, "-----", 14)
        else:
            rule(self.doc, 3.5, TEXT_WIDTH_CM).paragraph_format.space_after = Pt(12)

    # Running text ----------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        numeral = ROMAN[self.section_index] if self.section_index < len(ROMAN) else "?"
        self.section_index += 1
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
        write(paragraph, f"{numeral}. {text.upper()}", bold=True)

    def subheading(self, text: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        write(paragraph, text, bold=True)

    def text(self, text: str, *, italic: bool = False) -> Paragraph:
        return write(self.doc.add_paragraph(), text, italic=italic)

    def officer_text(self, text: str, placeholder: str) -> None:
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n", text or "")]
        paragraphs = [p for p in paragraphs if p]
        if not paragraphs:
            self.text(placeholder, italic=True)
            return
        for paragraph in paragraphs:
            self.text(paragraph)

    def caption(self, text: str, *, before: bool = True) -> None:
        paragraph = plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER, after=6)
        paragraph.paragraph_format.keep_with_next = before
        write(paragraph, text, 13, italic=True)

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
        all_borders(table)
        fixed_widths(table, widths_cm)
        repeat_header(table)
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell_text(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
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
                cell_text(cell, value, bold=is_total, align=align)
        if total:
            row = table.rows[-1]
            merged = row.cells[0].merge(row.cells[1])
            for paragraph in merged.paragraphs[1:]:
                paragraph._p.getparent().remove(paragraph._p)
            merged.paragraphs[0].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # a little air after a table
        plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT, after=6)
        return table

    def picture(self, png: bytes | None, caption: str) -> None:
        if png is None:
            return
        self.figure_index += 1
        paragraph = plain(self.doc.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER, after=2)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(charts.CHART_WIDTH_CM))
        self.caption(f"Hình {self.figure_index}. {caption}", before=False)

    # Signature and recipients ----------------------------------------------------------------

    def signature(self) -> None:
        spec = self.spec
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        no_borders(table)
        fixed_widths(table, (8.0, 8.5))
        keep_row_together(table)
        left, right = table.rows[0].cells
        # Recipients, bottom left.
        heading = plain(left.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
        if self.party:
            write(heading, "Nơi nhận:", 14, underline=True)
            size = 12.0
        else:
            write(heading, "Nơi nhận:", 12, bold=True, italic=True)
            size = 11.0
        recipients = [" ".join(r.split()).lstrip("-– ").rstrip(";.,") for r in spec.recipients]
        recipients = [r for r in recipients if r]
        keeps_file = [r for r in recipients if r.lower().startswith("lưu")]
        recipients = [r for r in recipients if not r.lower().startswith("lưu")]
        for recipient in recipients:
            write(plain(left.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT), f"- {recipient};", size)
        last = keeps_file[0] if keeps_file else "Lưu: VT"
        write(plain(left.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT), f"- {last}.", size)
        # Signer, bottom right.
        prefixes = SIGNER_PREFIXES[ReportFormat.PARTY if self.party else ReportFormat.STATE]
        prefix = prefixes.get(spec.signer_prefix, "")
        authority = upper(spec.signer_authority)
        position = upper(spec.signer_position)
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
                plain(right.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
                if first
                else plain(right.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
            )
            first = False
            write(paragraph, line, 14, bold=True)
        for _ in range(4):  # room for the signature and the seal
            plain(right.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER)
        name = " ".join(spec.signer_name.split())
        write(plain(right.add_paragraph(), WD_ALIGN_PARAGRAPH.CENTER), name, 14, bold=True)

    def body(self) -> None:
        """What the kind of document says between its title and its signature."""
        raise NotImplementedError

    def build(self) -> bytes:
        self.setup()
        self.heading_block()
        self.title_block()
        self.body()
        self.signature()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()
