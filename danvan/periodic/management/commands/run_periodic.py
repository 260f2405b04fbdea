"""``manage.py run_periodic``: run every periodic job that is due now (``danvan.periodic.jobs``).

From cron every few minutes, on one machine or several (a job runs once however many runners
start together), or ``--loop`` as a service. ``--list`` prints the jobs, their schedules and
their last runs; ``--run NAME`` runs one job now, due or not (still never twice at once).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections

from danvan.lib.worker import DB_ERRORS, MAX_BACKOFF
from danvan.periodic.jobs import JOBS, job_named
from danvan.periodic.models import PeriodicJob
from danvan.periodic.runner import Outcome, job_run, run_due


class Command(BaseCommand):
    help = "Run the periodic jobs that are due (urging, alerts, drafts, checks, training, pruning)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Print every job and stop.")
        parser.add_argument("--run", metavar="NAME", help="Run this job now, due or not.")
        parser.add_argument(
            "--loop", action="store_true", help="Keep running: look for due jobs every --every s."
        )
        parser.add_argument(
            "--every", type=float, default=60.0, help="Seconds between two looks (--loop)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
        elif options["run"]:
            try:
                job = job_named(options["run"])
            except KeyError:
                names = ", ".join(job.name for job in JOBS)
                raise CommandError(f"No job {options['run']!r}; the jobs: {names}.") from None
            outcome = job_run(job, force=True)
            if outcome is None:
                raise CommandError(f"{job.name} is running elsewhere.")
            self._print(outcome)
        elif options["loop"]:
            self._loop(options["every"])
        else:
            for outcome in run_due(JOBS):
                self._print(outcome)

    def _list(self) -> None:
        rows = {row.name: row for row in PeriodicJob.objects.all()}
        for job in JOBS:
            row = rows.get(job.name)
            last = "never run"
            if row is not None and row.last_started_at is not None:
                last = f"last {row.last_started_at:%Y-%m-%d %H:%M} UTC {row.last_status}"
            self.stdout.write(f"{job.name:<26} {job.schedule!s:<34} {last}")
            self.stdout.write(f"    {job.description}")

    def _print(self, outcome: Outcome) -> None:
        line = f"{outcome.job}: {outcome.status} in {outcome.duration:.1f} s"
        if outcome.summary:
            line += f" {outcome.summary}"
        self.stdout.write(line)

    def _loop(self, every: float) -> None:
        backoff = 1.0
        while True:
            close_old_connections()
            try:
                for outcome in run_due(JOBS):
                    self._print(outcome)
            except DB_ERRORS as exc:
                # The database went away (restart, failover): wait, reconnect, carry on.
                self.stderr.write(f"Database unavailable ({exc}); retrying in {backoff:.0f} s.")
                connections.close_all()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            time.sleep(every)
