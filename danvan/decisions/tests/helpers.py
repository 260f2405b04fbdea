"""Building a decision through the services, as the pages do."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

from danvan.audit.context import Actor
from danvan.decisions.models import Decision, DecisionKind
from danvan.decisions.services import decision_draft, decision_edit, decision_issue, decision_submit
from danvan.voices.models import Voice

COMPLAINT_TEXTS = {
    "respondent": "Chủ tịch UBND xã Anh Sơn (Quyết định thu hồi đất số 05/QĐ-UBND)",
    "verification": "Kết quả xác minh: diện tích thu hồi 320 m², đã bồi thường 250 m².",
    "dialogue": "Ngày 10/12/2025 đã tổ chức đối thoại với người khiếu nại.",
    "conclusion": "Khiếu nại đúng một phần.",
    "outcome": "Sửa đổi Quyết định số 05/QĐ-UBND: bồi thường bổ sung 70 m² đất.",
    "specific_issues": "Giao Phòng Kinh tế lập phương án bồi thường bổ sung.",
    "compensation": "Bồi thường bổ sung 70 m² theo giá đất năm 2025.",
    "signer_name": "Trần Văn Bình",
}

CONCLUSION_TEXTS = {
    "respondent": "Ông Lê Văn Cường, cán bộ địa chính xã Anh Sơn",
    "content": "Tố cáo cán bộ địa chính xã nhận tiền để làm sổ đỏ nhanh.",
    "verification": "Đã làm việc với 12 hộ dân; 3 hộ xác nhận đã đưa tiền.",
    "conclusion": "Nội dung tố cáo là đúng một phần.",
    "violations": "Ông Lê Văn Cường vi phạm quy định về đạo đức công vụ.",
    "measures": "Kỷ luật khiển trách ông Lê Văn Cường.",
    "recommendations": "Kiến nghị Thanh tra tỉnh kiểm tra quy trình cấp giấy chứng nhận.",
    "signer_name": "Trần Văn Bình",
}


def drafted(voice: Voice, officer: Any, **overrides: Any) -> Decision:
    actor = Actor.of_user(officer)
    decision = decision_draft(actor=actor, voice=voice)
    texts = COMPLAINT_TEXTS if decision.kind == DecisionKind.COMPLAINT else CONCLUSION_TEXTS
    return decision_edit(
        actor=actor,
        decision=decision,
        expected_version=decision.version,
        **{**texts, **overrides},
    )


def issued(
    voice: Voice, officer: Any, head: Any, *, on: datetime.date, **overrides: Any
) -> Decision:
    decision = drafted(voice, officer, **overrides)
    decision = decision_submit(
        actor=Actor.of_user(officer), decision=decision, expected_version=decision.version
    )
    return decision_issue(
        actor=Actor.of_user(head),
        decision=decision,
        expected_version=decision.version,
        issued_on=on,
    )


def docx_text(content: bytes) -> str:
    """Every paragraph of the body and its tables, in order."""
    from docx import Document

    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def docx_raw(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
