"""The statistics table of the "Skillful Mass Mobilization" models per field and level
(``reports.workbooks``): registered in the period and honored in the period."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.reports.periods import ReportPeriod
from danvan.reports.stats_table import COUNT, Table, path_q, root_paths
from danvan.skillful.models import Commendation, Field, Level, MobilizationModel
from danvan.units.models import AdministrativeUnit

__all__ = ["models_by_field_table"]


def _day_bounds(period: ReportPeriod) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def models_by_field_table(*, unit: AdministrativeUnit, period: ReportPeriod) -> Table:
    """ "Skillful Mass Mobilization" models under ``unit``: per field, by level, those registered
    in the period (entered in the registry) and those honored in the period (a commendation
    decided then, counted at the level of the commendation; a model once per level)."""
    paths = root_paths(unit)
    start, end = _day_bounds(period)
    registered = (
        MobilizationModel.objects.filter(
            path_q(paths, "unit__path"), created_at__gte=start, created_at__lt=end
        )
        .values_list("field", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    honored = (
        Commendation.objects.filter(
            path_q(paths, "model__unit__path"),
            decided_on__gte=period.start,
            decided_on__lte=period.end,
        )
        .values_list("model__field", "level")
        .annotate(n=Count("model", distinct=True))
        .order_by()
    )
    counts: dict[tuple[str, str, int], int] = defaultdict(int)
    for which, grouped in enumerate((registered, honored)):
        for field_value, level, n in grouped:
            counts[(field_value, level, which)] += n
    levels = list(Level.values)
    rows: list[list[Any]] = []
    sums = [0] * (2 * len(levels) + 2)
    for number, (field_value, label) in enumerate(Field.choices, start=1):
        cells: list[int] = []
        for level in levels:
            cells += [counts[(field_value, level, 0)], counts[(field_value, level, 1)]]
        cells += [sum(cells[0::2]), sum(cells[1::2])]
        sums = [a + b for a, b in zip(sums, cells, strict=True)]
        rows.append([number, str(label), *cells])
    columns: list[tuple[str, int]] = [(_("No."), 5), (_("Field"), 40)]
    groups: list[tuple[str, int]] = [("", 2)]
    level_titles: dict[str, str] = {
        Level.VILLAGE: _("Village level"),
        Level.COMMUNE: _("Commune level"),
        Level.PROVINCE: _("Province level"),
    }
    for level in levels:
        columns += [(_("Registered"), 11), (_("Honored"), 11)]
        groups.append((level_titles.get(level, level), 2))
    columns += [(_("Registered"), 11), (_("Honored"), 11)]
    groups.append((_("Grand total"), 2))
    return Table(
        key="models",
        title=_('STATISTICS OF "SKILLFUL MASS MOBILIZATION" MODELS'),
        sheet=_("Models by field"),
        columns=columns,
        rows=rows,
        totals=["", _("Grand total"), *sums],
        unit=unit,
        period=period,
        groups=groups,
        formats=["", "", *[COUNT] * (len(columns) - 2)],
        notes=[
            _(
                "Registered: models entered in the registry during the period, at the level they "
                "were registered. Honored: models with a commendation decided during the period, "
                "at the level of the commendation."
            )
        ],
    )
