"""What a report's document says before anyone writes a word, and the report as a DOCX.

A new draft takes its particulars from its body (``draft_particulars``: the dateline's place,
the format its political system requires, who usually signs, to whom it goes) and its figures
from the data (``read_figures``). ``render_document`` writes a report, drafted or issued, as the
official DOCX (``reports.render``); ``report_preview`` writes a draft that is stored nowhere
(``make_report``, scripts).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from danvan.organizations.models import Body, BodyKind
from danvan.reports.figures import report_figures
from danvan.reports.issuer import issuing_body_lines, place_of
from danvan.reports.models import Report, ReportFormat, SignerPrefix
from danvan.reports.periods import ReportPeriod
from danvan.reports.render import ReportDocument, render_report
from danvan.reports.snapshot import Snapshot
from danvan.units.models import AdministrativeUnit

__all__ = [
    "draft_particulars",
    "issuing_body_for",
    "read_figures",
    "render_document",
    "report_period",
    "report_preview",
    "report_title",
]


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


def draft_particulars(unit: AdministrativeUnit, body: Body) -> dict[str, str]:
    """The dateline's place, the signer and the recipients of a new draft of ``body``."""
    return {
        "place": place_of(unit.parent if unit.is_village and unit.parent else unit),
        "recipients": _default_recipients(body),
        **_default_signer(body),
    }


def report_title(period: ReportPeriod) -> str:
    return f"Tình hình nhân dân {period.label_vi()}"


def report_period(report: Report) -> ReportPeriod:
    return ReportPeriod(report.period_kind, report.period_start, report.period_end)


def read_figures(unit: AdministrativeUnit, period: ReportPeriod) -> dict[str, Any]:
    """The figures of ``unit`` for ``period`` from the data, as the report keeps them."""
    return report_figures(unit=unit, period=period).to_json()


def render_document(report: Report, *, draft: bool) -> bytes:
    """The report as a DOCX: the issued file, or what the draft would look like now."""
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
        figures=read_figures(unit, period),
        **draft_particulars(unit, body),
    )
    return render_document(report, draft=True)
