"""The figures of a synthesis report, read from the database for one unit and period.

``report_figures`` returns a ``snapshot.Snapshot``: the counts of voices received in the period, the
period before and the same period a year earlier (by kind, topic, channel and the units directly
below), what became of them, the largest issues in the people's words, the hot spots, complaints,
denunciations and voters' recommendations, the "Skillful Mass Mobilization" models, and the issued
reports of the units below for the same period.

Counts come from the dashboards' buckets (``danvan.dashboards``: kept by database triggers, equal to
direct counts, a few thousand rows for a province's quarter whatever the number of voices), with
the dashboards' rules for "answered", "on time", "average days" and "overdue". What the buckets do
not hold is read in one grouped query each: the fate of complaints, denunciations and voters'
recommendations from the dashboards' facts (one narrow row per voice), the issues of the period from
the voices. At most 18 queries whatever the unit or the period: nothing is read per row.

Labels are Vietnamese (the language of the document) whatever the reader's language.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q, Sum, Value, Window
from django.db.models.functions import Coalesce, Length, RowNumber
from django.utils import timezone, translation

from danvan.alerts.models import Alert, AlertLevel, AlertRule, AlertStatus
from danvan.dashboards.models import Bucket, Dim, VoiceFact
from danvan.dashboards.selectors import paths_of
from danvan.insight.models import Issue, IssueStatus
from danvan.lib.routers import heavy_reads
from danvan.reports.models import Report, ReportStatus
from danvan.reports.periods import ReportPeriod
from danvan.reports.snapshot import (
    CaseFigures,
    ChildReport,
    Concern,
    HotSpot,
    ModelFigures,
    PeriodInfo,
    Snapshot,
    TrendPoint,
    VoterFigures,
)
from danvan.reports.snapshot import (
    Count as Row,
)
from danvan.skillful.models import Commendation, MobilizationModel
from danvan.skillful.selectors import models_under_way
from danvan.units.models import AdministrativeUnit, UnitKind
from danvan.voices.models import OPEN_STATUSES, Channel, Topic, Voice, VoiceKind, VoiceStatus

__all__ = ["CONCERNS", "HOT_SPOTS", "quote", "report_figures", "unit_label"]

#: How many of the largest issues the report quotes.
CONCERNS = 5
#: How many of the largest issues (by all their voices) are counted first for the concerns.
PROBE = 50
#: At most this many hot spots (the most serious first): a year of a province can have hundreds.
HOT_SPOTS = 30
#: How long a quoted voice may be, in characters (cut at a word).
QUOTE_CHARS = 300
#: Periods up to this many days have a trend by day, longer ones by month (as the dashboards).
DAILY_TREND_DAYS = 62

COMPLAINT_KINDS = (VoiceKind.COMPLAINT_FIRST, VoiceKind.COMPLAINT_SECOND)
DENUNCIATION_KINDS = (VoiceKind.DENUNCIATION,)
VOTER_KINDS = (VoiceKind.VOTER_RECOMMENDATION,)

#: The words a unit's name starts with when it says what the unit is ("Xã Anh Sơn"); inside a
#: sentence they are written in lower case ("xã Anh Sơn"), the name itself is left as it is.
_KIND_WORDS = (
    "Thành phố",
    "Tỉnh",
    "Xã",
    "Phường",
    "Đặc khu",
    "Thị trấn",
    "Huyện",
    "Quận",
    "Thị xã",
    "Thôn",
    "Xóm",
    "Bản",
    "Làng",
    "Ấp",
    "Buôn",
    "Sóc",
    "Khối",
    "Khu phố",
    "Tổ dân phố",
    "Tổ",
    "Khu",
)

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


#: The word for a unit whose name does not say what it is (provinces are stored as "Nghệ An").
_KIND_WORD: dict[str, str] = {
    UnitKind.PROVINCE: "tỉnh",
    UnitKind.CENTRAL_CITY: "thành phố",
    UnitKind.COMMUNE: "xã",
    UnitKind.WARD: "phường",
    UnitKind.SPECIAL_ZONE: "đặc khu",
}


def unit_label(name: str, kind: str = "") -> str:
    """The unit as named in a sentence: "Xã Anh Sơn" → "xã Anh Sơn"; a name that does not say
    what the unit is gets the word of its ``kind`` ("Nghệ An", province → "tỉnh Nghệ An")."""
    for word in _KIND_WORDS:
        if name.startswith(word + " "):
            return word.lower() + name[len(word) :]
    word = _KIND_WORD.get(kind, "")
    return f"{word} {name}" if word else name


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A voice's text for the report: one paragraph, phone numbers and email addresses left out,
    cut at a word to about ``limit`` characters."""
    flat = " ".join((text or "").split())
    flat = _EMAIL.sub("…", _PHONE.sub("…", flat))
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"


def _within(start: datetime.date, end: datetime.date, field: str = "day") -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _int(value: Any) -> int:
    return int(value or 0)


@heavy_reads()
def report_figures(
    *, unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date | None = None
) -> Snapshot:
    """Every figure of the report for ``unit`` (and all units below it) and ``period``."""
    today = today or timezone.localdate()
    with translation.override("vi"):
        return _Reader(unit, period, today).snapshot()


class _Reader:
    def __init__(self, unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date):
        self.unit = unit
        self.period = period
        self.previous = period.previous()
        self.last_year = period.last_year()
        self.today = today
        self.paths = paths_of([unit])
        under = Q()
        for path in self.paths:
            under |= Q(path__startswith=path)
        # Ids of every unit in scope (merged units included): voices are read by unit id. The
        # units above come in the same query: a village's issues belong to its commune.
        above = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/" and i > 0]
        ids_and_paths = list(
            AdministrativeUnit.objects.filter(under | Q(path__in=above))
            .order_by()
            .values_list("pk", "path")
        )
        inside = [(pk, path) for pk, path in ids_and_paths if path.startswith(self.paths)]
        self.unit_ids = [pk for pk, _path in inside]
        self.areas = [pk for pk, path in inside if path in self.paths]
        self.issue_unit_ids = [pk for pk, _path in ids_and_paths]
        self.children = list(
            AdministrativeUnit.objects.current().filter(parent=unit).order_by("name")
        )
        self.in_period = _within(period.start, period.end)
        self.in_previous = _within(self.previous.start, self.previous.end)
        self.in_last_year = _within(self.last_year.start, self.last_year.end)

    def snapshot(self) -> Snapshot:
        sums = self._bucket_sums()
        total_sums = sums.get(Dim.TOTAL, {}).get("", {})
        total = Row(
            key="total",
            label="Tổng số",
            n=_int(total_sums.get("n")),
            previous=_int(total_sums.get("previous")),
            last_year=_int(total_sums.get("last_year")),
        )
        answered = _int(total_sums.get("answered"))
        kinds = sums.get(Dim.KIND, {})
        return Snapshot(
            unit_code=self.unit.code,
            unit_name=unit_label(self.unit.name, self.unit.kind),
            unit_tier=self.unit.tier,
            period=self._period_info(),
            generated_at=timezone.now().isoformat(),
            total=total,
            answered=answered,
            answered_on_time=_int(total_sums.get("on_time")),
            average_days=(round(_int(total_sums.get("days")) / answered, 1) if answered else None),
            overdue=self._overdue(),
            by_kind=self._rows(kinds, {k: str(v) for k, v in VoiceKind.choices}),
            by_topic=self._rows(sums.get(Dim.TOPIC, {}), self._topic_names(sums)),
            by_channel=self._rows(
                sums.get(Dim.CHANNEL, {}), {k: str(v) for k, v in Channel.choices}
            ),
            by_unit=self._by_unit(),
            trend=self._trend(),
            concerns=self._concerns(),
            hot_spots=self._hot_spots(),
            **self._cases(),
            models=self._models(),
            children_reports=self._children_reports(),
        )

    # --- Counts from the buckets ----------------------------------------------------------------

    def _period_info(self) -> PeriodInfo:
        p = self.period
        return PeriodInfo(
            code=p.code,
            kind=p.kind,
            start=p.start.isoformat(),
            end=p.end.isoformat(),
            label=p.label_vi(),
            previous_start=self.previous.start.isoformat(),
            previous_end=self.previous.end.isoformat(),
            last_year_start=self.last_year.start.isoformat(),
            last_year_end=self.last_year.end.isoformat(),
        )

    def _windows(self) -> dict[str, Any]:
        def s(name: str, window: Q) -> Any:
            return Coalesce(Sum(name, filter=window), 0)

        return {
            "s_n": s("n", self.in_period),
            "s_answered": s("answered", self.in_period),
            "s_on_time": s("on_time", self.in_period),
            "s_days": s("days", self.in_period),
            "s_previous": s("n", self.in_previous),
            "s_last_year": s("n", self.in_last_year),
        }

    def _bucket_sums(self) -> dict[str, dict[str, dict[str, int]]]:
        """{dim: {value: {n, answered, on_time, days, previous, last_year}}} in one query."""
        rows = (
            Bucket.objects.filter(
                self.in_period | self.in_previous | self.in_last_year,
                area_id__in=self.areas,
                dim__in=[Dim.TOTAL, Dim.KIND, Dim.CHANNEL, Dim.TOPIC],
            )
            .values_list("dim", "value")
            .annotate(**self._windows())
            .order_by()
        )
        result: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
        for dim, value, n, answered, on_time, days, previous, last_year in rows:
            result[dim][value] = {
                "n": _int(n),
                "answered": _int(answered),
                "on_time": _int(on_time),
                "days": _int(days),
                "previous": _int(previous),
                "last_year": _int(last_year),
            }
        return result

    @staticmethod
    def _topic_names(sums: dict[str, dict[str, dict[str, int]]]) -> dict[str, str]:
        ids = [int(v) for v in sums.get(Dim.TOPIC, {}) if v.isdigit()]
        return {
            str(pk): name for pk, name in Topic.objects.filter(pk__in=ids).values_list("pk", "name")
        }

    @staticmethod
    def _rows(figures: dict[str, dict[str, int]], labels: dict[str, str]) -> list[Row]:
        rows = [
            Row(
                key=value,
                label=labels.get(value, value),
                n=f["n"],
                previous=f["previous"],
                last_year=f["last_year"],
            )
            for value, f in figures.items()
            if f["n"] or f["previous"] or f["last_year"]
        ]
        rows.sort(key=lambda r: (-r.n, -r.previous, -r.last_year, r.label))
        return rows

    def _overdue(self) -> int:
        return _int(
            Bucket.objects.filter(
                self.in_period,
                area_id__in=self.areas,
                dim=Dim.DUE,
                value__lt=self.today.isoformat(),
            ).aggregate(n=Coalesce(Sum("n"), 0))["n"]
        )

    def _by_unit(self) -> list[Row]:
        if not self.children:
            return []
        windows = self._windows()
        per_area = {
            area: (n, previous, last_year)
            for area, n, previous, last_year in Bucket.objects.filter(
                self.in_period | self.in_previous | self.in_last_year,
                area_id__in=[c.pk for c in self.children],
                dim=Dim.TOTAL,
            )
            .values_list("area_id")
            .annotate(
                s_n=windows["s_n"],
                s_previous=windows["s_previous"],
                s_last_year=windows["s_last_year"],
            )
            .order_by()
        }
        rows = []
        for child in self.children:
            n, previous, last_year = per_area.get(child.pk, (0, 0, 0))
            if n or previous or last_year:
                rows.append(
                    Row(
                        key=child.code,
                        label=unit_label(child.name, child.kind),
                        n=_int(n),
                        previous=_int(previous),
                        last_year=_int(last_year),
                    )
                )
        rows.sort(key=lambda r: (-r.n, -r.previous, -r.last_year, r.label))
        return rows

    def _trend(self) -> list[TrendPoint]:
        """By day up to two months, else by month; the i-th step of the previous period beside
        the i-th step of this one (the 31st of a month has no match in a 30-day month before)."""
        daily = {
            day: _int(n)
            for day, n in Bucket.objects.filter(
                self.in_period | self.in_previous, area_id__in=self.areas, dim=Dim.TOTAL
            )
            .values_list("day")
            .annotate(s=Sum("n"))
            .order_by()
        }
        by_month = self.period.days > DAILY_TREND_DAYS

        def steps(start: datetime.date, end: datetime.date) -> list[tuple[str, int]]:
            sums: dict[str, int] = {}
            day = start
            while day <= end:
                label = f"{day:%m/%Y}" if by_month else f"{day:%d/%m}"
                sums[label] = sums.get(label, 0) + daily.get(day, 0)
                day += datetime.timedelta(days=1)
            return list(sums.items())

        now = steps(self.period.start, self.period.end)
        before = steps(self.previous.start, self.previous.end)
        return [
            TrendPoint(label=label, n=n, previous=before[i][1] if i < len(before) else 0)
            for i, (label, n) in enumerate(now)
        ]

    # --- Read from the voices and the other apps ------------------------------------------------

    def _voices_in_period(self) -> Any:
        return Voice.objects.filter(
            _within(self.period.start, self.period.end, "received_on"),
            unit_id__in=self.unit_ids,
        )

    def _cases(self) -> dict[str, Any]:
        """Complaints, denunciations and voters' recommendations received in the period, in one
        grouped query over the dashboards' facts (one narrow row per voice, kept by the same
        triggers: a seventh of the voices' table to scan). "Accepted" is any status past
        "received" but "refused" (no service takes an accepted case back to "received"); "on
        time" is the facts' own (the dashboards' rule)."""
        open_ = Q(status__in=OPEN_STATUSES)
        rows = (
            VoiceFact.objects.filter(
                self.in_period,
                unit_id__in=self.unit_ids,
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
                overdue=Count("voice_id", filter=open_ & Q(due_on__lt=self.today)),
            )
            .order_by()
        )
        by_kind = {row[0]: row[1:] for row in rows}

        def cases(group: tuple[str, ...]) -> CaseFigures:
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

        voters = cases(VOTER_KINDS)
        return {
            "complaints": cases(COMPLAINT_KINDS),
            "denunciations": cases(DENUNCIATION_KINDS),
            "voter_recommendations": VoterFigures(
                received=voters.received,
                answered=voters.resolved,
                answered_on_time=voters.resolved_on_time,
                pending=voters.pending,
            ),
        }

    def _largest_issues(self) -> list[tuple[int, int]]:
        """(issue id, voices in the period in scope), the most first, ``CONCERNS`` of them.

        An issue belongs to the commune of its voices (``insight``: matched, merged and moved
        within a commune), so the issues of the units in scope and above hold every voice in
        scope, and none has more voices in the period than its ``voice_count``. The largest
        ``PROBE`` of them are counted first (by the issue index): when the fifth has more voices
        than the next issue has in all, no other issue can reach it and the answer is exact. Else
        (issues of even sizes) every voice of the period is grouped by issue, the plain way."""
        period = self.period
        candidates = list(
            Issue.objects.filter(unit_id__in=self.issue_unit_ids, voice_count__gt=0)
            .filter(Q(first_received_on__isnull=True) | Q(first_received_on__lte=period.end))
            .filter(Q(last_received_on__isnull=True) | Q(last_received_on__gte=period.start))
            .order_by("-voice_count", "id")
            .values_list("pk", "voice_count")[: PROBE + 1]
        )
        if not candidates:
            return []
        voices = self._voices_in_period()
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

    def _concerns(self) -> list[Concern]:
        """The issues with the most voices received in the period in scope, each with the text
        of its closest voice (highest ``issue_score``; the longest among equals)."""
        top = self._largest_issues()
        if not top:
            return []
        counts = dict(top)
        issues = {
            i.pk: i for i in Issue.objects.filter(pk__in=counts).select_related("unit", "topic")
        }
        texts = {
            issue_id: text
            for issue_id, text, _rank in self._voices_in_period()
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

    def _hot_spots(self) -> list[HotSpot]:
        """Alerts in scope raised in the period, or raised before and still active in it."""
        under = Q()
        for path in self.paths:
            under |= Q(unit__path__startswith=path)
        alerts = (
            Alert.objects.filter(under, raised_on__lte=self.period.end)
            .filter(
                Q(raised_on__gte=self.period.start)
                | Q(closed_at__isnull=True)
                | Q(closed_at__date__gte=self.period.start)
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

    def _models(self) -> ModelFigures:
        under = Q()
        for path in self.paths:
            under |= Q(unit__path__startswith=path)
        models = MobilizationModel.objects.filter(under)
        counts = models.aggregate(
            registered=Count(
                "id", filter=_within(self.period.start, self.period.end, "created_at__date")
            ),
        )
        under_way = models_under_way(models).count()
        honored = list(
            Commendation.objects.filter(
                _within(self.period.start, self.period.end, "decided_on"),
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
            registered=_int(counts["registered"]),
            honored=len(seen),
            total_active=under_way,
            honored_names=names,
        )

    def _children_reports(self) -> list[ChildReport]:
        """The latest issued report of each unit directly below for the same period."""
        if not self.children:
            return []
        names = {c.pk: unit_label(c.name, c.kind) for c in self.children}
        reports = (
            Report.objects.filter(
                unit_id__in=list(names),
                period_code=self.period.code,
                status=ReportStatus.ISSUED,
            )
            .order_by("unit_id", F("issued_on").desc(nulls_last=True), "-id")
            .only("id", "unit_id", "symbol", "issued_on", "figures", "proposals")
        )
        latest: dict[int, Report] = {}
        for report in reports:
            latest.setdefault(report.unit_id, report)
        result = []
        for child in self.children:
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
                    received=_int((figures.get("total") or {}).get("n")),
                    complaints=_int((figures.get("complaints") or {}).get("received")),
                    resolved_on_time=_int(
                        (figures.get("complaints") or {}).get("resolved_on_time")
                    ),
                    proposals=report.proposals,
                )
            )
        return result
