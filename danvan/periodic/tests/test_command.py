from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from danvan.periodic.jobs import JOBS
from danvan.periodic.management.commands import run_periodic
from danvan.periodic.models import PeriodicJob, PeriodicRun, RunStatus

pytestmark = pytest.mark.django_db


def test_every_job_of_the_list_runs_on_an_empty_installation() -> None:
    for job in JOBS:
        out = StringIO()
        call_command("run_periodic", "--run", job.name, stdout=out)
        assert f"{job.name}: ok" in out.getvalue(), PeriodicRun.objects.get(
            job__name=job.name
        ).error
    assert PeriodicRun.objects.filter(status=RunStatus.OK).count() == len(JOBS)


def test_a_first_run_only_notes_the_jobs_which_wait_for_their_time() -> None:
    out = StringIO()
    call_command("run_periodic", stdout=out)
    assert out.getvalue() == ""
    assert PeriodicJob.objects.count() == len(JOBS)
    assert not PeriodicRun.objects.exists()


def test_an_unknown_job_is_refused_with_the_names() -> None:
    with pytest.raises(CommandError, match="urging"):
        call_command("run_periodic", "--run", "nothing")


class _Stop(Exception):
    pass


def test_loop_looks_again_after_every(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise _Stop

    monkeypatch.setattr(run_periodic.time, "sleep", sleep)
    # It would close the test's connection, whose transaction is open (as between requests).
    monkeypatch.setattr(run_periodic, "close_old_connections", lambda: None)
    with pytest.raises(_Stop):
        call_command("run_periodic", "--loop", "--every", "5", stdout=StringIO())
    assert waits == [5.0, 5.0]
    assert PeriodicJob.objects.count() == len(JOBS)
