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
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.notifications.models import NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body
from danvan.organizations.selectors import body_officers
from danvan.reports.documents import (
    draft_particulars,
    read_figures,
    render_document,
    report_period,
    report_title,
)
from danvan.reports.issuer import default_format
from danvan.reports.models import (
    Report,
    ReportAction,
    ReportFormat,
    ReportNumberSequence,
    ReportStatus,
    SignerPrefix,
)
from danvan.reports.numbering import report_symbol
from danvan.reports.periods import ReportPeriod
from danvan.reports.workflow import (
    StaleDocumentError,
    advance,
    approvers_near,
    issued_or_draft,
    lock,
    next_number,
    record_event,
    record_step,
    require,
    stamp_issue,
)

__all__ = [
    "EDITABLE_FIELDS",
    "StaleReportError",
    "report_approve",
    "report_document",
    "report_edit",
    "report_generate",
    "report_issue",
    "report_link",
    "report_refresh",
    "report_return",
    "report_submit",
    "scheduled_body_kinds",
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


class StaleReportError(StaleDocumentError):
    """The report changed since the officer loaded it."""


_AUDIT_ACTIONS: dict[str, str] = {
    ReportAction.SUBMITTED: "report.submit",
    ReportAction.RETURNED: "report.return",
    ReportAction.APPROVED: "report.approve",
    ReportAction.ISSUED: "report.issue",
}


def _moved(
    *, actor: Actor, report: Report, action: str, before: str, note: str = "", **changes: Any
) -> None:
    """The history row and the audit row of a step of the path."""
    record_step(
        actor=actor,
        document=report,
        action=action,
        audit_action=_AUDIT_ACTIONS[action],
        unit=report.unit,
        before=before,
        note=note,
        **changes,
    )


def _locked(report: Report, expected_version: int) -> Report:
    return lock(
        report,
        expected_version,
        related=("unit", "body"),
        stale=StaleReportError,
        message=_(
            "Someone changed this report after you opened it (it is now “%(status)s”). "
            "Your changes were not saved: open it again and redo them."
        ),
    )


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
    require(actor, Capability.ACT, unit, _("You may not draft reports for this unit."))
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
    figures = read_figures(unit, period)
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
            is_scheduled=scheduled,
            created_by=actor.user,
            **draft_particulars(unit, body),
        )
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise ValidationError(
                _("A scheduled draft of this period already exists for this body.")
            ) from None
        record_event(actor=actor, document=report, action=ReportAction.GENERATED)
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
    require(actor, Capability.ACT, report.unit, _("You may not edit this report."))
    report = _locked(report, expected_version)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("Only a draft's figures can be read again."))
    report.figures = read_figures(report.unit, report_period(report))
    report.figures_at = timezone.now()
    report.version += 1
    report.save(update_fields=["figures", "figures_at", "version", "updated_at"])
    record_event(
        actor=actor, document=report, action=ReportAction.REGENERATED, from_status=report.status
    )
    return report


@transaction.atomic
def report_edit(*, actor: Actor, report: Report, expected_version: int, **values: Any) -> Report:
    """Change the officer's sections and the document's particulars of a draft."""
    require(actor, Capability.ACT, report.unit, _("You may not edit this report."))
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
    record_event(
        actor=actor, document=report, action=ReportAction.EDITED, from_status=report.status
    )
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
    return list(approvers_near([report.unit, *reversed(report.unit.ancestors())]))


def report_link(report: Report) -> str:
    return reverse("reports:detail", args=[report.pk])


#: Each step of the path: who takes it (a capability on the report's unit), from which statuses,
#: to which.
_STEPS: dict[str, tuple[Capability, tuple[str, ...], str]] = {
    ReportAction.SUBMITTED: (Capability.ACT, (ReportStatus.DRAFT,), ReportStatus.SUBMITTED),
    ReportAction.RETURNED: (
        Capability.APPROVE,
        (ReportStatus.SUBMITTED, ReportStatus.APPROVED),
        ReportStatus.DRAFT,
    ),
    ReportAction.APPROVED: (Capability.APPROVE, (ReportStatus.SUBMITTED,), ReportStatus.APPROVED),
    ReportAction.ISSUED: (Capability.APPROVE, (ReportStatus.APPROVED,), ReportStatus.ISSUED),
}


def _transition(
    *, actor: Actor, report: Report, expected_version: int, action: str
) -> tuple[Report, str]:
    """The report locked at the version the page showed and moved by step ``action``; returns
    it with the status it left."""
    capability, allowed_from, to = _STEPS[action]
    require(actor, capability, report.unit, _("You may not do this with this report."))
    report = _locked(report, expected_version)
    if report.status not in allowed_from:
        raise ValidationError(
            _("This report is %(status)s: it cannot be %(action)s now.")
            % {
                "status": report.get_status_display().lower(),
                "action": ReportAction(action).label.lower(),
            }
        )
    return report, advance(report, to)


@transaction.atomic
def report_submit(*, actor: Actor, report: Report, expected_version: int) -> Report:
    """Send the draft to the leader. Its figures are read one last time, then frozen."""
    report, before = _transition(
        actor=actor, report=report, expected_version=expected_version, action=ReportAction.SUBMITTED
    )
    if not report.proposals.strip():
        raise ValidationError(
            {"proposals": _("Write the proposals and recommendations before submitting.")}
        )
    report.figures = read_figures(report.unit, report_period(report))
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
        actor=actor, report=report, expected_version=expected_version, action=ReportAction.RETURNED
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
        actor=actor, report=report, expected_version=expected_version, action=ReportAction.APPROVED
    )
    report.save(update_fields=["status", "version", "updated_at"])
    _moved(actor=actor, report=report, action=ReportAction.APPROVED, before=before)
    return report


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
        actor=actor, report=report, expected_version=expected_version, action=ReportAction.ISSUED
    )
    if not report.signer_name.strip():
        raise ValidationError({"signer_name": _("Write the signer's name before issuing.")})
    issued = stamp_issue(
        report,
        issued_on=issued_on,
        number=next_number(ReportNumberSequence, body=report.body, year=issued_on.year),
        symbol=lambda number: report_symbol(report.format, number, report.body.short_name),
        render=lambda: render_document(report, draft=False),
    )
    report.save(update_fields=[*issued, "version", "updated_at"])
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
    return issued_or_draft(report, lambda: render_document(report, draft=True))


def scheduled_body_kinds() -> list[str]:
    return list(settings.DANVAN_REPORTS_SCHEDULED_BODY_KINDS)
