from __future__ import annotations

import datetime

import pytest

from danvan.deadlines.calendar import (
    CalendarError,
    WorkingCalendar,
    add_calendar_days_with_rollover,
    add_working_days,
    is_working_day,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2027, 2, 3), True),  # the Wednesday before Tết
        (D(2027, 2, 4), False),  # 29 Tết
        (D(2027, 2, 10), False),  # fifth day of Tết
        (D(2027, 2, 11), True),
        (D(2026, 8, 22), True),  # a Saturday worked in exchange for 31 August
        (D(2026, 8, 29), False),  # an ordinary Saturday
        (D(2026, 8, 31), False),
        (D(2026, 9, 2), False),  # National Day
        (D(2026, 4, 27), False),  # Hùng Kings, observed on the Monday
        (D(2026, 11, 24), False),  # Vietnam Culture Day, from 2026
        (D(2026, 11, 23), True),
    ],
)
def test_working_days_follow_the_vietnamese_calendar(day: datetime.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_the_day_of_the_event_is_not_counted() -> None:
    # Monday 23 Nov 2026 + 1 working day is Wednesday: the Tuesday is a holiday.
    assert add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 25)
    assert add_calendar_days_with_rollover(D(2026, 11, 23), 1) == D(2026, 11, 25)
    assert add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)


def test_a_calendar_limit_ending_on_a_working_day_does_not_move() -> None:
    assert add_calendar_days_with_rollover(D(2026, 10, 1), 70) == D(2026, 12, 10)


def test_an_exception_overrides_the_package_both_ways() -> None:
    calendar = WorkingCalendar({D(2026, 7, 10): False, D(2026, 8, 31): True})
    assert not calendar.is_working_day(D(2026, 7, 10))
    assert calendar.is_working_day(D(2026, 8, 31))
    assert calendar.add_working_days(D(2026, 8, 28), 1) == D(2026, 8, 31)


def test_a_calendar_with_no_working_day_in_sight_is_an_error() -> None:
    start = D(2030, 1, 1)
    calendar = WorkingCalendar({start + datetime.timedelta(days=i): False for i in range(100)})
    with pytest.raises(CalendarError):
        calendar.add_working_days(start, 1)


def test_negative_limits_are_refused() -> None:
    with pytest.raises(CalendarError):
        add_working_days(D(2026, 1, 5), -1)
