"""Writes of the reports: drafting from the data, editing, submitting, approving, issuing.

The path is draft → submitted → approved → issued; a leader may return a submitted or approved
report to draft with a note. Drafting and editing need ``act`` on the report's unit; approving,
returning and issuing need ``approve`` (a leader). While a draft, the figures are read again on
request and once more on submission; from then on they are frozen. On issue the report takes the
next number of its body for the year of issue (``ReportNumberSequence``, locked, so two reports
issued at the same moment never share a number), its date is fixed and its DOCX is rendered once
and stored. Every change checks the version the officer's page showed (``StaleReportError``),
writes a ``ReportEvent`` and an audit row.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.notifications.models import NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body, BodyKind, Membership, PoliticalSystem
from danvan.organizations.selectors import body_officers
from danvan.reports.models import (
    Report,
    ReportAction,
    ReportEvent,
    ReportFormat,
    ReportNumberSequence,
    ReportStatus,
    SignerPrefix,
)
from danvan.reports.numbering import report_symbol
from danvan.reports.periods import ReportPeriod
from danvan.reports.snapshot import Snapshot
from danvan.units.models import AdministrativeUnit

__all__ = [
    "EDITABLE_FIELDS",
    "StaleReportError",
    "issuing_body_for",
    "report_approve",
    "report_document",
    "report_edit",
    "report_generate",
    "report_issue",
    "report_period",
    "report_preview",
    "report_refresh",
    "report_return",
    "report_submit",
]

#: What an officer may change on a draft: the text sections and the document's particulars.
EDITABLE_FIELDS = (
    "title",
    "assessment",
    "proposals",
    "place",
    "signer_prefix",
    "signer_authority",
    "signer_position",
    "signer_name",
    "recipients",
    "format",
)

_UNIT_PREFIXES = re.compile(r"^(tỉnh|thành phố|xã|phường|đặc khu|thôn|xóm|bản|tổ dân phố)\s+", re.I)


class StaleReportError(ValidationError):
    """The report changed since the officer loaded it."""


def place_of(unit: AdministrativeUnit) -> str:
    """The place in the dateline: the unit's name without its kind ("Tỉnh Nghệ An" → "Nghệ An")."""
    return _UNIT_PREFIXES.sub("", unit.name).strip() or unit.name


def default_format(body: Body) -> str:
    return (
        ReportFormat.PARTY if body.political_system == PoliticalSystem.PARTY else ReportFormat.STATE
    )


def _default_signer(body: Body) -> dict[str, str]:
    """Who usually signs a body's report, as officials write it (editable on the draft)."""
    if body.kind == BodyKind.PARTY_COMMITTEE:
        return {"signer_prefix": SignerPrefix.ON_BEHALF, "signer_authority": "BAN THƯỜNG VỤ"}
    if body.kind in (BodyKind.PEOPLES_COMMITTEE, BodyKind.PEOPLES_COUNCIL):
        return {"signer_prefix": SignerPrefix.ON_BEHALF, "signer_authority": body.name.upper()}
    if body.kind in (
        BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
        BodyKind.PARTY_BUILDING_COMMISSION,
    ):
        return {"signer_prefix": SignerPrefix.DEPUTY, "signer_authority": "TRƯỞNG BAN"}
    return {"signer_prefix": SignerPrefix.NONE, "signer_authority": ""}


def _default_recipients(body: Body) -> str:
    lines = []
    if body.parent_id:
        lines.append(body.parent.name if body.parent else "")
    superior = (
        Body.objects.filter(unit_id=body.unit.parent_id, kind=body.kind, is_active=True).first()
        if body.unit.parent_id
        else None
    )
    if superior is not None and superior.name not in lines:
        lines.append(superior.name)
    return "\n".join(line for line in lines if line)


def report_title(period: ReportPeriod) -> str:
    return f"Tình hình nhân dân {period.label_vi()}"


def report_period(report: Report) -> ReportPeriod:
    return ReportPeriod(report.period_kind, report.period_start, report.period_end)


def _may(actor: Actor, capability: Capability, unit: AdministrativeUnit, message: str) -> None:
    if actor.user is not None and not can(actor.user, capability, unit):
        raise PermissionDenied(message)


def _read_figures(report_unit: AdministrativeUnit, period: ReportPeriod) -> dict[str, Any]:
    from danvan.reports.figures import report_figures

    return report_figures(unit=report_unit, period=period).to_json()


def _event(
    *, actor: Actor, report: Report, action: str, from_status: str = "", note: str = ""
) -> None:
    ReportEvent.objects.create(
        report=report,
        actor=actor.user,
        actor_label=actor.name[:150],
        action=action,
        from_status=from_status,
        to_status=report.status,
        note=note,
    )


_AUDIT_ACTIONS: dict[str, str] = {
    ReportAction.SUBMITTED: "report.submit",
    ReportAction.RETURNED: "report.return",
    ReportAction.APPROVED: "report.approve",
    ReportAction.ISSUED: "report.issue",
}


def _moved(
    *,
    actor: Actor,
    report: Report,
    action: str,
    before: str,
    note: str = "",
    **changes: Any,
) -> None:
    """The history row and the audit row of a step of the path."""
    _event(actor=actor, report=report, action=action, from_status=before, note=note)
    audit_record(
        actor=actor,
        action=_AUDIT_ACTIONS[action],
        obj=report,
        unit=report.unit,
        changes={"status": [before, report.status], **({"note": note} if note else {}), **changes},
    )


def _locked(report: Report, expected_version: int) -> Report:
    fresh = Report.objects.select_for_update().select_related("unit", "body").get(pk=report.pk)
    if fresh.version != expected_version:
        raise StaleReportError(
            _(
                "Someone changed this report after you opened it (it is now “%(status)s”). "
                "Your changes were not saved: open it again and redo them."
            )
            % {"status": fresh.get_status_display()}
        )
    return fresh


def report_generate(
    *,
    actor: Actor,
    body: Body,
    period: ReportPeriod,
    fmt: str | None = None,
    scheduled: bool = False,
) -> Report:
    """Draft the synthesis report of ``body``'s unit for ``period`` from the data."""
    unit = body.unit
    _may(actor, Capability.ACT, unit, _("You may not draft reports for this unit."))
    if not body.is_active:
        raise ValidationError(_("This body is no longer active."))
    if not body.short_name.strip():
        raise ValidationError(
            _(
                "The body %(body)s has no symbol for document numbers (e.g. UBND, BTGDVTU). "
                "Ask an administrator to set it on the body's page first."
            )
            % {"body": body.name}
        )
    if period.start > timezone.localdate():
        raise ValidationError(_("The period has not started yet."))
    if fmt is not None and fmt not in ReportFormat.values:
        raise ValidationError(_("Choose a Party or a state document."))
    figures = _read_figures(unit, period)
    with transaction.atomic():
        report = Report(
            unit=unit,
            body=body,
            format=fmt or default_format(body),
            period_kind=period.kind,
            period_code=period.code,
            period_start=period.start,
            period_end=period.end,
            title=report_title(period),
            figures=figures,
            figures_at=timezone.now(),
            place=place_of(unit.parent if unit.is_village and unit.parent else unit),
            recipients=_default_recipients(body),
            is_scheduled=scheduled,
            created_by=actor.user,
            **_default_signer(body),
        )
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise ValidationError(
                _("A scheduled draft of this period already exists for this body.")
            ) from None
        _event(actor=actor, report=report, action=ReportAction.GENERATED)
        audit_record(
            actor=actor,
            action="report.generate",
            obj=report,
            unit=unit,
            changes={"period": period.code, "format": report.format},
        )
    return report


@transaction.atomic
def report_refresh(*, actor: Actor, report: Report, expected_version: int) -> Report:
    """Read the draft's figures again from the data (the text sections stay as written)."""
    _may(actor, Capability.ACT, report.unit, _("You may not edit this report."))
    report = _locked(report, expected_version)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("Only a draft's figures can be read again."))
    report.figures = _read_figures(report.unit, report_period(report))
    report.figures_at = timezone.now()
    report.version += 1
    report.save(update_fields=["figures", "figures_at", "version", "updated_at"])
    _event(actor=actor, report=report, action=ReportAction.REGENERATED, from_status=report.status)
    return report


@transaction.atomic
def report_edit(*, actor: Actor, report: Report, expected_version: int, **values: Any) -> Report:
    """Change the officer's sections and the document's particulars of a draft."""
    _may(actor, Capability.ACT, report.unit, _("You may not edit this report."))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    report = _locked(report, expected_version)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(
            _("This report is %(status)s: only a draft can be edited.")
            % {"status": report.get_status_display().lower()}
        )
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        field = Report._meta.get_field(name)
        max_length = getattr(field, "max_length", None)
        if max_length and len(value) > max_length:
            errors[name] = _("At most %(n)d characters.") % {"n": max_length}
        cleaned[name] = value
    if "title" in cleaned and not cleaned["title"]:
        errors["title"] = _("The report needs a summary line.")
    if "place" in cleaned and not cleaned["place"]:
        errors["place"] = _("Write the place of the dateline.")
    if "format" in cleaned and cleaned["format"] not in ReportFormat.values:
        errors["format"] = _("Choose a Party or a state document.")
    if "signer_prefix" in cleaned and cleaned["signer_prefix"] not in SignerPrefix.values:
        errors["signer_prefix"] = _("Choose how the signer signs.")
    if errors:
        raise ValidationError(errors)
    changes = {
        name: [getattr(report, name), value]
        for name, value in cleaned.items()
        if getattr(report, name) != value
    }
    if not changes:
        return report
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.version += 1
    report.save(update_fields=[*cleaned, "version", "updated_at"])
    _event(actor=actor, report=report, action=ReportAction.EDITED, from_status=report.status)
    audit_record(
        actor=actor,
        action="report.edit",
        obj=report,
        unit=report.unit,
        changes={name: [str(a)[:200], str(b)[:200]] for name, (a, b) in changes.items()},
    )
    return report


def _leaders(report: Report) -> list[Any]:
    """Who approves: the leaders of the report's unit, or of the nearest unit above with any."""
    units = [report.unit, *reversed(report.unit.ancestors())]
    memberships = (
        Membership.objects.active()
        .holding(Capability.APPROVE)
        .filter(body__unit__in=units)
        .select_related("user", "body")
    )
    by_unit: dict[int, list[Any]] = {}
    for membership in memberships:
        by_unit.setdefault(membership.body.unit_id, []).append(membership.user)
    return next((by_unit[unit.pk] for unit in units if unit.pk in by_unit), [])


def report_link(report: Report) -> str:
    return reverse("reports:detail", args=[report.pk])


def _transition(
    *,
    actor: Actor,
    report: Report,
    expected_version: int,
    capability: Capability,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    note: str = "",
) -> tuple[Report, str]:
    _may(actor, capability, report.unit, _("You may not do this with this report."))
    report = _locked(report, expected_version)
    if report.status not in allowed_from:
        raise ValidationError(
            _("This report is %(status)s: it cannot be %(action)s now.")
            % {
                "status": report.get_status_display().lower(),
                "action": ReportAction(action).label.lower(),
            }
        )
    before = report.status
    report.status = to
    report.version += 1
    return report, before


@transaction.atomic
def report_submit(*, actor: Actor, report: Report, expected_version: int) -> Report:
    """Send the draft to the leader. Its figures are read one last time, then frozen."""
    report, before = _transition(
        actor=actor,
        report=report,
        expected_version=expected_version,
        capability=Capability.ACT,
        allowed_from=(ReportStatus.DRAFT,),
        to=ReportStatus.SUBMITTED,
        action=ReportAction.SUBMITTED,
    )
    if not report.proposals.strip():
        raise ValidationError(
            {"proposals": _("Write the proposals and recommendations before submitting.")}
        )
    report.figures = _read_figures(report.unit, report_period(report))
    report.figures_at = timezone.now()
    report.save(update_fields=["status", "figures", "figures_at", "version", "updated_at"])
    _moved(actor=actor, report=report, action=ReportAction.SUBMITTED, before=before)
    notify(
        actor=actor,
        recipients=_leaders(report),
        title=_("A report awaits your approval: %(title)s") % {"title": report.title},
        link=report_link(report),
        kind=NotificationKind.OTHER,
        obj=report,
        unit=report.unit,
    )
    return report


@transaction.atomic
def report_return(*, actor: Actor, report: Report, expected_version: int, note: str) -> Report:
    """The leader sends a submitted or approved report back to draft, saying what to change."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what should be changed.")})
    report, before = _transition(
        actor=actor,
        report=report,
        expected_version=expected_version,
        capability=Capability.APPROVE,
        allowed_from=(ReportStatus.SUBMITTED, ReportStatus.APPROVED),
        to=ReportStatus.DRAFT,
        action=ReportAction.RETURNED,
    )
    report.save(update_fields=["status", "version", "updated_at"])
    _moved(actor=actor, report=report, action=ReportAction.RETURNED, before=before, note=note)
    if report.created_by is not None:
        notify(
            actor=actor,
            recipients=[report.created_by],
            title=_("Your report was returned: %(title)s") % {"title": report.title},
            body=note,
            link=report_link(report),
            kind=NotificationKind.OTHER,
            obj=report,
            unit=report.unit,
        )
    return report


@transaction.atomic
def report_approve(*, actor: Actor, report: Report, expected_version: int) -> Report:
    report, before = _transition(
        actor=actor,
        report=report,
        expected_version=expected_version,
        capability=Capability.APPROVE,
        allowed_from=(ReportStatus.SUBMITTED,),
        to=ReportStatus.APPROVED,
        action=ReportAction.APPROVED,
    )
    report.save(update_fields=["status", "version", "updated_at"])
    _moved(actor=actor, report=report, action=ReportAction.APPROVED, before=before)
    return report


def _next_number(body: Body, year: int) -> int:
    """The body's next number for ``year``; the sequence row is locked until the commit."""
    sequence, _created = ReportNumberSequence.objects.select_for_update().get_or_create(
        body=body, year=year
    )
    # Locked again after a concurrent first insert (get_or_create's retry returns it unlocked).
    sequence = ReportNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def render_document(report: Report, *, draft: bool) -> bytes:
    """The report as a DOCX: the issued file, or what the draft would look like now."""
    from danvan.reports.render import ReportDocument, issuing_body_lines, render_report

    superior, issuer = issuing_body_lines(report.body)
    with translation.override("vi"):
        return render_report(
            ReportDocument(
                format=report.format,
                superior=superior,
                issuer=issuer,
                body_code=report.body.short_name,
                number=None if draft else report.number,
                place=report.place,
                date=None if draft else report.issued_on,
                title=report.title,
                snapshot=Snapshot.from_json(report.figures),
                assessment=report.assessment,
                proposals=report.proposals,
                signer_prefix=report.signer_prefix,
                signer_authority=report.signer_authority,
                signer_position=report.signer_position,
                signer_name=report.signer_name,
                recipients=[line for line in report.recipients.splitlines() if line.strip()],
                draft=draft,
            )
        )


@transaction.atomic
def report_issue(
    *,
    actor: Actor,
    report: Report,
    expected_version: int,
    issued_on: datetime.date | None = None,
) -> Report:
    """Give the approved report its number and date, and store its DOCX for good."""
    issued_on = issued_on or timezone.localdate()
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("A report cannot be issued with a future date.")})
    if issued_on < report.period_end:
        raise ValidationError(
            {"issued_on": _("A report cannot be issued before the end of its period.")}
        )
    report, before = _transition(
        actor=actor,
        report=report,
        expected_version=expected_version,
        capability=Capability.APPROVE,
        allowed_from=(ReportStatus.APPROVED,),
        to=ReportStatus.ISSUED,
        action=ReportAction.ISSUED,
    )
    if not report.signer_name.strip():
        raise ValidationError({"signer_name": _("Write the signer's name before issuing.")})
    report.year = issued_on.year
    report.number = _next_number(report.body, report.year)
    report.symbol = report_symbol(report.format, report.number, report.body.short_name)
    report.issued_on = issued_on
    report.document = render_document(report, draft=False)
    report.document_sha256 = hashlib.sha256(report.document).hexdigest()
    report.save(
        update_fields=[
            "status",
            "year",
            "number",
            "symbol",
            "issued_on",
            "document",
            "document_sha256",
            "version",
            "updated_at",
        ]
    )
    _moved(
        actor=actor,
        report=report,
        action=ReportAction.ISSUED,
        before=before,
        symbol=report.symbol,
        issued_on=issued_on.isoformat(),
        sha256=report.document_sha256,
    )
    _tell_superiors(actor, report)
    return report


def _tell_superiors(actor: Actor, report: Report) -> None:
    """A commune's issued report feeds the province's: its reporting officers are told."""
    parent_id = report.unit.parent_id
    if parent_id is None:
        return
    bodies = Body.objects.filter(unit_id=parent_id, kind__in=scheduled_body_kinds(), is_active=True)
    recipients = [user for body in bodies for user in body_officers(body)]
    notify(
        actor=actor,
        recipients=recipients,
        title=_("%(unit)s issued its report %(symbol)s")
        % {"unit": report.unit.name, "symbol": report.symbol},
        link=report_link(report),
        kind=NotificationKind.OTHER,
        obj=report,
        unit=report.unit,
        dedup_key=f"report-issued-{report.pk}",
    )


def report_document(report: Report) -> bytes:
    """The DOCX to download: the stored file once issued, else the draft as it stands."""
    if report.status == ReportStatus.ISSUED and report.document:
        return bytes(report.document)
    return render_document(report, draft=True)


def scheduled_body_kinds() -> list[str]:
    return list(settings.DANVAN_REPORTS_SCHEDULED_BODY_KINDS)


#: The body that usually issues a unit's synthesis, by format, most likely first.
_ISSUERS: dict[str, tuple[str, ...]] = {
    ReportFormat.PARTY: (
        BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
        BodyKind.PARTY_BUILDING_COMMISSION,
        BodyKind.PARTY_COMMITTEE,
        BodyKind.MASS_MOBILIZATION_BLOC,
    ),
    ReportFormat.STATE: (BodyKind.PEOPLES_COMMITTEE, BodyKind.FRONT_COMMITTEE),
}


def issuing_body_for(unit: AdministrativeUnit, fmt: str) -> Body | None:
    """The active body of ``unit`` that would issue its synthesis in format ``fmt``."""
    kinds = _ISSUERS.get(fmt, ())
    bodies = {
        b.kind: b
        for b in Body.objects.filter(unit=unit, kind__in=kinds, is_active=True)
        .exclude(short_name="")
        .select_related("unit", "parent")
    }
    return next((bodies[kind] for kind in kinds if kind in bodies), None)


def report_preview(
    *, unit: AdministrativeUnit, period: ReportPeriod, fmt: str, body: Body | None = None
) -> bytes:
    """A draft DOCX without a number, written nowhere (``make_report``, scripts)."""
    if fmt not in ReportFormat.values:
        raise ValidationError(_("Choose a Party or a state document."))
    body = body or issuing_body_for(unit, fmt)
    if body is None:
        raise ValidationError(
            _("%(unit)s has no active body with a document symbol to issue this report.")
            % {"unit": unit.name}
        )
    report = Report(
        unit=unit,
        body=body,
        format=fmt,
        period_kind=period.kind,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        title=report_title(period),
        figures=_read_figures(unit, period),
        place=place_of(unit.parent if unit.is_village and unit.parent else unit),
        recipients=_default_recipients(body),
        **_default_signer(body),
    )
    return render_document(report, draft=True)
