"""Running the periodic jobs that are due, once each however many runners start together.

``run_due(jobs)`` goes through the jobs in order; for each it reads the job's row, decides
whether it is due (``schedules.is_due``), takes it (``job_take``), runs it, records the run
(``PeriodicRun``) and releases it. A job that raises is recorded as failed, with its traceback,
and the next job still runs.

Taking a job is one UPDATE of its row, matched only while the row is the version the runner read
and nobody holds a lease on it, so it works the same on SQLite and PostgreSQL and on any number
of machines: of two runners that read the same row, the second UPDATE matches nothing (on
PostgreSQL it waits for the first one's row lock, then finds the version changed). A runner that
dies while running a job leaves its lease to expire after the job's ``timeout``; the next runner
then marks the abandoned run failed and takes the job.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from danvan.periodic.models import PeriodicJob, PeriodicRun, RunStatus
from danvan.periodic.schedules import Job, is_due

logger = logging.getLogger(__name__)

#: What an abandoned run (its runner died) records as its error.
RUNNER_LOST = "The runner stopped before the end (its lease expired)."
#: The longest summary kept on a run.
SUMMARY_CHARS = 4000
#: The longest traceback kept on a run.
ERROR_CHARS = 20000


def runner_name() -> str:
    """Who holds a lease: this machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


@dataclass(frozen=True)
class Outcome:
    job: str
    status: str
    duration: float
    summary: str = ""


def job_row(job: Job) -> PeriodicJob:
    row, _ = PeriodicJob.objects.get_or_create(name=job.name)
    return row


def job_is_due(job: Job, row: PeriodicJob, *, now: datetime.datetime) -> bool:
    return is_due(
        job.schedule,
        now=now,
        since=row.last_ok_at or row.created_at,
        last_attempt=row.last_started_at,
        retry_after=job.retry_after,
    )


def job_take(
    job: Job, row: PeriodicJob, *, holder: str, now: datetime.datetime
) -> PeriodicRun | None:
    """Take the job for ``holder`` if nobody holds it and ``row`` is still current; its run."""
    taken = (
        PeriodicJob.objects.filter(pk=row.pk, version=row.version)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .update(
            version=F("version") + 1,
            lease_holder=holder,
            lease_until=now + job.timeout,
            last_started_at=now,
            last_status=RunStatus.RUNNING,
        )
    )
    if not taken:
        return None
    # Runs left running by a runner that died (its lease expired): they will never finish.
    PeriodicRun.objects.filter(job=row, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, finished_at=now, error=RUNNER_LOST
    )
    return PeriodicRun.objects.create(job=row, started_at=now, holder=holder)


def _summary(result: object) -> str:
    if result is None:
        return ""
    as_dict = getattr(result, "as_dict", None)
    text = str(as_dict() if callable(as_dict) else result)
    return text[:SUMMARY_CHARS]


def job_execute(job: Job, run: PeriodicRun, *, holder: str) -> Outcome:
    """Run a taken job, record how it went and release it."""
    started = time.monotonic()
    try:
        result = job.run()
    except Exception:
        status, summary, error = RunStatus.FAILED, "", traceback.format_exc()[-ERROR_CHARS:]
        logger.exception("Periodic job %s failed", job.name)
    else:
        status, summary, error = RunStatus.OK, _summary(result), ""
    duration = time.monotonic() - started
    PeriodicRun.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=timezone.now(),
        duration=duration,
        summary=summary,
        error=error,
    )
    release: dict[str, object] = {
        "version": F("version") + 1,
        "lease_holder": "",
        "lease_until": None,
        "last_status": status,
    }
    if status == RunStatus.OK:
        release["last_ok_at"] = run.started_at
    PeriodicJob.objects.filter(pk=run.job_id, lease_holder=holder).update(**release)
    return Outcome(job=job.name, status=status, duration=duration, summary=summary)


def job_run(
    job: Job,
    *,
    holder: str | None = None,
    now: datetime.datetime | None = None,
    force: bool = False,
) -> Outcome | None:
    """Run ``job`` if it is due (or, ``force``, whether due or not) and no one else runs it."""
    holder = holder or runner_name()
    now = now or timezone.now()
    row = job_row(job)
    if row.lease_until is not None and row.lease_until > now:
        return None
    if not force and not job_is_due(job, row, now=now):
        return None
    run = job_take(job, row, holder=holder, now=now)
    if run is None:
        return None
    return job_execute(job, run, holder=holder)


def run_due(
    jobs: Iterable[Job], *, holder: str | None = None, now: datetime.datetime | None = None
) -> list[Outcome]:
    """Run every job of ``jobs`` that is due and not running elsewhere, in order; what ran."""
    holder = holder or runner_name()
    outcomes = []
    for job in jobs:
        outcome = job_run(job, holder=holder, now=now)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes
