"""The synthesis report as a DOCX in the official formats (see ``shared/domain/legal-rules.md``).

``ReportWriter`` writes the report's sections in the frame ``docx_writer.DocumentWriter`` draws
(header block, title, signature, recipients).

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

from danvan.reports import charts
from danvan.reports.docx_format import write
from danvan.reports.docx_writer import DocumentWriter, ReportDocument
from danvan.reports.snapshot import ChildReport, Count
from danvan.reports.wording import change_cell, compare, fmt_int, fmt_percent, iso_to_text, share

__all__ = ["ReportDocument", "ReportWriter", "render_report"]


class ReportWriter(DocumentWriter):
    """The report's sections: the general situation, the concerns, the hot spots, the cases, the
    voters' recommendations, the models, the units below and the officer's texts."""

    # Sections --------------------------------------------------------------------------------

    def count_table(self, counts: list[Count], label_header: str, caption: str) -> None:
        whole = sum(c.n for c in counts)
        rows = [
            [
                str(i),
                c.label,
                fmt_int(c.n),
                share(c.n, whole),
                fmt_int(c.previous),
                change_cell(c.n, c.previous),
                fmt_int(c.last_year),
                change_cell(c.n, c.last_year),
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
            change_cell(sum_n, sum_prev),
            fmt_int(sum_year),
            change_cell(sum_n, sum_year),
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
                f"(đạt {share(s.answered, total.n)}%), trong đó {fmt_int(s.answered_on_time)} "
                f"ý kiến được trả lời đúng hạn ({share(s.answered_on_time, total.n)}%)"
            )
            if s.average_days is not None:
                answered += f"; thời gian trả lời bình quân {fmt_percent(s.average_days)} ngày"
            answered += f"; còn {fmt_int(s.overdue)} ý kiến quá hạn chưa được trả lời."
            self.text(answered)
        channels = [c for c in s.by_channel if c.n]
        if channels:
            parts = ", ".join(
                f"{c.label} {fmt_int(c.n)} ý kiến ({share(c.n, total.n)}%)" for c in channels
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
                    f"{c.label.lower()} ({fmt_int(c.n)} ý kiến, {share(c.n, topics_total)}%)"
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
            write(paragraph, f"{i}. {c.title}", bold=True)
            write(
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
            write(paragraph, f"{i}. {h.rule_label} ({h.level_label.lower()})", bold=True)
            place = f" tại {h.unit}" if h.unit else ""
            topic = f", lĩnh vực {h.topic.lower()}" if h.topic else ""
            reason = h.reason.rstrip(". ")
            write(
                paragraph,
                f"{place}{topic}, phát hiện ngày {iso_to_text(h.raised_on)}: {reason}. "
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
        rate = share(c.resolved_on_time + d.resolved_on_time, c.resolved + d.resolved)
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
            f"{fmt_int(v.answered)} kiến nghị ({share(v.answered, v.received)}%), trong đó "
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
                iso_to_text(r.issued_on),
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
                write(paragraph, f"- {r.unit}: ", bold=True)
                write(paragraph, " ".join(r.proposals.split()))

    def closing(self) -> None:
        self.heading("Đánh giá chung")
        self.officer_text(self.spec.assessment, "(Nội dung đánh giá chung.)")
        self.heading("Đề xuất, kiến nghị")
        self.officer_text(self.spec.proposals, "(Nội dung đề xuất, kiến nghị.)")
        title = " ".join(self.spec.title.split())
        title = title[:1].lower() + title[1:] if title else "tình hình nhân dân"
        self.text(f"Trên đây là báo cáo {title}./.").paragraph_format.keep_with_next = True

    def body(self) -> None:
        self.general()
        self.concerns()
        self.hot_spots()
        self.cases()
        self.voters()
        self.models()
        self.children()
        self.closing()


def render_report(document: ReportDocument) -> bytes:
    """The report as the bytes of a .docx file."""
    return ReportWriter(document).build()
