from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from danvan.periodic.jobs import JOBS
from danvan.periodic.models import PeriodicJob, PeriodicRun, RunStatus
from danvan.periodic.runner import RUNNER_LOST, job_run, job_take, run_due
from danvan.periodic.schedules import EveryMinutes, Job

pytestmark = pytest.mark.django_db


def counting(
    calls: list[str], name: str, *, fail: bool = False, pause: float = 0
) -> Callable[[], int]:
    def run() -> int:
        time.sleep(pause)
        calls.append(name)
        if fail:
            raise RuntimeError(f"{name} broke")
        return len(calls)

    return run


def seen_long_ago(*jobs: Job) -> None:
    """The jobs were first seen a day ago, so they are due now."""
    for job in jobs:
        PeriodicJob.objects.get_or_create(name=job.name)
    PeriodicJob.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))


def test_a_due_job_runs_once_and_its_run_is_recorded() -> None:
    calls: list[str] = []
    job = Job("tick", counting(calls, "tick"), EveryMinutes(5))
    seen_long_ago(job)

    outcomes = run_due([job])
    assert [o.job for o in outcomes] == ["tick"]
    assert run_due([job]) == []  # not due again within its slot
    assert calls == ["tick"]
    run = PeriodicRun.objects.get()
    assert run.status == RunStatus.OK and run.summary == "1" and run.duration is not None
    row = PeriodicJob.objects.get(name="tick")
    assert row.last_status == RunStatus.OK and row.last_ok_at == run.started_at
    assert row.lease_until is None and row.lease_holder == ""


def test_a_job_seen_for_the_first_time_waits_for_its_next_slot() -> None:
    calls: list[str] = []
    job = Job("new", counting(calls, "new"), EveryMinutes(60 * 24))
    assert run_due([job]) == []
    assert calls == [] and PeriodicJob.objects.filter(name="new").exists()


def test_a_failing_job_is_recorded_and_the_others_still_run() -> None:
    calls: list[str] = []
    jobs = [
        Job("first", counting(calls, "first", fail=True), EveryMinutes(5)),
        Job("second", counting(calls, "second"), EveryMinutes(5)),
    ]
    seen_long_ago(*jobs)

    outcomes = run_due(jobs)
    assert [(o.job, o.status) for o in outcomes] == [("first", "failed"), ("second", "ok")]
    failed = PeriodicRun.objects.get(job__name="first")
    assert failed.status == RunStatus.FAILED and "RuntimeError: first broke" in failed.error
    row = PeriodicJob.objects.get(name="first")
    assert row.last_status == RunStatus.FAILED and row.last_ok_at is None
    assert row.lease_until is None


def test_a_job_held_by_another_runner_is_left_alone_until_its_lease_expires() -> None:
    calls: list[str] = []
    job = Job("held", counting(calls, "held"), EveryMinutes(5))
    seen_long_ago(job)
    row = PeriodicJob.objects.get(name="held")
    now = timezone.now()
    PeriodicJob.objects.filter(pk=row.pk).update(
        lease_holder="elsewhere:1", lease_until=now + datetime.timedelta(minutes=10)
    )
    abandoned = PeriodicRun.objects.create(job=row, started_at=now, holder="elsewhere:1")

    assert run_due([job]) == []
    later = now + datetime.timedelta(minutes=11)
    assert [o.job for o in run_due([job], now=later)] == ["held"]
    abandoned.refresh_from_db()
    assert abandoned.status == RunStatus.FAILED and abandoned.error == RUNNER_LOST


def test_run_forces_a_job_that_is_not_due() -> None:
    calls: list[str] = []
    job = Job("manual", counting(calls, "manual"), EveryMinutes(60))
    outcome = job_run(job, force=True)
    assert outcome is not None and outcome.status == "ok" and calls == ["manual"]


def test_a_runner_that_read_the_job_before_another_took_it_cannot_take_it() -> None:
    job = Job("raced", counting([], "raced"), EveryMinutes(5))
    seen_long_ago(job)
    first_read = PeriodicJob.objects.get(name="raced")
    second_read = PeriodicJob.objects.get(name="raced")
    now = timezone.now()
    assert job_take(job, first_read, holder="a", now=now) is not None
    assert job_take(job, second_read, holder="b", now=now) is None
    assert PeriodicJob.objects.get(name="raced").lease_holder == "a"


@pytest.mark.django_db(transaction=True)
def test_two_runners_starting_together_run_a_job_once() -> None:
    calls: list[str] = []
    job = Job("together", counting(calls, "together", pause=0.3), EveryMinutes(5))
    seen_long_ago(job)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def runner(holder: str) -> None:
        try:
            start.wait()
            run_due([job], holder=holder)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(f"machine-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert calls == ["together"]
    assert PeriodicRun.objects.filter(job__name="together").count() == 1


def test_list_prints_every_job(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("run_periodic", "--list")
    out = capsys.readouterr().out
    for job in JOBS:
        assert job.name in out
        assert str(job.schedule) in out
    for name in ("urging", "alerts", "report_drafts", "model_checks", "insight_train"):
        assert name in out


def test_every_job_has_a_unique_name() -> None:
    names = [job.name for job in JOBS]
    assert len(names) == len(set(names))
