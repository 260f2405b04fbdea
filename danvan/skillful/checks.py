"""Formalism checks (kiểm tra hình thức): signs that a model may be built "for show".

Each check looks at one model and either finds a reason, in words and numbers, or nothing;
``check_model`` writes what it finds to ``FormalismFlag`` (one row per model and kind): a new
reason raises a flag, a reason that no longer holds removes it, and a flag a reviewer dismissed
stays dismissed for as long as its reason (the numbers behind it) stays the same.

- ``no_progress``: an indicator reported in at least two periods whose latest value is no closer
  to its target than the previous period's value, nor than its baseline.
- ``near_duplicate``: another model of the same field (another unit, or the same unit under
  another name) whose ten parts are near-identical: Jaccard similarity of word 3-gram shingles
  of the folded text, taken within sentences so that reordering them changes nothing, at or above
  ``NEAR_DUPLICATE_THRESHOLD`` (measured by ``bench/eval_model_duplicates.py``; figures in the
  app's README). The later registration is flagged and points at the earlier one. Replications
  (a model adopted from another, or two adoptions of the same origin) are expected to be alike
  and are not compared.
- ``rising_complaints``: complaints, denunciations and reflections in the model's area (its unit
  and everything below) whose topic belongs to the model's field (``TOPIC_FIELDS``) rose in the
  last six months of its running period against the six months before.
- ``no_evidence``: no photo or document at all, once it has been proposed for evaluation (or
  later), or ``DANVAN_SKILLFUL_EVIDENCE_GRACE_DAYS`` days after it started.

A finding is stored as numbers and codes (``FormalismFlag.details``), never as a sentence: the
sentence is written when the flag is read, in the reader's language (``flag_reasons``). Whether a
dismissed flag still stands is decided on those numbers, so it does not depend on anyone's
language either.

Each model's flags are written in a transaction of their own, with one audit row
(``skillful.flags_check``, on the model) when a flag was raised, changed or removed: the kinds,
the counts and the thresholds in force. Not one row per run: the nightly run is one transaction
per model, and a row written at its end would be missing after a failure part way. Refreshing
the numbers of a flag whose reason stands (the days moved on) decides nothing and writes no row;
it would add one a night for every flagged model and bury the rows that matter.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.users import Requester
from danvan.skillful import similarity
from danvan.skillful.checks_findings import (
    REPORT_ORDER,
    Finding,
    complaints_min,
    complaints_rise_percent,
    complaints_window_months,
    evidence_grace_days,
    find_near_duplicate,
    find_no_evidence,
    find_no_progress,
    find_rising_complaints,
    near_duplicates_of_all,
)
from danvan.skillful.flag_reasons import same_reason
from danvan.skillful.models import (
    Evidence,
    FormalismFlag,
    IndicatorReport,
    MobilizationModel,
)

logger = logging.getLogger(__name__)

# --- Writing the flags --------------------------------------------------------------------------


@dataclasses.dataclass
class CheckReport:
    models: int = 0
    raised: int = 0
    updated: int = 0
    removed: int = 0
    by_kind: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, other: CheckReport) -> None:
        self.models += other.models
        self.raised += other.raised
        self.updated += other.updated
        self.removed += other.removed
        self.by_kind.update(other.by_kind)


def thresholds() -> dict[str, int | float]:
    """The settings the checks ran with, as written in their audit rows."""
    return {
        "near_duplicate": similarity.NEAR_DUPLICATE_THRESHOLD,
        "complaints_months": complaints_window_months(),
        "complaints_min": complaints_min(),
        "complaints_rise_percent": complaints_rise_percent(),
        "evidence_grace_days": evidence_grace_days(),
    }


#: Who writes the flags when no person asked for the check (the nightly run, the task).
CHECKS_ACTOR = Actor.system("check_models")


def _write(
    model: MobilizationModel,
    findings: Sequence[Finding],
    existing: Sequence[FormalismFlag],
    *,
    actor: Actor,
) -> CheckReport:
    """Write the model's flags (inside the caller's transaction) and, when a flag was raised,
    changed or removed, the audit row of it."""
    report = CheckReport(models=1)
    found = {f.kind: f for f in findings}
    kinds: dict[str, list[str]] = {"raised": [], "updated": [], "removed": []}
    for flag in existing:
        finding = found.pop(flag.kind, None)
        if finding is None:
            flag.delete()
            report.removed += 1
            kinds["removed"].append(flag.kind)
            continue
        report.by_kind[flag.kind] += 1
        if flag.other_id == finding.other_id and _says_the_same(flag, finding):
            if flag.details != finding.details or flag.legacy_reason:
                # Only the days moved on, or an old row gets its numbers: the dismissal stands.
                flag.details = finding.details
                flag.legacy_reason = ""
                flag.save(update_fields=["details", "legacy_reason"])
            continue
        # New numbers: the reviewer who dismissed the old ones has not seen these.
        flag.details = finding.details
        flag.legacy_reason = ""
        flag.other_id = finding.other_id
        flag.dismissed_at = None
        flag.dismissed_note = ""
        flag.save(
            update_fields=["details", "legacy_reason", "other", "dismissed_at", "dismissed_note"]
        )
        report.updated += 1
        kinds["updated"].append(flag.kind)
    for finding in found.values():
        FormalismFlag.objects.create(
            model=model, kind=finding.kind, details=finding.details, other_id=finding.other_id
        )
        report.raised += 1
        report.by_kind[finding.kind] += 1
        kinds["raised"].append(finding.kind)
    if report.raised or report.updated or report.removed:
        audit_record(
            actor=actor,
            action="skillful.flags_check",
            obj=model,
            unit=model.unit,
            changes={
                "model": model.code,
                **{what: sorted(k) for what, k in kinds.items() if k},
                "standing": sorted(report.by_kind),
                "thresholds": thresholds(),
            },
        )
    return report


def _says_the_same(flag: FormalismFlag, finding: Finding) -> bool:
    """A row written before the details existed holds a sentence in the site's language: it says
    the same when the finding, written in that language, is that sentence."""
    if flag.details:
        return same_reason(flag.details, finding.details)
    with translation.override(settings.LANGUAGE_CODE):
        return flag.legacy_reason == finding.reason


def _findings(
    model: MobilizationModel,
    *,
    today: datetime.date | None,
    duplicate: Finding | None,
    reports: Sequence[IndicatorReport] | None = None,
    has_evidence: bool | None = None,
    complaints: dict[tuple[str, ...], Finding | None] | None = None,
) -> list[Finding]:
    """What the four checks find. The batch passes what it read for every model at once;
    ``complaints`` caches the rising-complaints check by unit and field (the same area and
    topics give the same counts, only the model's running period may differ)."""
    if complaints is None:
        rising = find_rising_complaints(model, today=today)
    else:
        key = (model.unit.path, model.field, str(model.starts_on), str(model.ends_on))
        if key not in complaints:
            complaints[key] = find_rising_complaints(model, today=today)
        rising = complaints[key]
    candidates = [
        find_no_progress(model, reports=reports),
        duplicate,
        rising,
        find_no_evidence(model, today=today, has_evidence=has_evidence),
    ]
    return [f for f in candidates if f is not None]


def check_model(
    model: MobilizationModel,
    *,
    today: datetime.date | None = None,
    actor: Actor = CHECKS_ACTOR,
) -> CheckReport:
    """Recompute the flags of one model. Call it after registering, changing or reporting."""
    with transaction.atomic():
        findings = _findings(model, today=today, duplicate=find_near_duplicate(model))
        existing = list(FormalismFlag.objects.select_for_update().filter(model=model))
        return _write(model, findings, existing, actor=actor)


def check_all(*, today: datetime.date | None = None, actor: Actor = CHECKS_ACTOR) -> CheckReport:
    """Recompute the flags of every model (the nightly job): one transaction per model."""
    total = CheckReport()
    duplicates = near_duplicates_of_all()
    flags: dict[int, list[FormalismFlag]] = defaultdict(list)
    for flag in FormalismFlag.objects.all():
        flags[flag.model_id].append(flag)
    with_evidence = set(Evidence.objects.values_list("model_id", flat=True).distinct())
    reports: dict[int, list[IndicatorReport]] = defaultdict(list)
    for report in (
        IndicatorReport.objects.select_related("indicator")
        .order_by(*REPORT_ORDER)
        .iterator(chunk_size=2000)
    ):
        reports[report.indicator.model_id].append(report)
    complaints: dict[tuple[str, ...], Finding | None] = {}
    models = MobilizationModel.objects.select_related("unit").order_by("pk")
    for model in models.iterator(chunk_size=500):
        with transaction.atomic():
            findings = _findings(
                model,
                today=today,
                duplicate=duplicates.get(model.pk),
                reports=reports.get(model.pk, []),
                has_evidence=model.pk in with_evidence,
                complaints=complaints,
            )
            total.add(_write(model, findings, flags.get(model.pk, []), actor=actor))
    logger.info(
        "Formalism checks: %s", {**dataclasses.asdict(total), "by_kind": dict(total.by_kind)}
    )
    return total


@task()
def check_models_task() -> dict[str, Any]:
    """The formalism checks of every model, in the background (run nightly)."""
    report = check_all()
    return {**dataclasses.asdict(report), "by_kind": dict(report.by_kind)}


@task()
def check_model_task(model_id: int) -> None:
    """The checks of one model, in the background (after a registration or a report)."""
    model = MobilizationModel.objects.select_related("unit").filter(pk=model_id).first()
    if model is not None:
        check_model(model)


# --- Dismissing ---------------------------------------------------------------------------------


def may_dismiss(user: Requester, model: MobilizationModel) -> bool:
    """Reviewers (who approve evaluations) of the model's unit dismiss its flags."""
    return can(user, Capability.APPROVE, model.unit)


@transaction.atomic
def flag_dismiss(*, actor: Actor, flag: FormalismFlag, note: str) -> FormalismFlag:
    """A reviewer sets a flag aside, saying why; it comes back if its numbers change."""
    model = flag.model
    if actor.user is not None and not may_dismiss(actor.user, model):
        raise PermissionDenied(_("You may not dismiss the flags of this model."))
    note = note.strip()
    if not note:
        raise ValidationError(_("Say why the flag is dismissed."))
    if flag.dismissed_at is not None:
        raise ValidationError(_("This flag was already dismissed."))
    flag.dismissed_at = timezone.now()
    flag.dismissed_note = note
    flag.save(update_fields=["dismissed_at", "dismissed_note"])
    audit_record(
        actor=actor,
        action="skillful.flag_dismiss",
        obj=flag,
        unit=model.unit,
        changes={"model": model.code, "kind": flag.kind, "note": note},
    )
    return flag
