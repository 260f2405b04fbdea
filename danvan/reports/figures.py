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
from collections import defaultdict
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from danvan.dashboards.models import Bucket, Dim
from danvan.lib.routers import heavy_reads
from danvan.reports.figures_people import (
    case_figures,
    children_reports,
    concerns,
    hot_spots,
    model_figures,
)
from danvan.reports.figures_scope import FigureScope, as_int
from danvan.reports.figures_text import unit_label
from danvan.reports.periods import ReportPeriod
from danvan.reports.snapshot import (
    Count as Row,
)
from danvan.reports.snapshot import (
    PeriodInfo,
    Snapshot,
    TrendPoint,
)
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Channel, Topic, VoiceKind

__all__ = ["report_figures"]

#: Periods up to this many days have a trend by day, longer ones by month (as the dashboards).
DAILY_TREND_DAYS = 62


@heavy_reads()
def report_figures(
    *, unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date | None = None
) -> Snapshot:
    """Every figure of the report for ``unit`` (and all units below it) and ``period``."""
    today = today or timezone.localdate()
    with translation.override("vi"):
        return _Reader(unit, period, today).snapshot()


class _Reader(FigureScope):
    """Reads the counts from the dashboards' buckets; the rest from ``figures_people``."""

    def snapshot(self) -> Snapshot:
        sums = self._bucket_sums()
        total_sums = sums.get(Dim.TOTAL, {}).get("", {})
        total = Row(
            key="total",
            label="Tổng số",
            n=as_int(total_sums.get("n")),
            previous=as_int(total_sums.get("previous")),
            last_year=as_int(total_sums.get("last_year")),
        )
        answered = as_int(total_sums.get("answered"))
        kinds = sums.get(Dim.KIND, {})
        return Snapshot(
            unit_code=self.unit.code,
            unit_name=unit_label(self.unit.name, self.unit.kind),
            unit_tier=self.unit.tier,
            period=self._period_info(),
            generated_at=timezone.now().isoformat(),
            total=total,
            answered=answered,
            answered_on_time=as_int(total_sums.get("on_time")),
            average_days=(
                round(as_int(total_sums.get("days")) / answered, 1) if answered else None
            ),
            overdue=self._overdue(),
            by_kind=self._rows(kinds, {k: str(v) for k, v in VoiceKind.choices}),
            by_topic=self._rows(sums.get(Dim.TOPIC, {}), self._topic_names(sums)),
            by_channel=self._rows(
                sums.get(Dim.CHANNEL, {}), {k: str(v) for k, v in Channel.choices}
            ),
            by_unit=self._by_unit(),
            trend=self._trend(),
            concerns=concerns(self),
            hot_spots=hot_spots(self),
            **case_figures(self),
            models=model_figures(self),
            children_reports=children_reports(self),
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
                "n": as_int(n),
                "answered": as_int(answered),
                "on_time": as_int(on_time),
                "days": as_int(days),
                "previous": as_int(previous),
                "last_year": as_int(last_year),
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
        return as_int(
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
                        n=as_int(n),
                        previous=as_int(previous),
                        last_year=as_int(last_year),
                    )
                )
        rows.sort(key=lambda r: (-r.n, -r.previous, -r.last_year, r.label))
        return rows

    def _trend(self) -> list[TrendPoint]:
        """By day up to two months, else by month; the i-th step of the previous period beside
        the i-th step of this one (the 31st of a month has no match in a 30-day month before)."""
        daily = {
            day: as_int(n)
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
