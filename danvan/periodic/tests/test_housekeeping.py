from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from danvan.periodic.housekeeping import (
    PERIODIC_RUNS_KEPT,
    TASK_RESULTS_KEPT,
    periodic_runs_prune,
    task_results_prune,
)
from danvan.periodic.models import PeriodicJob, PeriodicRun

pytestmark = pytest.mark.django_db


def task_row(status: str, finished_ago: datetime.timedelta | None) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="danvan.example",
        backend_name="default",
        run_after=now,
        finished_at=None if finished_ago is None else now - finished_ago,
        exception_class_path="",
        traceback="",
    )


def test_only_task_rows_finished_long_ago_are_pruned() -> None:
    long_ago = TASK_RESULTS_KEPT + datetime.timedelta(days=1)
    old_ok = task_row(TaskResultStatus.SUCCESSFUL, long_ago)
    old_failed = task_row(TaskResultStatus.FAILED, long_ago)
    recent = task_row(TaskResultStatus.SUCCESSFUL, datetime.timedelta(days=1))
    waiting = task_row(TaskResultStatus.READY, None)

    assert task_results_prune() == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk}
    assert old_ok.pk not in left and old_failed.pk not in left


def test_periodic_runs_older_than_their_keeping_are_pruned() -> None:
    job = PeriodicJob.objects.create(name="tick")
    now = timezone.now()
    PeriodicRun.objects.create(job=job, started_at=now - PERIODIC_RUNS_KEPT * 2)
    kept = PeriodicRun.objects.create(job=job, started_at=now)
    assert periodic_runs_prune() == 1
    assert list(PeriodicRun.objects.values_list("pk", flat=True)) == [kept.pk]
