"""The period a report covers: a month, a quarter, six months, a year or a range of days.

Written as officials write them in a command or a form: ``2026-10`` (October 2026), ``2026-Q3``,
``2026-H1``, ``2026``, or ``2026-07-01..2026-09-15``. Each period knows the one before it (of the
same kind: the previous quarter for a quarter; the same number of days before a range) and the same
period a year earlier, which the synthesis compares with.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["PERIOD_KINDS", "PeriodError", "ReportPeriod", "parse_period", "period_containing"]

#: Kinds of period, in the order the form lists them.
PERIOD_KINDS = (
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
    ("half", gettext_lazy("Six months")),
    ("year", gettext_lazy("Year")),
    ("range", gettext_lazy("Range of days")),
)

#: The longest range a report covers (ten years), as on the dashboard.
MAX_DAYS = 3660

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    """The text does not name a period; the message says what is expected, in the user's language."""


def _month_start(day: datetime.date, shift: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 + shift
    return datetime.date(index // 12, index % 12 + 1, 1)


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def code(self) -> str:
        """The period as written in a command: ``2026-10``, ``2026-Q3``, ``2026-H1``, ``2026``."""
        y = self.start.year
        if self.kind == "month":
            return f"{y}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{y}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{y}-H{1 if self.start.month == 1 else 2}"
        if self.kind == "year":
            return str(y)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "half": 6, "year": 12}.get(self.kind, 0)

    def previous(self) -> ReportPeriod:
        """The period just before, of the same kind and length."""
        if self.months:
            start = _month_start(self.start, -self.months)
            return ReportPeriod(self.kind, start, self.start - datetime.timedelta(days=1))
        end = self.start - datetime.timedelta(days=1)
        return ReportPeriod(self.kind, end - datetime.timedelta(days=self.days - 1), end)

    def last_year(self) -> ReportPeriod:
        """The same period one year earlier."""
        if self.months:
            start = _shift_year(self.start, -1)
            end = _month_start(start, self.months) - datetime.timedelta(days=1)
            return ReportPeriod(self.kind, start, end)
        return ReportPeriod(self.kind, _shift_year(self.start, -1), _shift_year(self.end, -1))

    def label_vi(self) -> str:
        """How the period is named in a Vietnamese document ("quý III năm 2026")."""
        y = self.start.year
        if self.kind == "month":
            return f"tháng {self.start.month} năm {y}"
        if self.kind == "quarter":
            return f"quý {_ROMAN[(self.start.month - 1) // 3 + 1]} năm {y}"
        if self.kind == "half":
            return f"6 tháng đầu năm {y}" if self.start.month == 1 else f"6 tháng cuối năm {y}"
        if self.kind == "year":
            return f"năm {y}"
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def label(self) -> str:
        """The period in the reader's language, for pages and notifications."""
        y = self.start.year
        if self.kind == "month":
            return _("%(month)02d/%(year)d") % {"month": self.start.month, "year": y}
        if self.kind == "quarter":
            return _("Quarter %(number)s %(year)d") % {
                "number": _ROMAN[(self.start.month - 1) // 3 + 1],
                "year": y,
            }
        if self.kind == "half":
            if self.start.month == 1:
                return _("First half of %(year)d") % {"year": y}
            return _("Second half of %(year)d") % {"year": y}
        if self.kind == "year":
            return str(y)
        return _("%(start)s to %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }


_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-[Hh]([12])$"), "half"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def _of(kind: str, year: int, number: int) -> ReportPeriod:
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
    start = datetime.date(year, (number - 1) * months + 1, 1)
    return ReportPeriod(kind, start, _month_start(start, months) - datetime.timedelta(days=1))


def parse_period(text: str) -> ReportPeriod:
    """``2026-10``, ``2026-Q3``, ``2026-H1``, ``2026`` or ``2026-07-01..2026-09-15``."""
    value = (text or "").strip()
    expected = _(
        "Write the period as 2026-10 (a month), 2026-Q3 (a quarter), 2026-H1 (six months), "
        "2026 (a year) or 2026-07-01..2026-09-15 (a range of days)."
    )
    if ".." in value:
        first, _sep, last = value.partition("..")
        try:
            start = datetime.date.fromisoformat(first.strip())
            end = datetime.date.fromisoformat(last.strip())
        except ValueError:
            raise PeriodError(expected) from None
        if end < start:
            raise PeriodError(_("The end of the period is before its start."))
        if (end - start).days + 1 > MAX_DAYS:
            raise PeriodError(_("A report covers at most ten years."))
        return ReportPeriod("range", start, end)
    for pattern, kind in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            raise PeriodError(_("The year must be between 2000 and 2100."))
        if kind == "year":
            return _of("year", year, 1)
        number = int(match.group(2))
        if kind == "month" and not 1 <= number <= 12:
            raise PeriodError(_("There is no month %(number)d.") % {"number": number})
        return _of(kind, year, number)
    raise PeriodError(expected)


def period_containing(kind: str, day: datetime.date) -> ReportPeriod:
    """The month, quarter, half or year that ``day`` falls in."""
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
    return _of(kind, day.year, (day.month - 1) // months + 1)
