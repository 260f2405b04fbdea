"""Following a model under way: each indicator's value for a period (the first report of a
registered model means it is under way) and evidence (photos, PDFs) checked like a voice's
attachments. Every service takes ``actor=`` and writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.skillful.checks import check_model
from danvan.skillful.models import (
    Evidence,
    Indicator,
    IndicatorReport,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.services_common import MAX_TEXT, add_error, model_lock, require_act
from danvan.voices.attachments import JPEG, PDF, PNG, WEBP, CheckedAttachment, attachment_check

MAX_EVIDENCE = 30


#: "2026", "2026-H1" (half year), "2026-Q3" (quarter).
PERIOD_LABEL = re.compile(r"^(\d{4})(?:-(?:H[12]|Q[1-4]))?$")


_EXTENSION = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}


def _check_upload(upload: Any | CheckedAttachment | None) -> CheckedAttachment | None:
    if upload is None or isinstance(upload, CheckedAttachment):
        return upload
    return attachment_check(upload)


@transaction.atomic
def indicator_report(
    *,
    actor: Actor,
    indicator: Indicator,
    period_label: str,
    value: Decimal | int | str,
    reported_on: datetime.date | None = None,
    note: str = "",
    upload: Any | None = None,
    caption: str = "",
) -> IndicatorReport:
    """Report an indicator's value for one period, with optional evidence. The first report of a
    registered model means it is under way."""
    today = timezone.localdate()
    reported_on = reported_on or today
    period_label = period_label.strip().upper()
    note = note.strip()
    model = model_lock(indicator.model, None)
    require_act(actor, model.unit)
    errors, amount = _report_errors(
        model, indicator, period_label, value, reported_on=reported_on, note=note
    )
    if errors:
        raise ValidationError(errors)
    checked = _check_upload(upload)  # before anything is written: a bad file loses nothing
    report = _report_create(
        actor=actor,
        indicator=indicator,
        period_label=period_label,
        reported_on=reported_on,
        value=amount,
        note=note,
    )
    if model.status == ModelStatus.REGISTERED:
        model.status = ModelStatus.UNDER_WAY
        model.version += 1
        model.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="skillful.indicator_report",
        obj=model,
        unit=model.unit,
        changes={
            "indicator": indicator.pk,
            "period": period_label,
            "value": str(amount),
            "status": model.status,
        },
    )
    if checked is not None:
        evidence_add(actor=actor, model=model, upload=checked, report=report, caption=caption)
    else:
        check_model(model)
    return report


def _report_errors(
    model: MobilizationModel,
    indicator: Indicator,
    period_label: str,
    value: Decimal | int | str,
    *,
    reported_on: datetime.date,
    note: str,
) -> tuple[dict[str, list[str]], Decimal]:
    """What is wrong with a report (by field), and its value read as a number."""
    errors: dict[str, list[str]] = {}
    match = PERIOD_LABEL.match(period_label)
    if not match:
        add_error(
            errors,
            "period_label",
            _("Write the period as a year (2026), a half year (2026-H1) or a quarter (2026-Q3)."),
        )
    elif not (model.period.starts_on.year <= int(match.group(1)) <= model.period.ends_on.year):
        add_error(
            errors,
            "period_label",
            _("The period must be within %(period)s.") % {"period": model.period.name},
        )
    amount = Decimal(0)
    try:
        amount = Decimal(value)
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        add_error(errors, "value", _("The value must be a number from 0 up."))
    if reported_on > timezone.localdate():
        add_error(errors, "reported_on", _("The day of the report cannot be in the future."))
    if len(note) > MAX_TEXT:
        add_error(
            errors, "note", _("The note is longer than %(max)s characters.") % {"max": MAX_TEXT}
        )
    if match and indicator.reports.filter(period_label=period_label).exists():
        add_error(
            errors,
            "period_label",
            _("“%(indicator)s” already has a value for %(period)s.")
            % {"indicator": indicator.name, "period": period_label},
        )
    return errors, amount


def _report_create(
    *,
    actor: Actor,
    indicator: Indicator,
    period_label: str,
    reported_on: datetime.date,
    value: Decimal,
    note: str,
) -> IndicatorReport:
    """The report row; a concurrent report of the same period is the same error as a repeated one."""
    try:
        with transaction.atomic():
            report = IndicatorReport.objects.create(
                indicator=indicator,
                period_label=period_label,
                reported_on=reported_on,
                value=value,
                note=note,
                reported_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "period_label": [
                    _("“%(indicator)s” already has a value for %(period)s.")
                    % {"indicator": indicator.name, "period": period_label}
                ]
            }
        ) from None
    return report


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    model: MobilizationModel,
    upload: Any | CheckedAttachment,
    report: IndicatorReport | None = None,
    caption: str = "",
) -> Evidence:
    """Store a photo or document as evidence; checked like a voice's attachments (JPEG, PNG,
    WebP, PDF by content; images re-encoded without metadata)."""
    checked = _check_upload(upload)
    assert checked is not None
    locked = model_lock(model, None)
    require_act(actor, locked.unit)
    if report is not None and report.indicator.model_id != locked.pk:
        raise ValidationError(_("This report belongs to another model."))
    caption = caption.strip()
    if len(caption) > 255:
        raise ValidationError(_("The caption is longer than 255 characters."))
    if locked.evidence.count() >= MAX_EVIDENCE:
        raise ValidationError(
            _("A model can carry at most %(max)s pieces of evidence.") % {"max": MAX_EVIDENCE}
        )
    evidence = Evidence(
        model=locked,
        report=report,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        caption=caption,
    )
    random_name = f"{secrets.token_hex(16)}.{_EXTENSION[checked.content_type]}"
    evidence.file.save(random_name, ContentFile(checked.content), save=False)
    stored = evidence.file.name
    try:
        evidence.save()
        audit_record(
            actor=actor,
            action="skillful.evidence_add",
            obj=locked,
            unit=locked.unit,
            changes={
                "evidence": evidence.pk,
                "report": report.pk if report else None,
                "content_type": checked.content_type,
                "size": checked.size,
                "sha256": checked.sha256,
            },
        )
    except Exception:
        evidence.file.storage.delete(stored)
        raise
    check_model(locked)
    return evidence
