"""One issued decision in the demo province: the oldest open first complaint of a commune whose
People's Committee has a symbol, drafted, submitted and issued through the real services, so the
case page shows its Decision panel and the citizen's tracking page its public content. Run again,
it adds nothing."""

from __future__ import annotations

from django.utils import timezone

from danvan.audit.context import Actor
from danvan.deadlines.models import VoiceKind
from danvan.decisions.models import Decision
from danvan.decisions.services import (
    competent_bodies,
    decision_draft,
    decision_edit,
    decision_issue,
    decision_submit,
)
from danvan.organizations.models import BodyKind
from danvan.voices.models import Voice, VoiceStatus

TEXTS = {
    "respondent": "Chủ tịch Ủy ban nhân dân xã (quyết định, hành vi hành chính bị khiếu nại)",
    "verification": "Đoàn xác minh đã làm việc với người khiếu nại, kiểm tra hồ sơ và hiện trạng; "
    "việc bồi thường, hỗ trợ đã thực hiện nhưng chưa tính phần diện tích đo đạc bổ sung.",
    "dialogue": "Đã tổ chức đối thoại với người khiếu nại; các bên thống nhất kết quả đo đạc lại.",
    "conclusion": "Khiếu nại đúng một phần.",
    "outcome": "Sửa đổi, bổ sung quyết định bị khiếu nại: bồi thường bổ sung phần diện tích "
    "đo đạc lại theo quy định.",
    "specific_issues": "Giao bộ phận chuyên môn lập phương án bồi thường bổ sung trong 15 ngày.",
    "signer_name": "Nguyễn Văn Hùng",
}


def seed_decisions(actor: Actor, lines: list[str]) -> None:
    if Decision.objects.exists():
        lines.append("decisions: already there")
        return
    candidates = Voice.objects.filter(
        kind=VoiceKind.COMPLAINT_FIRST,
        status__in=(VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    ).order_by("received_on", "id")
    for voice in candidates[:200]:
        bodies = [
            b
            for b in competent_bodies(voice)
            if b.kind == BodyKind.PEOPLES_COMMITTEE and b.unit.tier == "commune"
        ]
        if bodies:
            break
    else:
        lines.append("decisions: no open complaint in a commune with a People's Committee")
        return
    decision = decision_draft(actor=actor, voice=voice, body=bodies[0])
    decision = decision_edit(
        actor=actor, decision=decision, expected_version=decision.version, **TEXTS
    )
    decision = decision_submit(actor=actor, decision=decision, expected_version=decision.version)
    decision = decision_issue(
        actor=actor,
        decision=decision,
        expected_version=decision.version,
        issued_on=max(timezone.localdate(), voice.received_on),
    )
    lines.append(f"decisions: {decision.symbol} issued on case {voice.tracking_code}")
