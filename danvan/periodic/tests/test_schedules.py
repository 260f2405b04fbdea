from __future__ import annotations

import datetime

import pytest

from danvan.periodic.schedules import VIETNAM, Daily, EveryMinutes, Hourly, is_due

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
RETRY = datetime.timedelta(minutes=30)


def vn(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def test_a_daily_slot_is_at_its_time_in_vietnam_whatever_the_clock_zone() -> None:
    daily = Daily(datetime.time(6, 30))
    # 00:00 UTC is 07:00 in Vietnam: today's 06:30 has passed.
    assert daily.last_slot(datetime.datetime(2026, 12, 7, 0, 0, tzinfo=UTC)) == vn(
        2026, 12, 7, 6, 30
    )
    # 23:00 UTC on the 6th is 06:00 on the 7th in Vietnam: the slot is still the 6th's.
    assert daily.last_slot(datetime.datetime(2026, 12, 6, 23, 0, tzinfo=UTC)) == vn(
        2026, 12, 6, 6, 30
    )


def test_a_daily_job_is_due_once_after_its_time_and_not_again_that_day() -> None:
    daily = Daily(datetime.time(6, 30))
    ran_yesterday = vn(2026, 12, 6, 6, 31)
    assert not is_due(
        daily,
        now=vn(2026, 12, 7, 6, 29),
        since=ran_yesterday,
        last_attempt=ran_yesterday,
        retry_after=RETRY,
    )
    assert is_due(
        daily,
        now=vn(2026, 12, 7, 6, 31),
        since=ran_yesterday,
        last_attempt=ran_yesterday,
        retry_after=RETRY,
    )
    ran_today = vn(2026, 12, 7, 6, 31)
    assert not is_due(
        daily,
        now=vn(2026, 12, 7, 23, 59),
        since=ran_today,
        last_attempt=ran_today,
        retry_after=RETRY,
    )


def test_a_new_daily_job_waits_for_its_first_time() -> None:
    daily = Daily(datetime.time(6, 30))
    seen = vn(2026, 12, 7, 10, 0)
    assert not is_due(
        daily, now=vn(2026, 12, 7, 23, 0), since=seen, last_attempt=None, retry_after=RETRY
    )
    assert is_due(
        daily, now=vn(2026, 12, 8, 6, 30), since=seen, last_attempt=None, retry_after=RETRY
    )


def test_a_failed_run_is_tried_again_after_retry_after() -> None:
    daily = Daily(datetime.time(6, 30))
    ok_yesterday, failed = vn(2026, 12, 6, 6, 30), vn(2026, 12, 7, 6, 30)

    def due(now: datetime.datetime) -> bool:
        return is_due(daily, now=now, since=ok_yesterday, last_attempt=failed, retry_after=RETRY)

    assert not due(vn(2026, 12, 7, 6, 45))
    assert due(vn(2026, 12, 7, 7, 0))


def test_an_hourly_job_is_due_each_hour_past_its_minute() -> None:
    hourly = Hourly(minute=5)
    assert hourly.last_slot(vn(2026, 12, 7, 10, 4)) == vn(2026, 12, 7, 9, 5)
    assert hourly.last_slot(vn(2026, 12, 7, 10, 5)) == vn(2026, 12, 7, 10, 5)
    ran = vn(2026, 12, 7, 9, 6)
    assert not is_due(
        hourly, now=vn(2026, 12, 7, 10, 4), since=ran, last_attempt=ran, retry_after=RETRY
    )
    assert is_due(
        hourly, now=vn(2026, 12, 7, 10, 6), since=ran, last_attempt=ran, retry_after=RETRY
    )


def test_every_n_minutes_runs_on_the_multiples_so_a_cron_tick_late_by_seconds_still_runs() -> None:
    every = EveryMinutes(5)
    ran = datetime.datetime(2026, 12, 7, 12, 0, 2, tzinfo=UTC)
    assert not is_due(
        every,
        now=ran + datetime.timedelta(minutes=4, seconds=57),
        since=ran,
        last_attempt=ran,
        retry_after=RETRY,
    )
    # 12:05:01: less than five minutes after the last run, but a new slot (12:05) has come.
    assert is_due(
        every,
        now=ran + datetime.timedelta(minutes=4, seconds=59),
        since=ran,
        last_attempt=ran,
        retry_after=RETRY,
    )


@pytest.mark.parametrize("bad", [lambda: Hourly(minute=60), lambda: EveryMinutes(0)])
def test_impossible_schedules_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        bad()  # type: ignore[operator]
