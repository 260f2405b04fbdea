"""What the dashboard shows, read from the buckets (counts) and from the voices (lists).

``aggregates`` runs every count of a dashboard in four queries over ``Bucket`` whatever the number
of voices: the sums by dimension for the period and the previous one, the overdue count, the sums
per child unit (drill-down) and the trend by day. ``naive_aggregates`` computes the same figures
with GROUP BY over the voices themselves: the benchmark's baseline, and a check in the tests.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from danvan.accounts.models import User
from danvan.dashboards.models import Bucket, Dim
from danvan.dashboards.periods import Period
from danvan.insight.models import Issue
from danvan.lib.roles import Capability
from danvan.lib.scoping import can, scope_for
from danvan.organizations.models import Body
from danvan.units.models import AdministrativeUnit
from danvan.units.selectors import minimal_paths, paths_with_predecessors, scope_roots
from danvan.voices.models import Channel, Topic, Voice, VoiceKind, VoiceStatus
from danvan.voices.selectors import overdue_now

SHOWN_DIMS = [Dim.TOTAL, Dim.KIND, Dim.CHANNEL, Dim.STATUS, Dim.TOPIC, Dim.BODY]


@dataclass
class Figures:
    """Sums over some voices: received, answered, answered on time, days taken; and before."""

    n: int = 0
    answered: int = 0
    on_time: int = 0
    days: int = 0
    previous: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return 100.0 * self.on_time / self.answered if self.answered else None

    @property
    def average_days(self) -> float | None:
        return self.days / self.answered if self.answered else None

    @property
    def delta(self) -> int:
        return self.n - self.previous

    @property
    def delta_percent(self) -> float | None:
        return 100.0 * (self.n - self.previous) / self.previous if self.previous else None


@dataclass
class Aggregates:
    by_dim: dict[str, dict[str, Figures]]
    overdue: int
    children: dict[int, Figures]
    #: (day, received in the period, received in the previous period on the matching day)
    trend: list[tuple[datetime.date, int, int]]

    @property
    def total(self) -> Figures:
        return self.by_dim.get(Dim.TOTAL, {}).get("", Figures())


def _sums(prefix_filter: Q | None = None) -> dict[str, Any]:
    def s(name: str) -> Any:
        return Coalesce(Sum(name, filter=prefix_filter), 0)

    return {
        "s_n": s("n"),
        "s_answered": s("answered"),
        "s_on_time": s("on_time"),
        "s_days": s("days"),
    }


def aggregates(
    *, areas: list[int], children: list[int], period: Period, today: datetime.date | None = None
) -> Aggregates:
    today = today or timezone.localdate()
    in_period = Q(day__gte=period.start)
    rows = (
        Bucket.objects.filter(
            area_id__in=areas,
            dim__in=SHOWN_DIMS,
            day__gte=period.previous_start,
            day__lte=period.end,
        )
        .values_list("dim", "value")
        .annotate(**_sums(in_period), s_previous=Coalesce(Sum("n", filter=~in_period), 0))
        .order_by()
    )
    by_dim: dict[str, dict[str, Figures]] = defaultdict(dict)
    for dim, value, n, answered, on_time, days, previous in rows:
        by_dim[dim][value] = Figures(n, answered, on_time, days, previous)
    # Overdue now: whenever received (``voices.selectors.overdue_now``, counted by the triggers).
    overdue = Bucket.objects.filter(
        area_id__in=areas, dim=Dim.DUE, value__lt=today.isoformat()
    ).aggregate(n=Coalesce(Sum("n"), 0))["n"]
    per_child: dict[int, Figures] = {}
    if children:
        child_rows = (
            Bucket.objects.filter(
                area_id__in=children,
                dim=Dim.TOTAL,
                day__gte=period.previous_start,
                day__lte=period.end,
            )
            .values_list("area_id")
            .annotate(**_sums(in_period), s_previous=Coalesce(Sum("n", filter=~in_period), 0))
            .order_by()
        )
        for area_id, n, answered, on_time, days, previous in child_rows:
            per_child[area_id] = Figures(n, answered, on_time, days, previous)
    daily = dict(
        Bucket.objects.filter(
            area_id__in=areas,
            dim=Dim.TOTAL,
            day__gte=period.previous_start,
            day__lte=period.end,
        )
        .values_list("day")
        .annotate(s=Sum("n"))
        .order_by()
    )
    return Aggregates(
        by_dim=dict(by_dim), overdue=overdue, children=per_child, trend=_trend(daily, period)
    )


def _trend(daily: dict[datetime.date, int], period: Period) -> list[tuple[datetime.date, int, int]]:
    """Per day (or per month for long periods), next to the same step of the previous period."""
    offset = period.start - period.previous_start
    points: dict[datetime.date, list[int]] = {}

    def step(day: datetime.date) -> datetime.date:
        return day.replace(day=1) if period.by_month else day

    day = period.start
    while day <= period.end:
        points.setdefault(step(day), [0, 0])
        current = daily.get(day, 0)
        before = daily.get(day - offset, 0) if day - offset <= period.previous_end else 0
        points[step(day)][0] += current
        points[step(day)][1] += before
        day += datetime.timedelta(days=1)
    return [(day, now, before) for day, (now, before) in points.items()]


def naive_aggregates(
    *, paths: list[str], children: list[str], period: Period, today: datetime.date | None = None
) -> dict[str, Any]:
    """The same counts as ``aggregates``, by GROUP BY over the voices (the baseline)."""
    today = today or timezone.localdate()
    scope = Q()
    for path in paths:
        scope |= Q(unit__path__startswith=path)
    voices = Voice.objects.filter(
        scope, received_on__gte=period.previous_start, received_on__lte=period.end
    )
    in_period = Q(received_on__gte=period.start)
    answered = Q(answered_at__isnull=False)
    result: dict[str, Any] = {}
    for dim, column in (
        ("kind", "kind"),
        ("channel", "channel"),
        ("status", "status"),
        ("topic", "topic_id"),
        ("body", "assignee_id"),
    ):
        result[dim] = {
            row[column]: row
            for row in voices.values(column)
            .annotate(
                n=Count("id", filter=in_period),
                answered=Count("id", filter=in_period & answered),
                previous=Count("id", filter=~in_period),
            )
            .order_by()
        }
    result["overdue"] = overdue_now(Voice.objects.filter(scope), today=today).count()
    per_child: dict[str, int] = dict.fromkeys(children, 0)
    if children:
        by_unit = voices.filter(in_period).values_list("unit__path").annotate(n=Count("id"))
        for path, n in by_unit.order_by():
            for child in children:
                if path.startswith(child):
                    per_child[child] += n
    result["children"] = per_child
    result["trend"] = dict(voices.values_list("received_on").annotate(n=Count("id")).order_by())
    return result


# --- The dashboard as a page ---------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    figures: Figures
    unit: AdministrativeUnit | None = None
    share: float = 0.0


@dataclass
class OverdueRow:
    voice: Voice
    days: int


@dataclass
class Dashboard:
    root: AdministrativeUnit | None
    roots: list[AdministrativeUnit]
    trail: list[AdministrativeUnit]
    period: Period
    aggregates: Aggregates
    tables: dict[str, list[Row]] = field(default_factory=dict)
    bodies: list[Row] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def total(self) -> Figures:
        return self.aggregates.total


def paths_of(units: list[AdministrativeUnit]) -> tuple[str, ...]:
    """The units' paths and those of the units merged into them (their voices kept the old unit)."""
    return minimal_paths(paths_with_predecessors({u.path for u in units}))


def _areas_of(units: list[AdministrativeUnit]) -> list[int]:
    paths = paths_of(units)
    return list(AdministrativeUnit.objects.filter(path__in=paths).values_list("pk", flat=True))


def _unit_ids_under(user: User | AnonymousUser, paths: tuple[str, ...]) -> list[int]:
    """Every unit under ``paths`` that ``user`` sees, as ids: the voices are then read by unit id,
    so the planner knows how many each unit has (as the inbox does, see bench/README.md)."""
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return list(
        AdministrativeUnit.objects.visible_to(user)
        .filter(query)
        .order_by()
        .values_list("pk", flat=True)
    )


def roots_for(
    user: User | AnonymousUser, code: str = ""
) -> tuple[AdministrativeUnit | None, list[AdministrativeUnit]]:
    """The unit asked for (when ``user`` sees it), else the user's own top units; for a global
    user with no unit asked for, the provinces. Raises ``LookupError`` for a unit not theirs."""
    visible = AdministrativeUnit.objects.visible_to(user, Capability.VIEW)
    if code:
        unit = visible.filter(code=code).first()
        if unit is None:
            raise LookupError(code)
        return unit, [unit]
    scope = scope_for(user, Capability.VIEW)
    tops = list(scope_roots(scope))
    if scope.is_global:  # the provinces
        return None, tops
    if len(tops) == 1:
        return tops[0], tops
    return None, tops


def _labels(dim: str, values: list[str]) -> dict[str, str]:
    if dim == Dim.KIND:
        return {k: str(v) for k, v in VoiceKind.choices}
    if dim == Dim.CHANNEL:
        return {k: str(v) for k, v in Channel.choices}
    if dim == Dim.STATUS:
        return {k: str(v) for k, v in VoiceStatus.choices}
    ids = [int(v) for v in values if v.isdigit()]
    if dim == Dim.TOPIC:
        return {
            str(pk): name for pk, name in Topic.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    if dim == Dim.BODY:
        return {
            str(pk): name
            for pk, name in Body.objects.filter(pk__in=ids).order_by().values_list("pk", "name")
        }
    return {}


def rank_bodies(rows: list[Row]) -> list[Row]:
    """Best on-time rate first; among equals, more answers first; bodies with no answer last."""
    return sorted(
        rows,
        key=lambda r: (
            r.figures.on_time_rate is None,
            -(r.figures.on_time_rate or 0.0),
            -r.figures.answered,
            r.label,
        ),
    )


def dashboard(
    user: User | AnonymousUser,
    *,
    code: str = "",
    period: Period,
    today: datetime.date | None = None,
) -> Dashboard:
    today = today or timezone.localdate()
    root, roots = roots_for(user, code)
    if root is not None:
        children = list(AdministrativeUnit.objects.current().filter(parent=root).order_by("name"))
    else:
        children = roots
    paths = paths_of(roots)
    areas = list(AdministrativeUnit.objects.filter(path__in=paths).values_list("pk", flat=True))
    unit_ids = _unit_ids_under(user, paths)
    result = aggregates(areas=areas, children=[c.pk for c in children], period=period, today=today)
    board = Dashboard(
        root=root,
        roots=roots,
        trail=_trail(user, root),
        period=period,
        aggregates=result,
    )
    for dim in (Dim.KIND, Dim.TOPIC, Dim.CHANNEL, Dim.STATUS):
        figures = result.by_dim.get(dim, {})
        labels = _labels(dim, list(figures))
        rows = [
            Row(key=value, label=labels.get(value, value), figures=f)
            for value, f in figures.items()
            if f.n or f.previous
        ]
        rows.sort(key=lambda r: (-r.figures.n, -r.figures.previous, r.label))
        board.tables[dim] = _with_shares(rows)
    body_figures = result.by_dim.get(Dim.BODY, {})
    labels = _labels(Dim.BODY, list(body_figures))
    board.bodies = rank_bodies(
        [
            Row(key=value, label=labels.get(value, value), figures=f)
            for value, f in body_figures.items()
            if f.n
        ]
    )
    child_rows = [
        Row(key=c.code, label=c.name, figures=result.children.get(c.pk, Figures()), unit=c)
        for c in children
    ]
    child_rows.sort(key=lambda r: (-r.figures.n, r.label))
    board.tables["units"] = _with_shares(child_rows)
    board.overdue = [
        OverdueRow(voice=v, days=(today - v.due_on).days if v.due_on else 0)
        for v in overdue_voices(user, unit_ids, today)[:20]
    ]
    board.issues = list(largest_issues(user, unit_ids)[:10])
    return board


def _with_shares(rows: list[Row]) -> list[Row]:
    top = max((r.figures.n for r in rows), default=0)
    for row in rows:
        row.share = 100.0 * row.figures.n / top if top else 0.0
    return rows


def _trail(user: User | AnonymousUser, root: AdministrativeUnit | None) -> list[AdministrativeUnit]:
    """The root's ancestors the user sees (for the way back up), the root last."""
    if root is None:
        return []
    prefixes = [root.path[: i + 1] for i, ch in enumerate(root.path) if ch == "/" and i > 0]
    return [
        u
        for u in AdministrativeUnit.objects.filter(path__in=prefixes).order_by("path")
        if can(user, Capability.VIEW, u)
    ]


def overdue_voices(
    user: User | AnonymousUser, unit_ids: list[int], today: datetime.date
) -> QuerySet[Voice]:
    """The voices overdue now (``overdue_now``, whatever the period shown), the longest overdue
    first. ``unit_ids`` come from ``_unit_ids_under`` (the user's scope already applied)."""
    return (
        overdue_now(Voice.objects.filter(unit_id__in=unit_ids), today=today)
        .select_related("unit", "topic", "assignee")
        .order_by(F("due_on").asc(), "received_on", "id")
    )


def largest_issues(user: User | AnonymousUser, unit_ids: list[int]) -> QuerySet[Issue]:
    return (
        Issue.objects.visible_to(user)
        .open()
        .filter(unit_id__in=unit_ids, merged_into__isnull=True)
        .select_related("unit", "topic")
        .order_by("-voice_count", "-last_received_on", "-id")
    )


def map_points(
    user: User | AnonymousUser, roots: list[AdministrativeUnit], period: Period, limit: int = 2000
) -> QuerySet[Voice]:
    """Voices with coordinates in the period (no names: the map shows only where and what)."""
    return (
        Voice.objects.filter(
            unit_id__in=_unit_ids_under(user, paths_of(roots)),
            latitude__isnull=False,
            longitude__isnull=False,
            received_on__gte=period.start,
            received_on__lte=period.end,
        )
        .select_related("topic")
        .order_by("-received_on", "-id")[:limit]
    )
