"""What a decision or conclusion says, apart from its path.

The fields the officer writes (``COMMON_FIELDS`` and those of each kind: a conclusion has none
for the denouncer), what a new draft says before they write (``draft_texts``), whether a text
names the denouncer (``identity_in_text``), the document as a DOCX (``render_document``, through
``decisions.render``) and what the citizen reads once it is issued (``decision_public_text``).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation

from danvan.deadlines.models import VoiceKind
from danvan.decisions.models import Decision, DecisionKind
from danvan.decisions.render import DecisionDocument, render_decision
from danvan.lib.text import fold
from danvan.organizations.models import Body, BodyKind
from danvan.reports.issuer import default_format, issuing_body_lines, place_of
from danvan.reports.models import SignerPrefix
from danvan.voices.models import DenouncerIdentity, Voice

__all__ = [
    "COMMON_FIELDS",
    "COMPLAINT_FIELDS",
    "DENUNCIATION_FIELDS",
    "EDITABLE_FIELDS",
    "decision_public_text",
    "draft_texts",
    "identity_in_text",
    "render_document",
]

#: What the officer writes on a draft. A conclusion has no field for the denouncer.
COMMON_FIELDS = (
    "title",
    "decider",
    "respondent",
    "content",
    "verification",
    "legal_grounds",
    "conclusion",
    "place",
    "signer_prefix",
    "signer_authority",
    "signer_position",
    "signer_name",
    "recipients",
)
COMPLAINT_FIELDS = (
    "complainant_name",
    "complainant_address",
    "dialogue",
    "outcome",
    "specific_issues",
    "compensation",
)
DENUNCIATION_FIELDS = ("violations", "measures", "recommendations")
EDITABLE_FIELDS = COMMON_FIELDS + COMPLAINT_FIELDS + DENUNCIATION_FIELDS


def draft_texts(voice: Voice, body: Body, kind: str) -> dict[str, Any]:
    """What a new draft says before the officer writes: the decider, the case's content, the
    dateline's place, the signer, and for its kind the title, the legal grounds and the usual
    recipients. A conclusion takes nothing of the denouncer's identity."""
    is_committee = body.kind == BodyKind.PEOPLES_COMMITTEE
    decider = f"Chủ tịch {body.name}" if is_committee else body.name
    values: dict[str, Any] = {
        "decider": decider.upper(),
        "content": voice.text,
        "place": place_of(body.unit),
        "signer_prefix": SignerPrefix.NONE,
        "signer_authority": "",
        "signer_position": "CHỦ TỊCH" if is_committee else "THỦ TRƯỞNG",
        "recipients": "",
    }
    if kind == DecisionKind.COMPLAINT:
        second = voice.kind == VoiceKind.COMPLAINT_SECOND
        values.update(
            title=(
                f"Về việc giải quyết khiếu nại của {voice.submitter_name or '…'} "
                f"({'lần hai' if second else 'lần đầu'})"
            ),
            complainant_name=voice.submitter_name,
            complainant_address=voice.submitter_address,
            legal_grounds="Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;\n"
            "Căn cứ Nghị định số 124/2020/NĐ-CP ngày 19 tháng 10 năm 2020 của Chính phủ quy "
            "định chi tiết một số điều và biện pháp thi hành Luật Khiếu nại;",
            recipients="Người khiếu nại;\nNgười bị khiếu nại;\nLưu: VT, hồ sơ",
        )
    else:
        values.update(
            title="Nội dung tố cáo",
            legal_grounds="Căn cứ Luật Tố cáo ngày 12 tháng 6 năm 2018;\n"
            "Căn cứ Nghị định số 31/2019/NĐ-CP ngày 10 tháng 4 năm 2019 của Chính phủ quy định "
            "chi tiết một số điều và biện pháp tổ chức thi hành Luật Tố cáo;",
            recipients="Người bị tố cáo;\nCơ quan quản lý người bị tố cáo;\nLưu: VT, hồ sơ",
        )
    return values


def identity_in_text(decision: Decision) -> bool:
    """Whether a conclusion's text names the denouncer (their name, contact, address or ID)."""
    identity = DenouncerIdentity.objects.filter(voice_id=decision.voice_id).first()
    if identity is None:
        return False
    text = fold(" | ".join(str(getattr(decision, f) or "") for f in EDITABLE_FIELDS))
    # "0977 123 456", "0977.123.456": the digits of one number, whatever separates them.
    digits = re.sub(r"(?<=\d)[\s.\-]+(?=\d)", "", text)
    for value in (identity.name, identity.address):
        folded = fold(value or "")
        if len(folded) >= 4 and folded in text:
            return True
    for value in (identity.contact, identity.id_number):
        value = value or ""
        number = re.sub(r"\D", "", value)
        if len(number) >= 6 and number in digits:
            return True
        if "@" in value and fold(value) in text:
            return True
    return False


def render_document(decision: Decision, *, draft: bool) -> bytes:
    """The decision as a DOCX: the issued file, or what the draft would look like now."""
    superior, issuer = issuing_body_lines(decision.body)
    voice = decision.voice
    is_complaint = decision.kind == DecisionKind.COMPLAINT
    complainant = ", ".join(
        part
        for part in (decision.complainant_name.strip(), decision.complainant_address.strip())
        if part
    )
    with translation.override("vi"):
        return render_decision(
            DecisionDocument(
                kind=decision.kind,
                second_time=voice.kind == VoiceKind.COMPLAINT_SECOND,
                format=default_format(decision.body),
                superior=superior,
                issuer=issuer,
                body_code=decision.body.short_name,
                type_code=decision.type_code,
                number=None if draft else decision.number,
                place=decision.place,
                date=None if draft else decision.issued_on,
                title=decision.title,
                decider=decision.decider,
                complainant=complainant if is_complaint else "",
                received_on=voice.received_on,
                respondent=decision.respondent,
                content=decision.content,
                verification=decision.verification,
                dialogue=decision.dialogue if is_complaint else "",
                legal_grounds=decision.legal_grounds,
                conclusion=decision.conclusion,
                outcome=decision.outcome if is_complaint else "",
                specific_issues=decision.specific_issues if is_complaint else "",
                compensation=decision.compensation if is_complaint else "",
                violations=decision.violations if not is_complaint else "",
                measures=decision.measures if not is_complaint else "",
                recommendations=decision.recommendations if not is_complaint else "",
                signer_prefix=decision.signer_prefix,
                signer_authority=decision.signer_authority,
                signer_position=decision.signer_position,
                signer_name=decision.signer_name,
                recipients=[line for line in decision.recipients.splitlines() if line.strip()],
                draft=draft,
            )
        )


def decision_public_text(decision: Decision) -> str:
    """What the citizen reads on the tracking page: the document's number, date and decisive
    parts. No party's name or address, never the denouncer's."""
    when = decision.issued_on.strftime("%d/%m/%Y") if decision.issued_on else ""
    if decision.kind == DecisionKind.COMPLAINT:
        head = f"Quyết định giải quyết khiếu nại số {decision.symbol} ngày {when}"
        parts = [
            ("Kết luận", decision.conclusion),
            ("Quyết định", decision.outcome),
            ("Giải quyết các vấn đề cụ thể", decision.specific_issues),
            ("Bồi thường", decision.compensation),
        ]
    else:
        head = f"Kết luận nội dung tố cáo số {decision.symbol} ngày {when}"
        parts = [
            ("Kết luận", decision.conclusion),
            ("Biện pháp xử lý", decision.measures),
            ("Kiến nghị", decision.recommendations),
        ]
    lines = [f"{head} của {decision.body.name}."]
    lines += [f"{label}: {' '.join(text.split())}" for label, text in parts if text.strip()]
    if decision.kind == DecisionKind.COMPLAINT and decision.voice.kind == VoiceKind.COMPLAINT_FIRST:
        lines.append(
            "Nếu không đồng ý, người khiếu nại có quyền khiếu nại lần hai hoặc khởi kiện vụ án "
            "hành chính tại Tòa án (Luật Khiếu nại, Điều 33)."
        )
    elif decision.kind == DecisionKind.COMPLAINT:
        lines.append(
            "Nếu không đồng ý, người khiếu nại có quyền khởi kiện vụ án hành chính tại Tòa án."
        )
    return "\n".join(lines)
