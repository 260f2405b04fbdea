"""A decision on a complaint or a conclusion on a denunciation as a DOCX in the state or Party
format, written by the reports' ``docx_writer.DocumentWriter`` (page, header block with the number and the
dateline, title, signature, recipients: Decree 30/2020/NĐ-CP, Guidance 36-HD/VPTW).

The contents are the ones the law lists: Law on Complaints 2011 Art. 31 (a first decision; Art. 40
for a second one) and Law on Denunciations 2018 Art. 35. The document is Vietnamese whatever the
reader's language, and a conclusion never names the denouncer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from danvan.reports.docx_writer import DocumentWriter, ReportDocument
from danvan.reports.snapshot import Count, PeriodInfo, Snapshot
from danvan.reports.wording import date_words

__all__ = ["DecisionDocument", "render_decision"]


@dataclass
class DecisionDocument:
    kind: str  # DecisionKind value
    second_time: bool  # a second complaint (Art. 40)
    format: str  # ReportFormat value
    superior: str
    issuer: str
    body_code: str
    type_code: str  # "QĐ" / "KL"
    number: int | None
    place: str
    date: datetime.date | None
    title: str
    decider: str
    complainant: str  # "Nguyễn Văn An, Xóm 1, xã Anh Sơn"; "" for a conclusion
    received_on: datetime.date
    respondent: str
    content: str
    verification: str
    dialogue: str
    legal_grounds: str
    conclusion: str
    outcome: str
    specific_issues: str
    compensation: str
    violations: str
    measures: str
    recommendations: str
    signer_prefix: str
    signer_authority: str
    signer_position: str
    signer_name: str
    recipients: list[str] = field(default_factory=list)
    draft: bool = True


def _no_figures() -> Snapshot:
    # The writer carries a report's figures; a decision has none.
    return Snapshot(
        unit_code="",
        unit_name="",
        unit_tier="",
        period=PeriodInfo("", "", "", "", "", "", "", "", ""),
        generated_at="",
        total=Count(key="", label=""),
    )


class _DecisionWriter(DocumentWriter):
    def __init__(self, document: DecisionDocument) -> None:
        super().__init__(
            ReportDocument(
                format=document.format,
                superior=document.superior,
                issuer=document.issuer,
                body_code=document.body_code,
                number=document.number,
                place=document.place,
                date=document.date,
                title=document.title,
                snapshot=_no_figures(),
                assessment="",
                proposals="",
                signer_prefix=document.signer_prefix,
                signer_authority=document.signer_authority,
                signer_position=document.signer_position,
                signer_name=document.signer_name,
                recipients=document.recipients,
                draft=document.draft,
                type_code=document.type_code,
            )
        )
        self.decision = document
        self.is_complaint = document.kind == "complaint"
        self.kind_word = "QUYẾT ĐỊNH" if self.is_complaint else "KẾT LUẬN"

    def centered(self, text: str, *, bold: bool = True, before: float = 6) -> None:
        paragraph = self.doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.first_line_indent = Pt(0)
        fmt.space_before = Pt(before)
        fmt.keep_with_next = True
        paragraph.add_run(text).bold = bold

    def section(self, heading: str, text: str, placeholder: str) -> None:
        self.heading(heading)
        self.officer_text(text, placeholder)

    def article(self, number: int, text: str) -> None:
        lines = [" ".join(line.split()) for line in text.splitlines()]
        lines = [line for line in lines if line]
        paragraph = self.doc.add_paragraph()
        paragraph.add_run(f"Điều {number}. ").bold = True
        paragraph.add_run(lines[0] if lines else "")
        for line in lines[1:]:
            self.text(line)

    def complaint_body(self) -> None:
        d = self.decision
        self.centered(" ".join(d.decider.split()).upper())
        self.officer_text(d.legal_grounds, "Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;")
        self.text(
            f"Xét đơn khiếu nại {date_words(d.received_on)} của {d.complainant or '…'}"
            f"{f', khiếu nại {d.respondent}' if d.respondent.strip() else ''}."
        )
        self.section("Nội dung khiếu nại", d.content, "(Nội dung khiếu nại.)")
        self.section("Kết quả xác minh nội dung khiếu nại", d.verification, "(Kết quả xác minh.)")
        if d.dialogue.strip():
            self.section("Kết quả đối thoại", d.dialogue, "")
        self.section("Kết luận", d.conclusion, "(Kết luận nội dung khiếu nại.)")
        self.text("Từ những nhận định và căn cứ trên,")
        self.centered("QUYẾT ĐỊNH:")
        self.article(1, d.outcome or "(Giữ nguyên, sửa đổi, bổ sung hoặc hủy bỏ quyết định.)")
        n = 2
        if d.specific_issues.strip():
            self.article(n, d.specific_issues)
            n += 1
        if d.compensation.strip():
            self.article(n, d.compensation)
            n += 1
        if d.second_time:
            rights = (
                "Trong thời hạn theo quy định của Luật Tố tụng hành chính, nếu không đồng ý "
                "với quyết định này, người khiếu nại có quyền khởi kiện vụ án hành chính tại "
                "Tòa án."
            )
        else:
            rights = (
                "Trong thời hạn 30 ngày (vùng sâu, vùng xa đi lại khó khăn: 45 ngày) kể từ ngày "
                "nhận được quyết định này, nếu không đồng ý, người khiếu nại có quyền khiếu nại "
                "đến người có thẩm quyền giải quyết khiếu nại lần hai hoặc khởi kiện vụ án hành "
                "chính tại Tòa án theo quy định của Luật Tố tụng hành chính."
            )
        self.article(n, rights)
        self.article(
            n + 1,
            "Quyết định này có hiệu lực kể từ ngày ký. Người khiếu nại, người bị khiếu nại và "
            "các cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành quyết định này./.",
        )

    def denunciation_body(self) -> None:
        d = self.decision
        self.text(
            f"Ngày {d.received_on.strftime('%d/%m/%Y')}, {d.decider.strip() or '…'} đã nhận "
            f"được đơn tố cáo đối với {d.respondent.strip() or '…'}. Căn cứ kết quả xác minh "
            "nội dung tố cáo, kết luận như sau:"
        )
        self.officer_text(d.legal_grounds, "Căn cứ Luật Tố cáo ngày 12 tháng 6 năm 2018;")
        self.section("Nội dung tố cáo", d.content, "(Nội dung tố cáo.)")
        self.section("Kết quả xác minh nội dung tố cáo", d.verification, "(Kết quả xác minh.)")
        self.section(
            "Kết luận nội dung tố cáo",
            d.conclusion,
            "(Nội dung tố cáo là đúng, đúng một phần hay tố cáo sai.)",
        )
        self.section(
            "Vi phạm và trách nhiệm của người bị tố cáo, cơ quan, tổ chức, cá nhân có liên quan",
            d.violations,
            "(Không có.)",
        )
        self.section("Biện pháp xử lý theo thẩm quyền", d.measures, "(Không có.)")
        self.section("Kiến nghị", d.recommendations, "(Không có.)")
        self.text("Trên đây là kết luận nội dung tố cáo./.")

    def body(self) -> None:
        if self.is_complaint:
            self.complaint_body()
        else:
            self.denunciation_body()


def render_decision(document: DecisionDocument) -> bytes:
    """The decision or conclusion as the bytes of a .docx file."""
    return _DecisionWriter(document).build()
