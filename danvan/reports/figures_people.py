"""The figures of a report read from the voices and the other apps (``reports.figures``): the
complaints, denunciations and voters' recommendations, the largest issues in the people's words,
the hot spots, the "Skillful Mass Mobilization" models and the issued reports of the units below.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Value, Window
from django.db.models.functions import Coalesce, Length, RowNumber

from danvan.alerts.models import Alert, AlertLevel, AlertRule, AlertStatus
from danvan.dashboards.models import VoiceFact
from danvan.insight.models import Issue, IssueStatus
from danvan.reports.figures_scope import FigureScope, as_int, within
from danvan.reports.figures_text import quote, unit_label
from danvan.reports.models import Report, ReportStatus
from danvan.reports.snapshot import (
    CaseFigures,
    ChildReport,
    Concern,
    HotSpot,
    ModelFigures,
    VoterFigures,
)
from danvan.skillful.models import Commendation, MobilizationModel
from danvan.skillful.selectors import models_under_way
from danvan.voices.models import OPEN_STATUSES, Voice, VoiceKind, VoiceStatus

__all__ = [
    "CONCERNS",
    "HOT_SPOTS",
    "PROBE",
    "case_figures",
    "children_reports",
    "concerns",
    "hot_spots",
    "model_figures",
]

#: How many of the largest issues the report quotes.
CONCERNS = 5
#: How many of the largest issues (by all their voices) are counted first for the concerns.
PROBE = 50
#: At most this many hot spots (the most serious first): a year of a province can have hundreds.
HOT_SPOTS = 30

COMPLAINT_KINDS = (VoiceKind.COMPLAINT_FIRST, VoiceKind.COMPLAINT_SECOND)
DENUNCIATION_KINDS = (VoiceKind.DENUNCIATION,)
VOTER_KINDS = (VoiceKind.VOTER_RECOMMENDATION,)


def _voices_in_period(scope: FigureScope) -> Any:
    return Voice.objects.filter(
        within(scope.period.start, scope.period.end, "received_on"),
        unit_id__in=scope.unit_ids,
    )


def case_figures(scope: FigureScope) -> dict[str, Any]:
    """Complaints, denunciations and voters' recommendations received in the period, in one
    grouped query over the dashboards' facts (one narrow row per voice, kept by the same
    triggers: a seventh of the voices' table to scan). "Accepted" is any status past
    "received" but "refused" (no service takes an accepted case back to "received"); "on
    time" is the facts' own (the dashboards' rule)."""
    open_ = Q(status__in=OPEN_STATUSES)
    rows = (
        VoiceFact.objects.filter(
            scope.in_period,
            unit_id__in=scope.unit_ids,
            kind__in=[*COMPLAINT_KINDS, *DENUNCIATION_KINDS, *VOTER_KINDS],
        )
        .values_list("kind")
        .annotate(
            received=Count("voice_id"),
            accepted=Count(
                "voice_id",
                filter=~Q(status__in=[VoiceStatus.RECEIVED, VoiceStatus.REFUSED]),
            ),
            refused=Count("voice_id", filter=Q(status=VoiceStatus.REFUSED)),
            resolved=Count("voice_id", filter=Q(answered=1)),
            on_time=Count("voice_id", filter=Q(answered=1, on_time=1)),
            pending=Count("voice_id", filter=open_),
            overdue=Count("voice_id", filter=open_ & Q(due_on__lt=scope.today)),
        )
        .order_by()
    )
    by_kind = {row[0]: row[1:] for row in rows}

    def figures_of(group: tuple[str, ...]) -> CaseFigures:
        figures = CaseFigures()
        for kind in group:
            received, accepted, refused, resolved, on_time, pending, overdue = by_kind.get(
                kind, (0, 0, 0, 0, 0, 0, 0)
            )
            figures.received += received
            figures.accepted += accepted
            figures.refused += refused
            figures.resolved += resolved
            figures.resolved_on_time += on_time
            figures.resolved_late += resolved - on_time
            figures.pending += pending
            figures.overdue += overdue
        return figures

    voters = figures_of(VOTER_KINDS)
    return {
        "complaints": figures_of(COMPLAINT_KINDS),
        "denunciations": figures_of(DENUNCIATION_KINDS),
        "voter_recommendations": VoterFigures(
            received=voters.received,
            answered=voters.resolved,
            answered_on_time=voters.resolved_on_time,
            pending=voters.pending,
        ),
    }


def _largest_issues(scope: FigureScope) -> list[tuple[int, int]]:
    """(issue id, voices in the period in scope), the most first, ``CONCERNS`` of them.

    An issue belongs to the commune of its voices (``insight``: matched, merged and moved
    within a commune), so the issues of the units in scope and above hold every voice in
    scope, and none has more voices in the period than its ``voice_count``. The largest
    ``PROBE`` of them are counted first (by the issue index): when the fifth has more voices
    than the next issue has in all, no other issue can reach it and the answer is exact. Else
    (issues of even sizes) every voice of the period is grouped by issue, the plain way."""
    period = scope.period
    candidates = list(
        Issue.objects.filter(unit_id__in=scope.issue_unit_ids, voice_count__gt=0)
        .filter(Q(first_received_on__isnull=True) | Q(first_received_on__lte=period.end))
        .filter(Q(last_received_on__isnull=True) | Q(last_received_on__gte=period.start))
        .order_by("-voice_count", "id")
        .values_list("pk", "voice_count")[: PROBE + 1]
    )
    if not candidates:
        return []
    voices = _voices_in_period(scope)
    probe = [pk for pk, _n in candidates[:PROBE]]
    counted = sorted(
        voices.filter(issue_id__in=probe)
        .values_list("issue_id")
        .annotate(n=Count("id"))
        .order_by(),
        key=lambda row: (-row[1], row[0]),
    )[:CONCERNS]
    bound = candidates[PROBE][1] if len(candidates) > PROBE else 0
    if len(candidates) <= PROBE or (len(counted) == CONCERNS and counted[-1][1] > bound):
        return [(issue_id, n) for issue_id, n in counted]
    return [
        (issue_id, n)
        for issue_id, n in voices.filter(issue__isnull=False)
        .values_list("issue_id")
        .annotate(n=Count("id"))
        .order_by("-n", "issue_id")[:CONCERNS]
    ]


def concerns(scope: FigureScope) -> list[Concern]:
    """The issues with the most voices received in the period in scope, each with the text
    of its closest voice (highest ``issue_score``; the longest among equals)."""
    top = _largest_issues(scope)
    if not top:
        return []
    counts = dict(top)
    issues = {i.pk: i for i in Issue.objects.filter(pk__in=counts).select_related("unit", "topic")}
    texts = {
        issue_id: text
        for issue_id, text, _rank in _voices_in_period(scope)
        .filter(issue_id__in=counts)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by="issue_id",
                order_by=[
                    Coalesce("issue_score", Value(0.0)).desc(),
                    Length("text").desc(),
                    "id",
                ],
            )
        )
        .filter(rank=1)
        .values_list("issue_id", "text", "rank")
    }
    statuses = {k: str(v) for k, v in IssueStatus.choices}
    concerns = []
    for issue_id, n in top:
        issue = issues.get(issue_id)
        if issue is None:
            continue
        concerns.append(
            Concern(
                issue_id=issue_id,
                title=issue.title,
                unit=unit_label(issue.unit.name, issue.unit.kind),
                voices=n,
                total_voices=issue.voice_count,
                text=quote(texts.get(issue_id, "")),
                status=statuses.get(issue.status, issue.status),
                topic=issue.topic.name,
            )
        )
    return concerns


def hot_spots(scope: FigureScope) -> list[HotSpot]:
    """Alerts in scope raised in the period, or raised before and still active in it."""
    under = Q()
    for path in scope.paths:
        under |= Q(unit__path__startswith=path)
    alerts = (
        Alert.objects.filter(under, raised_on__lte=scope.period.end)
        .filter(
            Q(raised_on__gte=scope.period.start)
            | Q(closed_at__isnull=True)
            | Q(closed_at__date__gte=scope.period.start)
        )
        .select_related("unit", "topic")
        .order_by("-level", "-raised_on", "-id")[:HOT_SPOTS]
    )
    levels = {k: str(v) for k, v in AlertLevel.choices}
    rules = {k: str(v) for k, v in AlertRule.choices}
    statuses = {k: str(v) for k, v in AlertStatus.choices}
    spots = []
    for alert in alerts:
        handling = []
        if alert.acknowledge_note.strip():
            handling.append(f"Tiếp nhận: {' '.join(alert.acknowledge_note.split())}")
        if alert.close_note.strip():
            handling.append(f"Kết thúc: {' '.join(alert.close_note.split())}")
        spots.append(
            HotSpot(
                alert_id=alert.pk,
                level=alert.level,
                level_label=levels.get(alert.level, str(alert.level)),
                rule_label=rules.get(alert.rule, alert.rule),
                unit=unit_label(alert.unit.name, alert.unit.kind),
                topic=alert.topic.name,
                raised_on=alert.raised_on.isoformat(),
                reason=alert.reason_text(),
                status_label=statuses.get(alert.status, alert.status),
                handling="; ".join(handling),
            )
        )
    return spots


def model_figures(scope: FigureScope) -> ModelFigures:
    under = Q()
    for path in scope.paths:
        under |= Q(unit__path__startswith=path)
    models = MobilizationModel.objects.filter(under)
    counts = models.aggregate(
        registered=Count(
            "id", filter=within(scope.period.start, scope.period.end, "created_at__date")
        ),
    )
    under_way = models_under_way(models).count()
    honored = list(
        Commendation.objects.filter(
            within(scope.period.start, scope.period.end, "decided_on"),
            model__in=models,
        )
        .order_by("decided_on", "id")
        .values_list("model_id", "model__name")
    )
    names: list[str] = []
    seen: set[int] = set()
    for model_id, name in honored:
        if model_id not in seen:
            seen.add(model_id)
            if len(names) < 10:
                names.append(name)
    return ModelFigures(
        registered=as_int(counts["registered"]),
        honored=len(seen),
        total_active=under_way,
        honored_names=names,
    )


def children_reports(scope: FigureScope) -> list[ChildReport]:
    """The latest issued report of each unit directly below for the same period."""
    if not scope.children:
        return []
    names = {c.pk: unit_label(c.name, c.kind) for c in scope.children}
    reports = (
        Report.objects.filter(
            unit_id__in=list(names),
            period_code=scope.period.code,
            status=ReportStatus.ISSUED,
        )
        .order_by("unit_id", F("issued_on").desc(nulls_last=True), "-id")
        .only("id", "unit_id", "symbol", "issued_on", "figures", "proposals")
    )
    latest: dict[int, Report] = {}
    for report in reports:
        latest.setdefault(report.unit_id, report)
    result = []
    for child in scope.children:
        report = latest.get(child.pk)
        if report is None:
            continue
        figures = report.figures or {}
        result.append(
            ChildReport(
                report_id=report.pk,
                unit=names[child.pk],
                symbol=report.symbol,
                issued_on=report.issued_on.isoformat() if report.issued_on else "",
                received=as_int((figures.get("total") or {}).get("n")),
                complaints=as_int((figures.get("complaints") or {}).get("received")),
                resolved_on_time=as_int((figures.get("complaints") or {}).get("resolved_on_time")),
                proposals=report.proposals,
            )
        )
    return result
