"""When a periodic job is due: its schedule, and the rule that turns a schedule into "due now".

A schedule names its latest *slot*: the most recent moment, at or before now, at which the job
should have started (06:30 today or yesterday; the top of the hour; the last multiple of five
minutes). A job is due when it has not succeeded since that slot, and, if it was tried since
and failed, once ``retry_after`` has passed since that attempt. Times of day are Vietnam's
(``Asia/Ho_Chi_Minh``, no daylight saving), whatever the server's clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

#: The time zone of the schedules' times of day.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Schedule(Protocol):
    def last_slot(self, now: datetime.datetime) -> datetime.datetime:
        """The latest moment at or before ``now`` (aware) at which the job should start."""
        ...


@dataclass(frozen=True)
class Daily:
    """Once a day at ``at``, Vietnam time."""

    at: datetime.time

    def last_slot(self, now: datetime.datetime) -> datetime.datetime:
        local = now.astimezone(VIETNAM)
        slot = datetime.datetime.combine(local.date(), self.at, tzinfo=VIETNAM)
        if slot > local:
            slot -= datetime.timedelta(days=1)
        return slot

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M} (Asia/Ho_Chi_Minh)"


@dataclass(frozen=True)
class Hourly:
    """Once an hour, ``minute`` minutes past it."""

    minute: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.minute < 60:
            raise ValueError(f"minute must be 0-59, not {self.minute}")

    def last_slot(self, now: datetime.datetime) -> datetime.datetime:
        slot = now.astimezone(VIETNAM).replace(minute=self.minute, second=0, microsecond=0)
        if slot > now:
            slot -= datetime.timedelta(hours=1)
        return slot

    def __str__(self) -> str:
        return f"hourly at :{self.minute:02d}"


@dataclass(frozen=True)
class EveryMinutes:
    """Every ``minutes`` minutes, on the multiples of it counted from midnight UTC."""

    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 1:
            raise ValueError(f"minutes must be at least 1, not {self.minutes}")

    def last_slot(self, now: datetime.datetime) -> datetime.datetime:
        step = self.minutes * 60
        start = int(now.timestamp()) // step * step
        return datetime.datetime.fromtimestamp(start, tz=datetime.UTC)

    def __str__(self) -> str:
        return f"every {self.minutes} minutes"


@dataclass(frozen=True)
class Job:
    """A periodic job: what it is called, what it runs and when.

    ``run`` takes no argument and returns what it did (a count, a report), recorded as the run's
    summary. ``timeout`` is how long a runner holds the job: a runner that died mid-run leaves it
    to another after that. A failed run is tried again ``retry_after`` later, until it succeeds
    or its next slot comes.
    """

    name: str
    run: Callable[[], object]
    schedule: Schedule
    description: str = ""
    timeout: datetime.timedelta = field(default=datetime.timedelta(hours=1))
    retry_after: datetime.timedelta = field(default=datetime.timedelta(minutes=30))


def is_due(
    schedule: Schedule,
    *,
    now: datetime.datetime,
    since: datetime.datetime,
    last_attempt: datetime.datetime | None,
    retry_after: datetime.timedelta,
) -> bool:
    """Whether a job is due at ``now``.

    ``since``: when it last succeeded (the start of that run), or, never run, when it was first
    seen, so that a new job waits for its first slot (a daily 06:30 job added at 10:00 first
    runs the next morning, not in the middle of the night). ``last_attempt``: the start of its
    latest run, successful or not.
    """
    slot = schedule.last_slot(now)
    if since >= slot:
        return False
    if last_attempt is None or last_attempt < slot:
        return True
    return now - last_attempt >= retry_after
