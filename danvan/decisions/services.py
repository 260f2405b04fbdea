"""Writes of decisions and conclusions: drafting from the case, editing, submitting to the head,
returning, approving and issuing.

The path is draft → submitted → issued; the head returns a submitted one to draft with a note.
Drafting, editing and submitting need ``act`` on the case's unit; returning and issuing need
``approve`` on the competent body's unit (a leader: the head signs). On issue the document takes
the next number of its body's register for the year and type (``DecisionNumberSequence``, locked),
its date is fixed, its DOCX is rendered once and stored with its SHA-256, and the case is answered
and published with the document's public content (``voices.services_answer.case_decide``): a complaint
or denunciation is closed only after that. Every step checks the version the officer's page
showed (``StaleDecisionError``), writes a ``DecisionEvent`` and an audit row.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.models import VoiceKind
from danvan.decisions.models import (
    TYPE_CODES,
    Decision,
    DecisionAction,
    DecisionEvent,
    DecisionKind,
    DecisionNumberSequence,
    DecisionStatus,
)
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import fold
from danvan.notifications.models import NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body, BodyKind, Membership
from danvan.reports.models import ReportFormat, SignerPrefix
from danvan.reports.numbering import report_symbol
from danvan.voices.models import DenouncerIdentity, Voice, VoiceStatus
from danvan.voices.services_answer import case_decide, decided_since_reopening

__all__ = [
    "EDITABLE_FIELDS",
    "StaleDecisionError",
    "decision_document",
    "decision_draft",
    "decision_edit",
    "decision_issue",
    "decision_public_text",
    "decision_return",
    "decision_submit",
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

#: What must be written before the head is asked to sign (the contents the law lists).
REQUIRED = {
    DecisionKind.COMPLAINT: ("content", "verification", "legal_grounds", "conclusion", "outcome"),
    DecisionKind.DENUNCIATION: ("content", "verification", "legal_grounds", "conclusion"),
}

DECISION_KINDS = {
    VoiceKind.COMPLAINT_FIRST: DecisionKind.COMPLAINT,
    VoiceKind.COMPLAINT_SECOND: DecisionKind.COMPLAINT,
    VoiceKind.DENUNCIATION: DecisionKind.DENUNCIATION,
}

#: The case's statuses a decision is drafted in: accepted and not yet decided by a document (a
#: free-text answer already published is no decision).
DRAFTABLE_FROM = (
    VoiceStatus.ACCEPTED,
    VoiceStatus.ASSIGNED,
    VoiceStatus.ANSWERED,
    VoiceStatus.PUBLISHED,
)

_UNIT_PREFIXES = re.compile(r"^(tỉnh|thành phố|xã|phường|đặc khu|thôn|xóm|bản|tổ dân phố)\s+", re.I)


class StaleDecisionError(ValidationError):
    """The decision changed since the officer loaded it."""


def _may(actor: Actor, capability: Capability, unit: Any, message: str) -> None:
    if actor.user is not None and not can(actor.user, capability, unit):
        raise PermissionDenied(message)


def _audit(actor: Actor, decision: Decision, action: str, **changes: Any) -> None:
    audit_record(
        actor=actor,
        action=f"decision.{action}",
        obj=decision,
        unit=decision.voice.unit,
        changes=changes,
    )


def _event(
    actor: Actor, decision: Decision, action: str, *, from_status: str = "", note: str = ""
) -> None:
    DecisionEvent.objects.create(
        decision=decision,
        actor=actor.user,
        action=action,
        from_status=from_status,
        to_status=decision.status,
        note=note,
    )


def competent_bodies(voice: Voice) -> list[Body]:
    """The bodies that may decide: active, at the case's unit or above, with a document symbol."""
    units = [voice.unit, *voice.unit.ancestors()]
    return list(
        Body.objects.filter(unit__in=units, is_active=True)
        .exclude(short_name="")
        .select_related("unit", "parent")
        .order_by("-unit__path", "name")
    )


def _default_body(voice: Voice) -> Body | None:
    bodies = competent_bodies(voice)
    for preferred in (voice.assignee_id, voice.receiving_body_id):
        for body in bodies:
            if body.pk == preferred:
                return body
    committees = [b for b in bodies if b.kind == BodyKind.PEOPLES_COMMITTEE]
    candidates = committees or bodies
    return candidates[0] if candidates else None


def _place(body: Body) -> str:
    return _UNIT_PREFIXES.sub("", body.unit.name).strip() or body.unit.name


def _defaults(voice: Voice, body: Body, kind: str) -> dict[str, Any]:
    is_committee = body.kind == BodyKind.PEOPLES_COMMITTEE
    decider = f"Chủ tịch {body.name}" if is_committee else body.name
    values: dict[str, Any] = {
        "decider": decider.upper(),
        "content": voice.text,
        "place": _place(body),
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


@transaction.atomic
def decision_draft(*, actor: Actor, voice: Voice, body: Body | None = None) -> Decision:
    """Start the decision (complaint) or conclusion (denunciation) of a case, prefilled from it.
    A denunciation's conclusion takes nothing of the denouncer's identity."""
    _may(actor, Capability.ACT, voice.unit, _("You may not act on this case."))
    kind = DECISION_KINDS.get(VoiceKind(voice.kind)) if voice.kind in VoiceKind.values else None
    if kind is None:
        raise ValidationError(_("Only complaints and denunciations are answered by a decision."))
    if voice.status not in DRAFTABLE_FROM or decided_since_reopening(voice):
        raise ValidationError(
            _("A decision is drafted once the case is accepted and before it is decided.")
        )
    if Decision.objects.filter(voice=voice).exclude(status=DecisionStatus.ISSUED).exists():
        raise ValidationError(_("This case already has a decision in the making."))
    body = body or _default_body(voice)
    if body is None:
        raise ValidationError(
            _("No body at this unit or above has a document symbol to number the decision.")
        )
    if body.pk not in {b.pk for b in competent_bodies(voice)}:
        raise ValidationError(
            _("The deciding body must be active, at the case's unit or above, with a symbol.")
        )
    decision = Decision.objects.create(
        voice=voice, body=body, kind=kind, created_by=actor.user, **_defaults(voice, body, kind)
    )
    _event(actor, decision, DecisionAction.DRAFTED)
    _audit(actor, decision, "draft", voice=voice.pk, body=body.pk)
    return decision


def _locked(decision: Decision, expected_version: int) -> Decision:
    fresh = (
        Decision.objects.select_for_update()
        .select_related("voice__unit", "body__unit")
        .get(pk=decision.pk)
    )
    if fresh.version != expected_version:
        raise StaleDecisionError(
            _(
                "Someone changed this decision after you opened it (it is now “%(status)s”). "
                "Your changes were not saved: open it again and redo them."
            )
            % {"status": fresh.get_status_display()}
        )
    return fresh


@transaction.atomic
def decision_edit(
    *, actor: Actor, decision: Decision, expected_version: int, **values: Any
) -> Decision:
    _may(actor, Capability.ACT, decision.voice.unit, _("You may not act on this case."))
    decision = _locked(decision, expected_version)
    if not decision.is_editable:
        raise ValidationError(_("Only a draft can be changed."))
    allowed = COMMON_FIELDS + (
        COMPLAINT_FIELDS if decision.kind == DecisionKind.COMPLAINT else DENUNCIATION_FIELDS
    )
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(
            _("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if values.get("signer_prefix", "") not in SignerPrefix.values:
        raise ValidationError({"signer_prefix": _("Choose how the signer signs.")})
    changed = []
    for name, value in values.items():
        value = (value or "").strip() if isinstance(value, str) else value
        if getattr(decision, name) != value:
            setattr(decision, name, value)
            changed.append(name)
    if not decision.title:
        raise ValidationError({"title": _("Write the summary.")})
    decision.version += 1
    decision.save(update_fields=[*changed, "version", "updated_at"])
    _event(actor, decision, DecisionAction.EDITED)
    # Field names only: the texts may hold personal data.
    _audit(actor, decision, "edit", fields=changed)
    return decision


def _leaders(decision: Decision) -> list[Any]:
    """Who signs: the leaders of the competent body, else of the nearest unit at or above it."""
    in_body = [
        m.user
        for m in Membership.objects.active()
        .holding(Capability.APPROVE)
        .filter(body=decision.body)
        .select_related("user")
    ]
    if in_body:
        return in_body
    units = [decision.body.unit, *reversed(decision.body.unit.ancestors())]
    by_unit: dict[int, list[Any]] = {}
    for membership in (
        Membership.objects.active()
        .holding(Capability.APPROVE)
        .filter(body__unit__in=units)
        .select_related("user", "body")
    ):
        by_unit.setdefault(membership.body.unit_id, []).append(membership.user)
    return next((by_unit[unit.pk] for unit in units if unit.pk in by_unit), [])


def decision_link(decision: Decision) -> str:
    return reverse("decisions:detail", args=[decision.pk])


def _identity_in_text(decision: Decision) -> bool:
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


def _check_complete(decision: Decision) -> None:
    missing = {
        name: _("This is part of what the law requires the document to say.")
        for name in REQUIRED[DecisionKind(decision.kind)]
        if not str(getattr(decision, name) or "").strip()
    }
    if missing:
        raise ValidationError(missing)
    if decision.kind == DecisionKind.DENUNCIATION and _identity_in_text(decision):
        raise ValidationError(
            _(
                "The conclusion names the person who denounced (their name, contact, address or "
                "ID number). The law keeps it secret: remove it before going on."
            )
        )


@transaction.atomic
def decision_submit(*, actor: Actor, decision: Decision, expected_version: int) -> Decision:
    """Send the draft to the head of the body for approval."""
    _may(actor, Capability.ACT, decision.voice.unit, _("You may not act on this case."))
    decision = _locked(decision, expected_version)
    if decision.status != DecisionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    _check_complete(decision)
    before = decision.status
    decision.status = DecisionStatus.SUBMITTED
    decision.return_note = ""
    decision.version += 1
    decision.save(update_fields=["status", "return_note", "version", "updated_at"])
    _event(actor, decision, DecisionAction.SUBMITTED, from_status=before)
    _audit(actor, decision, "submit", status=[before, decision.status])
    notify(
        actor=actor,
        recipients=_leaders(decision),
        title=_("A decision awaits your signature: case %(code)s")
        % {"code": decision.voice.tracking_code},
        link=decision_link(decision),
        kind=NotificationKind.OTHER,
        obj=decision,
        unit=decision.voice.unit,
    )
    return decision


@transaction.atomic
def decision_return(
    *, actor: Actor, decision: Decision, expected_version: int, note: str
) -> Decision:
    """The head sends the submitted document back to draft, saying what to change."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what should be changed.")})
    _may(actor, Capability.APPROVE, decision.body.unit, _("Only the head of the body may do this."))
    decision = _locked(decision, expected_version)
    if decision.status != DecisionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted decision can be returned."))
    before = decision.status
    decision.status = DecisionStatus.DRAFT
    decision.return_note = note
    decision.version += 1
    decision.save(update_fields=["status", "return_note", "version", "updated_at"])
    _event(actor, decision, DecisionAction.RETURNED, from_status=before, note=note)
    _audit(actor, decision, "return", status=[before, decision.status], note=note)
    if decision.created_by is not None:
        notify(
            actor=actor,
            recipients=[decision.created_by],
            title=_("The decision on case %(code)s was returned")
            % {"code": decision.voice.tracking_code},
            body=note,
            link=decision_link(decision),
            kind=NotificationKind.OTHER,
            obj=decision,
            unit=decision.voice.unit,
        )
    return decision


def _next_number(decision: Decision, year: int) -> int:
    """The body's next number of this type for ``year``; the row is locked until the commit."""
    sequence, _created = DecisionNumberSequence.objects.select_for_update().get_or_create(
        body=decision.body, type_code=decision.type_code, year=year
    )
    sequence = DecisionNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _format(body: Body) -> str:
    from danvan.organizations.models import PoliticalSystem

    return (
        ReportFormat.PARTY if body.political_system == PoliticalSystem.PARTY else ReportFormat.STATE
    )


def render_document(decision: Decision, *, draft: bool) -> bytes:
    from danvan.decisions.render import DecisionDocument, render_decision
    from danvan.reports.render import issuing_body_lines

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
                format=_format(decision.body),
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


@transaction.atomic
def decision_issue(
    *,
    actor: Actor,
    decision: Decision,
    expected_version: int,
    issued_on: datetime.date | None = None,
) -> Decision:
    """The head approves and signs: the number, the date and the DOCX are fixed for good, and
    the document answers the case."""
    _may(actor, Capability.APPROVE, decision.body.unit, _("Only the head of the body may do this."))
    issued_on = issued_on or timezone.localdate()
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("A decision cannot be issued with a future date.")})
    decision = _locked(decision, expected_version)
    if decision.status != DecisionStatus.SUBMITTED:
        raise ValidationError(
            _("Only a decision submitted to the head can be approved and issued.")
        )
    if issued_on < decision.voice.received_on:
        raise ValidationError(
            {"issued_on": _("A decision cannot be dated before the case was received.")}
        )
    if not decision.signer_name.strip():
        raise ValidationError({"signer_name": _("Write the signer's name before issuing.")})
    _check_complete(decision)
    before = decision.status
    decision.status = DecisionStatus.ISSUED
    decision.year = issued_on.year
    decision.number = _next_number(decision, decision.year)
    decision.symbol = report_symbol(
        _format(decision.body), decision.number, decision.body.short_name, decision.type_code
    )
    decision.issued_on = issued_on
    decision.issued_by = actor.user
    decision.document = render_document(decision, draft=False)
    decision.document_sha256 = hashlib.sha256(decision.document).hexdigest()
    decision.version += 1
    decision.save(
        update_fields=[
            "status",
            "year",
            "number",
            "symbol",
            "issued_on",
            "issued_by",
            "document",
            "document_sha256",
            "version",
            "updated_at",
        ]
    )
    _event(actor, decision, DecisionAction.ISSUED, from_status=before, note=decision.symbol)
    _audit(
        actor,
        decision,
        "issue",
        status=[before, decision.status],
        symbol=decision.symbol,
        issued_on=issued_on.isoformat(),
        sha256=decision.document_sha256,
    )
    voice = Voice.objects.get(pk=decision.voice_id)
    case_decide(
        actor=actor,
        voice=voice,
        expected_version=voice.version,
        text=decision_public_text(decision),
        decided_on=issued_on,
        reference=decision.symbol,
    )
    _tell_parties(actor, decision)
    return decision


def _tell_parties(actor: Actor, decision: Decision) -> None:
    """The drafter and the case's bodies in the app; a complainant who gave an email address by
    email, with the public content (a denouncer is told through the tracking page only: their
    contact is kept apart and never read here)."""
    voice = decision.voice
    bodies = [b for b in (voice.assignee, voice.receiving_body, decision.body) if b is not None]
    officers = [
        m.user
        for m in Membership.objects.active()
        .holding(Capability.ACT)
        .filter(body__in=bodies)
        .select_related("user")
    ]
    title = _("%(symbol)s issued: case %(code)s is answered") % {
        "symbol": decision.symbol,
        "code": voice.tracking_code,
    }
    notify(
        actor=actor,
        recipients=[*officers, decision.created_by],
        title=title,
        link=decision_link(decision),
        kind=NotificationKind.OTHER,
        obj=decision,
        unit=voice.unit,
        dedup_key=f"decision-issued-{decision.pk}",
    )
    address = voice.submitter_contact.strip() if decision.kind == DecisionKind.COMPLAINT else ""
    if "@" in address and " " not in address:
        subject = f"{decision.symbol}: kết quả giải quyết khiếu nại {voice.tracking_code}"
        message = decision_public_text(decision)
        transaction.on_commit(
            lambda: send_mail(subject, message, None, [address], fail_silently=True)
        )
        audit_record(
            actor=actor,
            action="decision.email",
            obj=decision,
            unit=voice.unit,
            changes={"to": "complainant"},
        )


def decision_document(decision: Decision) -> bytes:
    """The DOCX to download: the stored file once issued, else the draft as it stands."""
    if decision.status == DecisionStatus.ISSUED and decision.document:
        return bytes(decision.document)
    return render_document(decision, draft=True)


__all__ += ["TYPE_CODES", "competent_bodies", "decision_link", "render_document"]
