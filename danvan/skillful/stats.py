"""Statistics of the models (thống kê mô hình): counts by unit, field, level, status, period and
yearly round, with a drill-down from a province to its communes and from a commune to its
villages, limited to what the user may see.

Everything comes from one grouped query (unit path × field × level × status × period × year →
count) and one read of the units named in the rows, however many models there are: the
grouping by the selected unit's children is done in Python on the paths, which works the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any

from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from danvan.lib.roles import Capability
from danvan.lib.scoping import scope_for
from danvan.lib.users import Requester
from danvan.skillful.models import EmulationPeriod, Field, Level, MobilizationModel, ModelStatus
from danvan.units.models import AdministrativeUnit


class StatsFilterForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    period = forms.ModelChoiceField(
        label=_("Emulation period"), queryset=EmulationPeriod.objects.none(), required=False
    )
    year = forms.IntegerField(label=_("Yearly round"), required=False, min_value=2000)
    unit = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["field"].choices = everything + list(Field.choices)  # type: ignore[attr-defined]
        self.fields["level"].choices = everything + list(Level.choices)  # type: ignore[attr-defined]
        self.fields["status"].choices = everything + list(ModelStatus.choices)  # type: ignore[attr-defined]
        self.fields["period"].queryset = EmulationPeriod.objects.all()  # type: ignore[attr-defined]
        self.fields["period"].empty_label = _("All")  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        found: dict[str, Any] = {}
        for name in ("field", "level", "status", "year"):
            if data.get(name) not in (None, ""):
                found[name] = data[name]
        if data.get("period") is not None:
            found["period"] = data["period"]
        return found


@dataclasses.dataclass
class Row:
    """One line of the table: a unit (with everything below it) or the selected unit itself."""

    unit: AdministrativeUnit | None
    path: str
    #: The models registered at the selected unit itself, not below it.
    is_own: bool = False
    #: Whether it has units below it with models, so that it can be opened.
    can_open: bool = False
    total: int = 0
    by_field: Counter[str] = dataclasses.field(default_factory=Counter)
    by_level: Counter[str] = dataclasses.field(default_factory=Counter)
    by_status: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, field: str, level: str, status: str, count: int) -> None:
        self.total += count
        self.by_field[field] += count
        self.by_level[level] += count
        self.by_status[status] += count

    @property
    def fields(self) -> list[int]:
        return [self.by_field[f] for f in Field.values]

    @property
    def levels(self) -> list[int]:
        return [self.by_level[v] for v in Level.values]

    @property
    def statuses(self) -> list[int]:
        return [self.by_status[s] for s in ModelStatus.values]

    @property
    def recognized(self) -> int:
        """Recognized or honored: what the movement counts as a success."""
        return self.by_status[ModelStatus.RECOGNIZED] + self.by_status[ModelStatus.HONORED]


@dataclasses.dataclass
class Stats:
    root: AdministrativeUnit | None
    #: From the province down to the selected unit, for the breadcrumbs.
    trail: list[AdministrativeUnit]
    rows: list[Row]
    total: Row
    #: Yearly round → field → count (the trend).
    by_year: list[tuple[int, list[int], int]]
    #: Period name → status → count.
    by_period: list[tuple[str, list[int], int]]


def _segment_after(path: str, prefix: str) -> str:
    """The path of the child of ``prefix`` that ``path`` lies under ("/40/" + "17329/")."""
    rest = path[len(prefix) :]
    return prefix + rest.split("/", 1)[0] + "/"


def _top_paths(user: Requester) -> tuple[str, ...] | None:
    """Where the table starts with no unit chosen: the user's own units, or provinces (None)."""
    # The scope's own paths are the user's top units; ``visible_to`` gives everything below too.
    scope = scope_for(user, Capability.VIEW)
    return None if scope.is_global else scope.prefixes


def default_root(user: Requester) -> AdministrativeUnit | None:
    """A user who sees one unit starts at it; an administrator starts with the provinces."""
    prefixes = _top_paths(user)
    if prefixes and len(prefixes) == 1:
        return AdministrativeUnit.objects.filter(path=prefixes[0]).first()
    return None


def compute(user: Requester, *, root: AdministrativeUnit | None, filters: dict[str, Any]) -> Stats:
    """The statistics of the models ``user`` sees, grouped by the children of ``root`` (or by
    province / by the user's own units when ``root`` is None)."""
    models = MobilizationModel.objects.visible_to(user).filter(**filters)
    if root is not None:
        models = models.filter(unit__path__startswith=root.path)
    grouped = (
        models.order_by()
        .values_list("unit__path", "field", "level", "status", "period__name", "year")
        .annotate(count=Count("id"))
    )
    tops = _top_paths(user)
    rows: dict[str, Row] = {}
    total = Row(unit=None, path="")
    years: dict[int, Counter[str]] = defaultdict(Counter)
    periods: dict[str, Counter[str]] = defaultdict(Counter)
    for path, field, level, status, period_name, year, count in grouped:
        if root is not None:
            key = root.path if path == root.path else _segment_after(path, root.path)
        elif tops is None:
            key = _segment_after(path, "/")
        else:
            key = next((p for p in tops if path.startswith(p)), path)
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(unit=None, path=key, is_own=root is not None and key == root.path)
        row.add(field, level, status, count)
        if path != key:
            row.can_open = True
        total.add(field, level, status, count)
        years[year][field] += count
        periods[period_name][status] += count

    units = {u.path: u for u in AdministrativeUnit.objects.filter(path__in=list(rows))}
    for row in rows.values():
        row.unit = units.get(row.path)
    ordered = sorted(rows.values(), key=lambda r: (not r.is_own, r.unit.name if r.unit else r.path))
    trail = [*root.ancestors(), root] if root is not None else []
    return Stats(
        root=root,
        trail=trail,
        rows=ordered,
        total=total,
        by_year=[
            (year, [c[f] for f in Field.values], sum(c.values()))
            for year, c in sorted(years.items())
        ],
        by_period=[
            (name, [c[s] for s in ModelStatus.values], sum(c.values()))
            for name, c in sorted(periods.items())
        ],
    )
