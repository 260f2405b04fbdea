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
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.models import VoiceKind
from danvan.decisions.documents import (
    COMMON_FIELDS,
    COMPLAINT_FIELDS,
    DENUNCIATION_FIELDS,
    EDITABLE_FIELDS,
    decision_public_text,
    draft_texts,
    identity_in_text,
    render_document,
)
from danvan.decisions.models import (
    TYPE_CODES,
    Decision,
    DecisionAction,
    DecisionKind,
    DecisionNumberSequence,
    DecisionStatus,
)
from danvan.lib.roles import Capability
from danvan.notifications.models import NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body, BodyKind, Membership
from danvan.reports import workflow
from danvan.reports.issuer import default_format
from danvan.reports.models import SignerPrefix
from danvan.reports.numbering import report_symbol
from danvan.voices.models import Voice, VoiceStatus
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


class StaleDecisionError(workflow.StaleDocumentError):
    """The decision changed since the officer loaded it."""


def _audit(actor: Actor, decision: Decision, action: str, **changes: Any) -> None:
    audit_record(
        actor=actor,
        action=f"decision.{action}",
        obj=decision,
        unit=decision.voice.unit,
        changes=changes,
    )


def _step(
    actor: Actor,
    decision: Decision,
    action: str,
    audit_action: str,
    before: str,
    *,
    note: str = "",
    event_note: str | None = None,
    **changes: Any,
) -> None:
    """The history row and the audit row of a step of the path."""
    workflow.record_step(
        actor=actor,
        document=decision,
        action=action,
        audit_action=f"decision.{audit_action}",
        unit=decision.voice.unit,
        before=before,
        note=note,
        event_note=event_note,
        **changes,
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


@transaction.atomic
def decision_draft(*, actor: Actor, voice: Voice, body: Body | None = None) -> Decision:
    """Start the decision (complaint) or conclusion (denunciation) of a case, prefilled from it.
    A denunciation's conclusion takes nothing of the denouncer's identity."""
    workflow.require(actor, Capability.ACT, voice.unit, _("You may not act on this case."))
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
        voice=voice, body=body, kind=kind, created_by=actor.user, **draft_texts(voice, body, kind)
    )
    workflow.record_event(actor=actor, document=decision, action=DecisionAction.DRAFTED)
    _audit(actor, decision, "draft", voice=voice.pk, body=body.pk)
    return decision


def _locked(decision: Decision, expected_version: int) -> Decision:
    return workflow.lock(
        decision,
        expected_version,
        related=("voice__unit", "body__unit"),
        stale=StaleDecisionError,
        message=_(
            "Someone changed this decision after you opened it (it is now “%(status)s”). "
            "Your changes were not saved: open it again and redo them."
        ),
    )


@transaction.atomic
def decision_edit(
    *, actor: Actor, decision: Decision, expected_version: int, **values: Any
) -> Decision:
    workflow.require(actor, Capability.ACT, decision.voice.unit, _("You may not act on this case."))
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
    workflow.record_event(actor=actor, document=decision, action=DecisionAction.EDITED)
    # Field names only: the texts may hold personal data.
    _audit(actor, decision, "edit", fields=changed)
    return decision


def _leaders(decision: Decision) -> list[User]:
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
    return workflow.approvers_near([decision.body.unit, *reversed(decision.body.unit.ancestors())])


def decision_link(decision: Decision) -> str:
    return reverse("decisions:detail", args=[decision.pk])


def _check_complete(decision: Decision) -> None:
    missing = {
        name: _("This is part of what the law requires the document to say.")
        for name in REQUIRED[DecisionKind(decision.kind)]
        if not str(getattr(decision, name) or "").strip()
    }
    if missing:
        raise ValidationError(missing)
    if decision.kind == DecisionKind.DENUNCIATION and identity_in_text(decision):
        raise ValidationError(
            _(
                "The conclusion names the person who denounced (their name, contact, address or "
                "ID number). The law keeps it secret: remove it before going on."
            )
        )


@transaction.atomic
def decision_submit(*, actor: Actor, decision: Decision, expected_version: int) -> Decision:
    """Send the draft to the head of the body for approval."""
    workflow.require(actor, Capability.ACT, decision.voice.unit, _("You may not act on this case."))
    decision = _locked(decision, expected_version)
    if decision.status != DecisionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    _check_complete(decision)
    before = workflow.advance(decision, DecisionStatus.SUBMITTED)
    decision.return_note = ""
    decision.save(update_fields=["status", "return_note", "version", "updated_at"])
    _step(actor, decision, DecisionAction.SUBMITTED, "submit", before)
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
    workflow.require(
        actor, Capability.APPROVE, decision.body.unit, _("Only the head of the body may do this.")
    )
    decision = _locked(decision, expected_version)
    if decision.status != DecisionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted decision can be returned."))
    before = workflow.advance(decision, DecisionStatus.DRAFT)
    decision.return_note = note
    decision.save(update_fields=["status", "return_note", "version", "updated_at"])
    _step(actor, decision, DecisionAction.RETURNED, "return", before, note=note)
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
    workflow.require(
        actor, Capability.APPROVE, decision.body.unit, _("Only the head of the body may do this.")
    )
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
    before = workflow.advance(decision, DecisionStatus.ISSUED)
    decision.issued_by = actor.user
    issued = workflow.stamp_issue(
        decision,
        issued_on=issued_on,
        number=workflow.next_number(
            DecisionNumberSequence,
            body=decision.body,
            type_code=decision.type_code,
            year=issued_on.year,
        ),
        symbol=lambda number: report_symbol(
            default_format(decision.body), number, decision.body.short_name, decision.type_code
        ),
        render=lambda: render_document(decision, draft=False),
    )
    decision.save(update_fields=[*issued, "issued_by", "version", "updated_at"])
    _step(
        actor,
        decision,
        DecisionAction.ISSUED,
        "issue",
        before,
        event_note=decision.symbol,
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
    return workflow.issued_or_draft(decision, lambda: render_document(decision, draft=True))


__all__ += ["TYPE_CODES", "competent_bodies", "decision_link"]
