"""The background worker survives a lost database and takes up what a killed worker left."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from danvan.lib import worker as worker_module
from danvan.lib.worker import WORKER_LOST, Worker

# The worker takes its own (exclusive) transactions, as in production; the data the migrations
# load (topics, rule sets), which the flushes remove, is put back for the tests that follow.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data_left_in_place"),
]

DONE: list[str] = []


@task()
def note_task(word: str) -> str:
    DONE.append(word)
    return word


@pytest.fixture(autouse=True)
def database_backend(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASKS["default"]["QUEUES"],
        }
    }
    DONE.clear()
    sleeps: list[float] = []
    monkeypatch.setattr(worker_module.time, "sleep", sleeps.append)
    return sleeps


def run_worker(worker_id: str = "w1") -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
    ).run()


def test_the_worker_survives_a_lost_connection_and_runs_the_task(
    monkeypatch: pytest.MonkeyPatch, database_backend: list[float]
) -> None:
    result = note_task.enqueue("an")
    real = DBTaskResultQuerySet.get_locked
    calls: list[int] = []

    def lost_once(self: DBTaskResultQuerySet) -> DBTaskResult | None:
        calls.append(1)
        if len(calls) <= 3:  # the database is away for three rounds
            raise OperationalError("server closed the connection unexpectedly")
        return real(self)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", lost_once)

    run_worker()  # django-tasks-db's own worker exits here, with the OperationalError

    assert DONE == ["an"]
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert database_backend == [1.0, 2.0, 4.0]  # waited longer each time


def test_a_task_whose_result_was_lost_with_the_database_is_queued_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = note_task.enqueue("binh")
    real = DBTaskResult.set_successful
    lost: list[int] = []

    def lost_once(self: DBTaskResult, value: Any) -> None:
        if not lost:
            lost.append(1)
            raise OperationalError("terminating connection due to administrator command")
        real(self, value)

    monkeypatch.setattr(DBTaskResult, "set_successful", lost_once)

    run_worker()  # records the task ready again, a few seconds on

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY  # not "running" for ever
    assert row.worker_ids == ["w1"]
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["w1", "w1"]
    assert DONE == ["binh", "binh"]


def claimed(word: str, *worker_ids: str) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=note_task.enqueue(word).id)
    for worker_id in worker_ids:
        row.claim(worker_id)
    return row


def test_a_killed_workers_task_is_taken_up_when_it_starts_again() -> None:
    mine = claimed("an", "w1")  # "w1" was killed while it ran this task
    theirs = claimed("binh", "w2")  # another worker is running this one
    worn = claimed("chi", "w1", "w1", "w1")  # the third attempt was cut off too

    run_worker("w1")

    mine.refresh_from_db()
    theirs.refresh_from_db()
    worn.refresh_from_db()
    assert mine.status == TaskResultStatus.READY and mine.run_after > timezone.now()
    assert theirs.status == TaskResultStatus.RUNNING
    assert worn.status == TaskResultStatus.FAILED
    assert worn.exception_class_path == WORKER_LOST
    assert "w1 stopped while running it (attempt 3 of 3)" in worn.traceback


def test_a_task_running_for_longer_than_possible_is_failed(settings: Any) -> None:
    settings.DANVAN_TASK_MAX_RUN_HOURS = 6
    old = claimed("an", "gone")
    recent = claimed("binh", "busy")
    DBTaskResult.objects.filter(pk=old.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=7)
    )

    call_command("reap_tasks")

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
    assert recent.status == TaskResultStatus.RUNNING


def test_run_worker_runs_the_queues_it_is_given() -> None:
    note_task.enqueue("an")

    call_command(
        "run_worker",
        queue_name="people",
        batch=True,
        startup_delay=False,
        reload=False,
        verbosity=0,
    )
    assert DONE == []
    call_command(
        "run_worker",
        queue_name="batch,default",
        batch=True,
        startup_delay=False,
        reload=False,
        verbosity=0,
    )
    assert DONE == ["an"]
