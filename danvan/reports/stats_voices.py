"""The statistics table of the voices received under a unit (``reports.workbooks``): one row
per unit directly below it and one for the unit itself, by kind (received, answered) and in total
(received, answered, being handled, refused, overdue now), from the dashboards' buckets."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, F, Q, Sum, Value, When
from django.utils.translation import gettext as _

from danvan.dashboards.models import Bucket, Dim
from danvan.deadlines.models import VoiceKind
from danvan.reports.periods import ReportPeriod
from danvan.reports.stats_table import (
    COUNT,
    Table,
    area_ids,
    children_of,
    paths_of_children,
    root_paths,
    today_or,
)
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import OPEN_STATUSES, VoiceStatus

__all__ = ["voices_by_unit_table"]


@dataclass
class _UnitCounts:
    n: int = 0
    answered: int = 0
    open: int = 0
    refused: int = 0
    overdue: int = 0
    kinds: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def minus(self, other: _UnitCounts) -> _UnitCounts:
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for kind in set(self.kinds) | set(other.kinds):
            mine, theirs = self.kinds[kind], other.kinds[kind]
            kinds[kind] = [mine[0] - theirs[0], mine[1] - theirs[1]]
        return _UnitCounts(
            self.n - other.n,
            self.answered - other.answered,
            self.open - other.open,
            self.refused - other.refused,
            self.overdue - other.overdue,
            kinds,
        )

    def add(self, other: _UnitCounts) -> None:
        self.n += other.n
        self.answered += other.answered
        self.open += other.open
        self.refused += other.refused
        self.overdue += other.overdue
        for kind, (n, answered) in other.kinds.items():
            self.kinds[kind][0] += n
            self.kinds[kind][1] += answered

    def values(self) -> list[int]:
        cells: list[int] = []
        for kind in VoiceKind.values:
            cells.extend(self.kinds[kind])
        return [*cells, self.n, self.answered, self.open, self.refused, self.overdue]

    @property
    def empty(self) -> bool:
        return not any(self.values())


def _areas_of_children(
    unit: AdministrativeUnit, children: list[AdministrativeUnit]
) -> dict[int, list[int]]:
    """For each child, the ids of the areas its voices are counted in (its own and those of the
    units merged into it)."""
    child_paths = paths_of_children(unit, children)
    all_paths = {p for paths in child_paths.values() for p in paths}
    area_of_path = dict(
        AdministrativeUnit.objects.filter(path__in=list(all_paths)).values_list("path", "pk")
    )
    return {
        pk: [area_of_path[p] for p in paths if p in area_of_path]
        for pk, paths in child_paths.items()
    }


def _counts_per_area(
    wanted: set[int], period: ReportPeriod, today: datetime.date
) -> dict[int, _UnitCounts]:
    """The counts of each area in ``wanted``, summed from the buckets of the period."""
    counted = Q(dim__in=[Dim.TOTAL, Dim.KIND, Dim.STATUS]) | Q(
        dim=Dim.DUE, value__lt=today.isoformat()
    )
    rows = (
        Bucket.objects.filter(
            counted, area_id__in=wanted, day__gte=period.start, day__lte=period.end
        )
        .annotate(
            key=Case(
                When(dim=Dim.DUE, then=Value("")), default=F("value"), output_field=CharField()
            )
        )
        .values_list("area_id", "dim", "key")
        .annotate(s_n=Sum("n"), s_answered=Sum("answered"))
        .order_by()
    )
    per_area: dict[int, _UnitCounts] = defaultdict(_UnitCounts)
    open_statuses = {str(s) for s in OPEN_STATUSES}
    for area, dim, key, n, answered in rows:
        counts = per_area[area]
        if dim == Dim.TOTAL:
            counts.n += n
            counts.answered += answered
        elif dim == Dim.KIND:
            counts.kinds[key][0] += n
            counts.kinds[key][1] += answered
        elif dim == Dim.STATUS:
            if key in open_statuses:
                counts.open += n
            elif key == VoiceStatus.REFUSED:
                counts.refused += n
        elif dim == Dim.DUE:
            counts.overdue += n
    return per_area


def _columns() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The columns and their groups: by kind (received, answered), then the grand total."""
    columns: list[tuple[str, int]] = [(_("No."), 5), (_("Unit"), 26)]
    groups: list[tuple[str, int]] = [("", 2)]
    for kind in [str(label) for label in VoiceKind.labels]:
        columns += [(_("Received"), 9), (_("Answered"), 9)]
        groups.append((kind, 2))
    columns += [
        (_("Received"), 10),
        (_("Answered"), 10),
        (_("Being handled"), 10),
        (_("Refused"), 10),
        (_("Overdue now"), 10),
    ]
    groups.append((_("Grand total"), 5))
    return columns, groups


def voices_by_unit_table(
    *, unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date | None = None
) -> Table:
    """Voices received in the period under ``unit``: one row per unit directly below it, a row for
    the voices filed at the unit itself, the totals; by kind and by how far they were handled."""
    today = today_or(today)
    children = children_of(unit)
    child_areas = _areas_of_children(unit, children)
    root_areas = area_ids(root_paths(unit))
    wanted = set(root_areas) | {a for areas in child_areas.values() for a in areas}
    per_area = _counts_per_area(wanted, period, today)

    total = _UnitCounts()
    for area in root_areas:
        total.add(per_area[area])
    below = _UnitCounts()
    body_rows: list[list[Any]] = []
    links: list[str] = []
    for number, child in enumerate(children, start=1):
        counts = _UnitCounts()
        for area in child_areas[child.pk]:
            counts.add(per_area[area])
        below.add(counts)
        body_rows.append([number, child.name, *counts.values()])
        links.append(child.code)
    own = total.minus(below)
    if not own.empty or not children:
        label = _("At %(unit)s itself") % {"unit": unit.name} if children else unit.name
        body_rows.append([len(body_rows) + 1, label, *own.values()])
        links.append("")

    columns, groups = _columns()
    return Table(
        key="voices",
        title=_("STATISTICS OF THE PEOPLE'S OPINIONS AND RECOMMENDATIONS"),
        sheet=_("Voices by unit"),
        columns=columns,
        rows=body_rows,
        totals=["", _("Grand total"), *total.values()],
        unit=unit,
        period=period,
        groups=groups,
        formats=["", "", *[COUNT] * (len(columns) - 2)],
        links=links,
        notes=[
            _(
                "Voices received in the period (by the day they were received). Answered: an "
                "answer was recorded. Being handled: received, accepted, assigned or forwarded and "
                "not yet answered. Overdue now: being handled with its due date passed on %(day)s."
            )
            % {"day": today.strftime("%d/%m/%Y")},
        ],
    )
