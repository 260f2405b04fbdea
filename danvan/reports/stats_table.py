"""What the statistics tables (``reports.workbooks``) share: the ``Table`` one sheet holds and the
page shows, where the voices of a unit are counted (its path and those of the units merged into
it), rates and averages, and the unit and period as a Vietnamese document names them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from danvan.reports.periods import ReportPeriod
from danvan.units.models import AdministrativeUnit, UnitSuccession
from danvan.units.selectors import minimal_paths, paths_with_predecessors

__all__ = [
    "COUNT",
    "DECIMAL",
    "FONT_NAME",
    "Table",
    "area_ids",
    "average",
    "children_of",
    "path_q",
    "paths_of_children",
    "period_line",
    "rate",
    "root_paths",
    "today_or",
    "unit_ids",
    "unit_title",
]

COUNT = "#,##0"
DECIMAL = "0.0"
FONT_NAME = "Times New Roman"


@dataclass
class Table:
    """One statistics table: what the page shows and what one sheet holds."""

    key: str
    #: The title in capitals, as printed above the table.
    title: str
    #: The sheet's name (at most 31 characters, none of ``\\/?*[]:``).
    sheet: str
    #: (title, width in characters) of every column, left to right.
    columns: list[tuple[str, int]]
    rows: list[list[Any]]
    totals: list[Any]
    unit: AdministrativeUnit
    period: ReportPeriod
    #: The upper header row: (group title, number of columns it spans); an empty title leaves the
    #: columns under it with a single header cell over both rows. Empty: a one-row header.
    groups: list[tuple[str, int]] = field(default_factory=list)
    #: The number format of each column ("" for text).
    formats: list[str] = field(default_factory=list)
    #: Lines printed under the table: what the figures mean.
    notes: list[str] = field(default_factory=list)
    #: For each row, the code of the unit it counts (to open it on the page), or "".
    links: list[str] = field(default_factory=list)

    @property
    def linked_rows(self) -> list[tuple[list[Any], str]]:
        """The rows with the code of the unit each counts ("" for none), for the page."""
        links = self.links or [""] * len(self.rows)
        return list(zip(self.rows, links, strict=True))

    @property
    def header_top(self) -> list[tuple[str, int, int]]:
        """The upper header row for HTML: (title, colspan, rowspan)."""
        cells: list[tuple[str, int, int]] = []
        index = 0
        for title, span in self.groups:
            if title:
                cells.append((title, span, 1))
            else:
                cells.extend((name, 1, 2) for name, _width in self.columns[index : index + span])
            index += span
        return cells

    @property
    def header_bottom(self) -> list[str]:
        """The lower header row for HTML: the titles of the columns under a group."""
        titles: list[str] = []
        index = 0
        for title, span in self.groups:
            if title:
                titles.extend(name for name, _width in self.columns[index : index + span])
            index += span
        return titles


# --- Where the voices of a unit are counted ------------------------------------------------------


def area_ids(paths: Iterable[str]) -> list[int]:
    return list(
        AdministrativeUnit.objects.filter(path__in=list(paths)).values_list("pk", flat=True)
    )


def paths_of_children(
    root: AdministrativeUnit, children: list[AdministrativeUnit]
) -> dict[int, set[str]]:
    """For each child, its path and those of the units merged into it (or into units under it)
    that do not already lie under it: their voices kept their old unit. One read of the
    successions under the root (chains followed a few steps)."""
    result: dict[int, set[str]] = {c.pk: {c.path} for c in children}
    by_path = {c.path: c.pk for c in children}
    found = list(
        UnitSuccession.objects.filter(successor__path__startswith=root.path).values_list(
            "predecessor__path", "successor__path"
        )
    )
    owner: dict[str, int] = {}
    for predecessor, successor in found:
        child = next((pk for path, pk in by_path.items() if successor.startswith(path)), None)
        if child is not None:
            owner[predecessor] = child
    for _depth in range(5):  # chains of mergers into a predecessor
        added = False
        for predecessor, successor in found:
            if predecessor not in owner and successor in owner:
                owner[predecessor] = owner[successor]
                added = True
        if not added:
            break
    for predecessor, child in owner.items():
        result[child].add(predecessor)
    return {pk: set(minimal_paths(paths)) for pk, paths in result.items()}


def unit_ids(paths: Iterable[str]) -> list[int]:
    """Every unit under ``paths`` (current or not), as ids."""
    return list(
        AdministrativeUnit.objects.filter(path_q(paths, "path"))
        .order_by()
        .values_list("pk", flat=True)
    )


def root_paths(root: AdministrativeUnit) -> tuple[str, ...]:
    return minimal_paths(paths_with_predecessors({root.path}))


def children_of(root: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.current().filter(parent=root).order_by("name", "code"))


def path_q(paths: Iterable[str], lookup: str) -> Q:
    query = Q()
    for path in paths:
        query |= Q(**{f"{lookup}__startswith": path})
    return query


def today_or(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def average(days: int, answered: int) -> float | None:
    return round(days / answered, 1) if answered else None


def unit_title(unit: AdministrativeUnit) -> str:
    """The unit as named in a Vietnamese document: provinces carry their kind ("Tỉnh Nghệ An",
    "Thành phố Hà Nội"); communes and villages already do ("Xã Anh Sơn")."""
    prefix = {"province": "Tỉnh", "central_city": "Thành phố"}.get(unit.kind, "")
    if prefix and not unit.name.lower().startswith(prefix.lower()):
        return f"{prefix} {unit.name}"
    return unit.name


def period_line(period: ReportPeriod) -> str:
    line = period.label_vi()
    if period.kind != "range":
        line += f" (từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})"
    return line
