"""The background worker, made to survive a lost database, and the reapers of abandoned work.

Background tasks wait in django-tasks-db's table (``DBTaskResult``) until a worker runs them.
``manage.py run_worker`` (``danvan/web/management/commands/run_worker.py``) runs ``Worker``,
django-tasks-db's own worker with three differences:

- a lost database (``OperationalError``, ``InterfaceError``: the server restarted, the connection
  was cut) no longer ends the process: the worker drops its connections, waits (1 s, doubling up
  to a minute) and carries on; the task it was running is queued again (or failed after
  ``DANVAN_TASK_MAX_ATTEMPTS`` attempts), not left "running" for ever;
- a task that failed because its database went away is queued again the same way;
- when it starts, the tasks its own ``--worker-id`` left running (a worker runs one task at a
  time, so they were cut off by a crash or a ``kill -9``) are queued again, and every minute it
  runs the reapers.

Queues: ``PEOPLE_QUEUE`` holds what a person is waiting for (a voice import, an export), with
``PEOPLE_PRIORITY`` so that a worker serving every queue takes them first; ``BATCH_QUEUE`` holds
analysis, training and scheduled drafts. Run one worker for each (``README.md``, "Scaling out").

A reaper is a callable registered with ``register_reaper``; an app whose jobs keep their own
heartbeat (``voices.VoiceImportJob``) registers one that retries or fails the jobs whose
heartbeat has stopped. ``reap()`` runs them, then fails the task rows left running longer than
``DANVAN_TASK_MAX_RUN_HOURS``, whichever worker took them.
"""

from __future__ import annotations

import datetime
import logging
import random
import socket
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

#: What a dropped or refused database connection raises.
DB_ERRORS = (OperationalError, InterfaceError)
_DB_ERROR_PATHS = {f"{cls.__module__}.{cls.__qualname__}" for cls in DB_ERRORS}

#: The queue of work a person waits for (imports, exports), served by its own worker.
PEOPLE_QUEUE = "people"
#: The queue of batch work (analysis, training, scheduled drafts).
BATCH_QUEUE = "batch"
#: People's tasks come first in a worker that serves every queue (django-tasks: -100 to 100).
PEOPLE_PRIORITY = 50
#: What a task row failed by a reaper records as its exception.
WORKER_LOST = "danvan.lib.worker.WorkerLost"

#: The longest wait between two attempts to reach the database.
MAX_BACKOFF = 60.0
#: Seconds between two runs of the reapers in a worker.
REAP_EVERY = 60.0

Reaper = Callable[[], object]
_reapers: list[Reaper] = []


def register_reaper(reaper: Reaper) -> Reaper:
    """Have ``reap()`` (every worker, every minute, and ``manage.py reap_tasks``) call ``reaper``."""
    if reaper not in _reapers:
        _reapers.append(reaper)
    return reaper


def stale_after() -> datetime.timedelta:
    """A job whose heartbeat is older than this is taken for dead."""
    return datetime.timedelta(minutes=getattr(settings, "DANVAN_TASK_STALE_MINUTES", 3))


def max_attempts() -> int:
    """How many times a task or job cut off by a lost worker or database is tried in all."""
    return int(getattr(settings, "DANVAN_TASK_MAX_ATTEMPTS", 3))


def reap() -> None:
    """Run every registered reaper, then fail task rows running for longer than is possible."""
    for reaper in list(_reapers):
        reaper()
    hours = getattr(settings, "DANVAN_TASK_MAX_RUN_HOURS", 6)
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        task_row_fail(row, reason=f"Still running after {hours} hours: no worker finished it.")


def task_row_retry(row: DBTaskResult, *, reason: str) -> bool:
    """Queue a task row again, or fail it once it has had its attempts; False if failed.

    The row's ``worker_ids`` (one per claim) count its attempts. Written only while the row is
    still as ``row`` says (running, or just failed), so a row another process has meanwhile
    finished or queued is left alone.
    """
    attempts = len(row.worker_ids)
    if attempts >= max_attempts():
        task_row_fail(row, reason=f"{reason} (attempt {attempts} of {max_attempts()})")
        return False
    DBTaskResult.objects.filter(pk=row.pk, status=row.status).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now() + datetime.timedelta(seconds=5 * attempts),
    )
    logger.warning("Task %s (%s) queued again: %s", row.pk, row.task_path, reason)
    return True


def task_row_fail(row: DBTaskResult, *, reason: str) -> None:
    """Record a running (or failed) task row as failed because its worker or database was lost."""
    DBTaskResult.objects.filter(pk=row.pk, status=row.status).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=WORKER_LOST,
        traceback=reason,
        return_value=None,
    )
    logger.warning("Task %s (%s) failed: %s", row.pk, row.task_path, reason)


def task_rows_abandon(task_path: str, args: list[Any], *, reason: str) -> None:
    """Fail the running rows of one task called with ``args`` (its job is being retried anew)."""
    for row in DBTaskResult.objects.running().filter(task_path=task_path):
        if row.args_kwargs.get("args") == args:
            task_row_fail(row, reason=reason)


def default_worker_id(queue_name: str) -> str:
    """The same id each time the worker of these queues starts on this machine, so that the
    tasks a killed worker left running are recognised by the worker that takes its place."""
    return f"{socket.gethostname()}:{queue_name}"[:64]


def _drop_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # a broken connection may fail to close; it is dropped all the same
            logger.debug("Closing a broken connection failed", exc_info=True)
            connection.connection = None


class Worker(db_worker.Worker):
    """django-tasks-db's worker that survives a lost database (see the module's docstring).

    ``run`` is django-tasks-db 0.12's loop (claim one ready task in a short exclusive
    transaction, run it, sleep when there is none) with the recovery around it.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._current: DBTaskResult | None = None
        self._next_reap = 0.0

    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers started together
        backoff = 1.0
        recovered = False
        while self.running:
            try:
                if self._current is not None:
                    # Its result was never recorded: the row is still running in the database.
                    self._current.status = TaskResultStatus.RUNNING
                    task_row_retry(self._current, reason="its database connection was lost")
                    self._current = None
                if not recovered:
                    self.recover_own_tasks()
                    recovered = True
                task_result = self.claim_next()
                if task_result is not None:
                    self.run_task(task_result)
                if time.monotonic() >= self._next_reap:
                    reap()
                    self._next_reap = time.monotonic() + REAP_EVERY
                close_old_connections()
            except DB_ERRORS as exc:
                logger.warning(
                    "Lost the database (%s); trying again in %.0f s", str(exc).strip(), backoff
                )
                _drop_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            if self.batch and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran %d tasks on worker=%s - exiting.", self._run_tasks, self.worker_id)
                return
            if self.running and not task_result:
                time.sleep(self.interval)

    def claim_next(self) -> DBTaskResult | None:
        """The next ready task of this worker's queues, claimed (highest priority first)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
            except OperationalError as exc:
                if "is locked" not in str(exc):  # SQLite's other writer: try again soon
                    raise
                task_result = None
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # Kept until the result is recorded: when the database goes away first, ``run`` queues
        # the task again once it is back.
        self._current = db_task_result
        super().run_task(db_task_result)
        self._current = None
        if (
            db_task_result.status == TaskResultStatus.FAILED
            and db_task_result.exception_class_path in _DB_ERROR_PATHS
        ):
            task_row_retry(db_task_result, reason="it lost its database connection")

    def recover_own_tasks(self) -> None:
        """Queue again the tasks this worker id left running when it was last stopped."""
        rows = DBTaskResult.objects.running().filter(backend_name=self.backend_name)
        for row in rows:
            if row.worker_ids and row.worker_ids[-1] == self.worker_id:
                task_row_retry(row, reason=f"worker {self.worker_id} stopped while running it")
