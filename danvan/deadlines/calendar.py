"""Vietnam's working calendar and the counting of time limits (Civil Code 91/2015/QH13,
Art. 144–148).

Working days are Monday to Friday, except Vietnam's public holidays: New Year, Tết and the other
lunar holidays, and the substitute days off, all from the ``holidays`` package. A Saturday that the
government makes a working day in exchange for a bridge day (ngày làm bù) is a working day; the
package knows those too (``weekend_workdays``). An administrator's ``CalendarException`` rows
override all of this.

This module does not touch the database: ``danvan.deadlines.selectors.working_calendar()`` builds a
``WorkingCalendar`` with the exceptions stored by administrators.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from functools import lru_cache

import holidays

COUNTRY = "VN"

#: No legal limit rolls forward over more than this many days off in a row; a longer run means
#: the calendar data is wrong, and saying so beats looping.
_MAX_DAYS_OFF_IN_A_ROW = 60

_ONE_DAY = datetime.timedelta(days=1)


class CalendarError(ValueError):
    pass


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
    """Public holidays of ``year`` and the weekend days worked in exchange for a day off."""
    calendar = holidays.country_holidays(COUNTRY, years=year)
    days_off = frozenset(calendar.keys())
    weekend_workdays = frozenset(
        day for day in getattr(calendar, "weekend_workdays", ()) if day.year == year
    )
    return days_off, weekend_workdays


def public_holidays(year: int) -> dict[datetime.date, str]:
    """The package's days off of ``year`` with their names (for pages and documentation)."""
    return dict(sorted(holidays.country_holidays(COUNTRY, years=year).items()))


def package_is_working_day(day: datetime.date) -> bool:
    days_off, weekend_workdays = _year(day.year)
    if day in weekend_workdays:
        return True
    return day.weekday() < 5 and day not in days_off


class WorkingCalendar:
    """The package's calendar with an administrator's exceptions on top.

    ``overrides`` maps a day to ``True`` (a working day) or ``False`` (a day off).
    """

    def __init__(self, overrides: Mapping[datetime.date, bool] | None = None) -> None:
        self.overrides: dict[datetime.date, bool] = dict(overrides or {})

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return package_is_working_day(day)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        first = day
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(day):
                return day
            day += _ONE_DAY
        raise CalendarError(f"No working day within {_MAX_DAYS_OFF_IN_A_ROW} days of {first}.")

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """The ``count``-th working day after ``start``; ``start`` itself is never counted."""
        if count < 0:
            raise CalendarError("A time limit cannot be negative.")
        day = start
        for _ in range(count):
            day = self.next_working_day(day + _ONE_DAY)
        return day

    def add_calendar_days_with_rollover(self, start: datetime.date, count: int) -> datetime.date:
        """``count`` days after ``start`` (not counting ``start``); when that last day is a day
        off, the limit ends at the end of the next working day (Civil Code Art. 148)."""
        if count < 0:
            raise CalendarError("A time limit cannot be negative.")
        return self.next_working_day(start + datetime.timedelta(days=count))


#: The package's calendar with no exceptions, for code that has no database at hand.
DEFAULT_CALENDAR = WorkingCalendar()


def is_working_day(day: datetime.date, *, calendar: WorkingCalendar | None = None) -> bool:
    return (calendar or DEFAULT_CALENDAR).is_working_day(day)


def add_working_days(
    start: datetime.date, count: int, *, calendar: WorkingCalendar | None = None
) -> datetime.date:
    return (calendar or DEFAULT_CALENDAR).add_working_days(start, count)


def add_calendar_days_with_rollover(
    start: datetime.date, count: int, *, calendar: WorkingCalendar | None = None
) -> datetime.date:
    return (calendar or DEFAULT_CALENDAR).add_calendar_days_with_rollover(start, count)
