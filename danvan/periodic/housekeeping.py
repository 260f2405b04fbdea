"""The periodic jobs that keep the tables from growing without end: the background task rows
django-tasks-db leaves behind, and this app's own run records."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from danvan.periodic.models import PeriodicRun

#: Finished (successful or failed) background task rows are kept this long (as django-tasks-db's
#: ``prune_db_task_results`` by default).
TASK_RESULTS_KEPT = datetime.timedelta(days=14)
#: Periodic runs are kept this long for the administrator.
PERIODIC_RUNS_KEPT = datetime.timedelta(days=90)


def task_results_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the task rows finished more than ``TASK_RESULTS_KEPT`` ago; how many."""
    cutoff = (now or timezone.now()) - TASK_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted


def periodic_runs_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the periodic runs that started more than ``PERIODIC_RUNS_KEPT`` ago; how many."""
    cutoff = (now or timezone.now()) - PERIODIC_RUNS_KEPT
    deleted, _ = PeriodicRun.objects.filter(started_at__lte=cutoff).delete()
    return deleted
