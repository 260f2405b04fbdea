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
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.models import VoiceKind
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import fold, name_key
from danvan.skillful.flag_reasons import render_reason, same_reason
from danvan.skillful.models import (
    Evidence,
    Field,
    FlagKind,
    FormalismFlag,
    IndicatorReport,
    MobilizationModel,
    ModelStatus,
)

logger = logging.getLogger(__name__)

# --- Settings, with their defaults ---------------------------------------------------------------

#: Jaccard similarity of shingles from which two models are near-duplicates (see the README).
NEAR_DUPLICATE_THRESHOLD = 0.6


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def complaints_window_months() -> int:
    """DANVAN_SKILLFUL_COMPLAINTS_MONTHS (6): the span compared with the one before it."""
    return int(_setting("DANVAN_SKILLFUL_COMPLAINTS_MONTHS", 6))


def complaints_min() -> int:
    """DANVAN_SKILLFUL_COMPLAINTS_MIN (5): fewer voices than this in the recent span is noise."""
    return int(_setting("DANVAN_SKILLFUL_COMPLAINTS_MIN", 5))


def complaints_rise_percent() -> int:
    """DANVAN_SKILLFUL_COMPLAINTS_RISE_PERCENT (50): the rise over the span before that counts."""
    return int(_setting("DANVAN_SKILLFUL_COMPLAINTS_RISE_PERCENT", 50))


def evidence_grace_days() -> int:
    """DANVAN_SKILLFUL_EVIDENCE_GRACE_DAYS (90): days under way before evidence is expected."""
    return int(_setting("DANVAN_SKILLFUL_EVIDENCE_GRACE_DAYS", 90))


#: Voices that say something is wrong (not opinions or voter recommendations).
COMPLAINT_KINDS = (
    VoiceKind.COMPLAINT_FIRST,
    VoiceKind.COMPLAINT_SECOND,
    VoiceKind.DENUNCIATION,
    VoiceKind.REFLECTION,
)

#: Which built-in voice topics belong to which field of the movement. A province's own topics
#: are not mapped and do not count. "Other" belongs to no field.
TOPIC_FIELDS: dict[str, str] = {
    "land": Field.ECONOMY,
    "environment": Field.ECONOMY,
    "infrastructure": Field.ECONOMY,
    "social_policy": Field.CULTURE_SOCIETY,
    "health": Field.CULTURE_SOCIETY,
    "education": Field.CULTURE_SOCIETY,
    "religion_ethnicity": Field.CULTURE_SOCIETY,
    "public_order": Field.DEFENCE_SECURITY,
    "officials_conduct": Field.PARTY_BUILDING,
}

#: Statuses from which a model has been put forward and must show its evidence.
PUT_FORWARD = (
    ModelStatus.PROPOSED,
    ModelStatus.EVALUATED,
    ModelStatus.RECOGNIZED,
    ModelStatus.NOT_RECOGNIZED,
    ModelStatus.HONORED,
)


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str
    details: dict[str, Any]
    other_id: int | None = None

    @property
    def reason(self) -> str:
        """The sentence in the active language."""
        return render_reason(self.kind, self.details)


def _number(value: Decimal) -> str:
    """A decimal as stored in the details: plain digits, no exponent."""
    return format(Decimal(value).normalize(), "f") if value else "0"


# --- (a) No progress --------------------------------------------------------------------------


def _closer(value: Decimal, than: Decimal, direction: int) -> bool:
    return (value - than) * direction > 0


def _reports_by_indicator(reports: Iterable[IndicatorReport]) -> dict[int, list[IndicatorReport]]:
    by_indicator: dict[int, list[IndicatorReport]] = defaultdict(list)
    for report in reports:
        by_indicator[report.indicator_id].append(report)
    return by_indicator


_REPORT_ORDER = ("reported_on", "id")


def find_no_progress(
    model: MobilizationModel, *, reports: Sequence[IndicatorReport] | None = None
) -> Finding | None:
    """``reports``: the model's reports in order with their indicator, when already read."""
    if reports is None:
        reports = list(
            IndicatorReport.objects.filter(indicator__model=model)
            .select_related("indicator")
            .order_by(*_REPORT_ORDER)
        )
    by_indicator = _reports_by_indicator(reports)
    lines = []
    for rows in by_indicator.values():
        if len(rows) < 2:
            continue
        indicator = rows[-1].indicator
        previous, latest = rows[-2], rows[-1]
        direction = 1 if indicator.target >= indicator.baseline else -1
        if _closer(latest.value, previous.value, direction) or _closer(
            latest.value, indicator.baseline, direction
        ):
            continue
        lines.append(
            {
                "name": indicator.name,
                "measure": indicator.unit_of_measure,
                "baseline": _number(indicator.baseline),
                "target": _number(indicator.target),
                "previous_period": previous.period_label,
                "previous": _number(previous.value),
                "latest_period": latest.period_label,
                "latest": _number(latest.value),
            }
        )
    if not lines:
        return None
    return Finding(FlagKind.NO_PROGRESS, {"indicators": lines})


# --- (b) Near-duplicates ----------------------------------------------------------------------

#: The parts of the registration form compared (the time frame is dates, not text).
TEXT_PARTS = (
    "name",
    "situation",
    "goals",
    "content",
    "area_and_target",
    "forces",
    "resources",
    "expected_outputs",
    "sustainability",
)

_SENTENCES = re.compile(r"[.!?;:\n]+")
_WORDS = re.compile(r"\w+")
SHINGLE_WORDS = 3


def shingles(parts: Iterable[str], size: int = SHINGLE_WORDS) -> frozenset[str]:
    """Word ``size``-grams of the folded text, within sentences (so their order does not
    matter); a sentence shorter than ``size`` words counts as one shingle."""
    result: set[str] = set()
    for part in parts:
        for sentence in _SENTENCES.split(fold(part or "")):
            words = _WORDS.findall(sentence)
            if not words:
                continue
            if len(words) < size:
                result.add(" ".join(words))
                continue
            for i in range(len(words) - size + 1):
                result.add(" ".join(words[i : i + size]))
    return frozenset(result)


def model_shingles(model: Any) -> frozenset[str]:
    return shingles(getattr(model, part) for part in TEXT_PARTS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def candidate_pairs(
    docs: dict[int, frozenset[str]], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> set[tuple[int, int]]:
    """Pairs (a < b) of documents of one block (one field) that may reach ``threshold``, by
    prefix filtering: with each document's shingles ordered rarest first, two documents whose
    Jaccard similarity is at least t share a shingle among the first |x| − ⌈t·|x|⌉ + 1 of each.
    Exact (no pair above the threshold is missed) and far fewer comparisons than all pairs, since
    the rare shingles that start each prefix are shared by few documents."""
    frequency: Counter[str] = Counter()
    for doc in docs.values():
        frequency.update(doc)
    index: dict[str, list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    for doc_id, doc in sorted(docs.items(), key=lambda item: len(item[1])):
        if not doc:
            continue
        ordered = sorted(doc, key=lambda s: (frequency[s], s))
        prefix = len(ordered) - math.ceil(threshold * len(ordered)) + 1
        for shingle in ordered[:prefix]:
            for other in index[shingle]:
                # Shorter documents come first: the length filter |y| ≥ t·|x| in one test.
                if len(docs[other]) >= threshold * len(doc):
                    pairs.add((other, doc_id) if other < doc_id else (doc_id, other))
            index[shingle].append(doc_id)
    return pairs


def near_duplicate_pairs(
    docs: dict[int, frozenset[str]], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> dict[tuple[int, int], float]:
    """The pairs (a < b) of ``docs`` at or above ``threshold``, with their similarity."""
    # Each document as a bit set over the block's shingles: an intersection is one AND and a
    # popcount, several times faster than intersecting sets of strings.
    vocabulary: dict[str, int] = {}
    bits: dict[int, int] = {}
    for doc_id, doc in docs.items():
        value = 0
        for shingle in doc:
            value |= 1 << vocabulary.setdefault(shingle, len(vocabulary))
        bits[doc_id] = value
    found = {}
    for a, b in candidate_pairs(docs, threshold):
        shared = (bits[a] & bits[b]).bit_count()
        similarity = shared / (len(docs[a]) + len(docs[b]) - shared)
        if similarity >= threshold:
            found[(a, b)] = similarity
    return found


def _related(a: MobilizationModel, b: MobilizationModel) -> bool:
    """Alike by design: one replicates the other, both replicate the same origin, or the same
    unit registered it again under the same name (a new yearly round)."""
    if a.origin_id == b.pk or b.origin_id == a.pk:
        return True
    if a.origin_id is not None and a.origin_id == b.origin_id:
        return True
    return a.unit_id == b.unit_id and name_key(a.name) == name_key(b.name)


def _earlier(a: MobilizationModel, b: MobilizationModel) -> bool:
    return (a.created_at, a.pk) < (b.created_at, b.pk)


_COMPARED_FIELDS = (*TEXT_PARTS, "id", "code", "unit", "origin", "created_at", "field")


def _duplicate_reason(
    model: MobilizationModel, other: MobilizationModel, sim: float
) -> dict[str, Any]:
    return {
        "percent": round(sim * 100),
        "name": other.name,
        "code": other.code,
        "unit": other.unit.name,
        "day": timezone.localdate(other.created_at).isoformat(),
        "threshold": round(NEAR_DUPLICATE_THRESHOLD * 100),
    }


def find_near_duplicate(model: MobilizationModel) -> Finding | None:
    """The most similar earlier model of the same field, if near-identical."""
    mine = model_shingles(model)
    best: tuple[float, MobilizationModel] | None = None
    others = (
        MobilizationModel.objects.filter(field=model.field)
        .exclude(pk=model.pk)
        .select_related("unit")
        .only(*_COMPARED_FIELDS, "unit__name")
    )
    for other in others.iterator(chunk_size=500):
        if not _earlier(other, model) or _related(model, other):
            continue
        similarity = jaccard(mine, model_shingles(other))
        if similarity >= NEAR_DUPLICATE_THRESHOLD and (best is None or similarity > best[0]):
            best = (similarity, other)
    if best is None:
        return None
    return Finding(FlagKind.NEAR_DUPLICATE, _duplicate_reason(model, best[1], best[0]), best[1].pk)


def near_duplicates_of_all() -> dict[int, Finding]:
    """``find_near_duplicate`` for every model at once: blocked by field, candidates through the
    inverted index of rare shingles, then the exact similarity."""
    models = {
        m.pk: m
        for m in MobilizationModel.objects.select_related("unit").only(
            *_COMPARED_FIELDS, "unit__name"
        )
    }
    by_field: dict[str, dict[int, frozenset[str]]] = defaultdict(dict)
    for model in models.values():
        by_field[model.field][model.pk] = model_shingles(model)
    best: dict[int, tuple[float, int]] = {}
    for docs in by_field.values():
        for (a_id, b_id), similarity in near_duplicate_pairs(docs).items():
            a, b = models[a_id], models[b_id]
            if _related(a, b):
                continue
            later, earlier = (b, a) if _earlier(a, b) else (a, b)
            if later.pk not in best or similarity > best[later.pk][0]:
                best[later.pk] = (similarity, earlier.pk)
    return {
        pk: Finding(
            FlagKind.NEAR_DUPLICATE,
            _duplicate_reason(models[pk], models[other], sim),
            other,
        )
        for pk, (sim, other) in best.items()
    }


# --- (c) Rising complaints ----------------------------------------------------------------------


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def find_rising_complaints(
    model: MobilizationModel, *, today: datetime.date | None = None
) -> Finding | None:
    from danvan.voices.models import Voice

    topics = [code for code, field in TOPIC_FIELDS.items() if field == model.field]
    today = today or timezone.localdate()
    end = min(today, model.ends_on) if model.ends_on else today
    if not topics or model.starts_on >= end:
        return None
    months = complaints_window_months()
    middle = _months_before(end, months)
    start = _months_before(middle, months)
    counts = Voice.objects.filter(
        unit__path__startswith=model.unit.path,
        kind__in=COMPLAINT_KINDS,
        topic__code__in=topics,
        topic__province__isnull=True,
        received_on__gt=start,
        received_on__lte=end,
    ).aggregate(
        recent=Count("id", filter=Q(received_on__gt=middle)),
        before=Count("id", filter=Q(received_on__lte=middle)),
    )
    recent, before = counts["recent"], counts["before"]
    rise = complaints_rise_percent()
    if recent < complaints_min() or recent * 100 < before * (100 + rise) or recent <= before:
        return None
    return Finding(
        FlagKind.RISING_COMPLAINTS,
        {
            "recent": recent,
            "before": before,
            "field": model.field,
            "unit": model.unit.name,
            "from": (middle + datetime.timedelta(days=1)).isoformat(),
            "to": end.isoformat(),
            "months": months,
            "min": complaints_min(),
            "rise": rise,
        },
    )


# --- (d) No evidence ------------------------------------------------------------------------------


def find_no_evidence(
    model: MobilizationModel,
    *,
    today: datetime.date | None = None,
    has_evidence: bool | None = None,
) -> Finding | None:
    if has_evidence is None:
        has_evidence = Evidence.objects.filter(model=model).exists()
    if has_evidence:
        return None
    if model.status in PUT_FORWARD:
        return Finding(FlagKind.NO_EVIDENCE, {"status": model.status})
    today = today or timezone.localdate()
    days = (today - model.starts_on).days
    if days < evidence_grace_days():
        return None
    return Finding(
        FlagKind.NO_EVIDENCE,
        {"days": days, "started": model.starts_on.isoformat(), "grace": evidence_grace_days()},
    )


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
        "near_duplicate": NEAR_DUPLICATE_THRESHOLD,
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
        .order_by(*_REPORT_ORDER)
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


def may_dismiss(user: Any, model: MobilizationModel) -> bool:
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
