"""What the figures of a report are read over (``reports.figures``): the unit and every unit
under it (merged units included), the period, the period before, the same period a year earlier,
and the units directly below."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q

from danvan.dashboards.selectors import paths_of
from danvan.reports.periods import ReportPeriod
from danvan.units.models import AdministrativeUnit

__all__ = ["FigureScope", "as_int", "within"]


def within(start: datetime.date, end: datetime.date, field: str = "day") -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def as_int(value: Any) -> int:
    return int(value or 0)


class FigureScope:
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
        self.in_period = within(period.start, period.end)
        self.in_previous = within(self.previous.start, self.previous.end)
        self.in_last_year = within(self.last_year.start, self.last_year.end)
