"""The four formalism checks (kiểm tra hình thức), each finding a reason for one model or nothing:
no progress, near-duplicate, rising complaints, no evidence (what each looks at is in
``checks``'s docstring and the app's README), with the settings they read. They write nothing:
``checks`` turns their findings into flags.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from danvan.deadlines.models import VoiceKind
from danvan.lib.text import name_key
from danvan.skillful import similarity
from danvan.skillful.flag_reasons import render_reason
from danvan.skillful.models import (
    Evidence,
    Field,
    FlagKind,
    IndicatorReport,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.similarity import (
    TEXT_PARTS,
    jaccard,
    model_shingles,
    near_duplicate_pairs,
)
from danvan.voices.models import Voice

# --- Settings, with their defaults ----------------------------------------------------------------


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


# --- (a) No progress ------------------------------------------------------------------------------


def _closer(value: Decimal, than: Decimal, direction: int) -> bool:
    return (value - than) * direction > 0


def _reports_by_indicator(reports: Iterable[IndicatorReport]) -> dict[int, list[IndicatorReport]]:
    by_indicator: dict[int, list[IndicatorReport]] = defaultdict(list)
    for report in reports:
        by_indicator[report.indicator_id].append(report)
    return by_indicator


REPORT_ORDER = ("reported_on", "id")


def find_no_progress(
    model: MobilizationModel, *, reports: Sequence[IndicatorReport] | None = None
) -> Finding | None:
    """``reports``: the model's reports in order with their indicator, when already read."""
    if reports is None:
        reports = list(
            IndicatorReport.objects.filter(indicator__model=model)
            .select_related("indicator")
            .order_by(*REPORT_ORDER)
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


# --- (b) Near-duplicates --------------------------------------------------------------------------


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
        "threshold": round(similarity.NEAR_DUPLICATE_THRESHOLD * 100),
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
        score = jaccard(mine, model_shingles(other))
        if score >= similarity.NEAR_DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, other)
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
        for (a_id, b_id), score in near_duplicate_pairs(docs).items():
            a, b = models[a_id], models[b_id]
            if _related(a, b):
                continue
            later, earlier = (b, a) if _earlier(a, b) else (a, b)
            if later.pk not in best or score > best[later.pk][0]:
                best[later.pk] = (score, earlier.pk)
    return {
        pk: Finding(
            FlagKind.NEAR_DUPLICATE,
            _duplicate_reason(models[pk], models[other], sim),
            other,
        )
        for pk, (sim, other) in best.items()
    }


# --- (c) Rising complaints ------------------------------------------------------------------------


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
