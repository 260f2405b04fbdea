"""Every periodic job of Dân Vận, with its schedule: the one list to read (``JOBS``).

``manage.py run_periodic`` runs the ones that are due (from cron every few minutes, or
``--loop`` as a service; see ``README.md``). Each job calls the same function as the app's own
command (``run_urging``, ``run_alerts``, ``run_report_drafts``, ``check_models``,
``purge_idempotency_keys``, ``reap_tasks``), which stays for running one by hand.

The list lives in this app, the top layer beside ``web``, because it is the one place allowed to
know every feature app: ``lib`` and the apps below stay unaware of the schedule. Times of day are
Vietnam time. To add a job, write its function in the app it belongs to and add a line here.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from danvan.alerts.scan import alerts_scan
from danvan.api.idempotency import purge_expired
from danvan.insight.services_training import insight_train
from danvan.insight.tasks import voices_unanalysed_requeue
from danvan.lib.worker import reap
from danvan.periodic.housekeeping import periodic_runs_prune, task_results_prune
from danvan.periodic.schedules import Daily, EveryMinutes, Hourly, Job
from danvan.reports.scheduling import run_report_drafts
from danvan.skillful.checks import check_all
from danvan.voices.exports import voice_export_jobs_purge
from danvan.voices.retention import voice_import_files_purge
from danvan.voices.urging import run_urging

__all__ = ["JOBS", "job_named"]


def _report_drafts() -> str:
    due = run_report_drafts(today=timezone.localdate())
    queued = ", ".join(f"body {d.body_id} {d.period_code}" for d in due)
    return f"{len(due)} report(s) queued" + (f": {queued}" if queued else "")


def _insight_train() -> str:
    model = insight_train()
    if model is None:
        return "no model"
    return f"model {model.pk}: {model.samples} voices, accuracy {model.accuracy}"


JOBS: list[Job] = [
    Job(
        "urging",
        run_urging,
        Daily(datetime.time(6, 30)),
        "Remind the bodies of cases due soon, escalate overdue ones (voices.urging).",
    ),
    Job(
        "alerts",
        alerts_scan,
        Daily(datetime.time(6, 45)),
        "Scan the voices for hot spots and raise alerts, after the urging (alerts).",
    ),
    Job(
        "report_drafts",
        _report_drafts,
        Daily(datetime.time(7, 0)),
        "Queue the monthly and quarterly report drafts due today (reports.scheduling).",
    ),
    Job(
        "model_checks",
        check_all,
        Daily(datetime.time(1, 0)),
        "Recompute the formalism flags of every Skillful Mass Mobilization model (skillful).",
        timeout=datetime.timedelta(hours=2),
    ),
    Job(
        "insight_train",
        _insight_train,
        Daily(datetime.time(2, 0)),
        "Retrain the topic classifier and relearn the grouping threshold (insight).",
        timeout=datetime.timedelta(hours=4),
        retry_after=datetime.timedelta(hours=2),
    ),
    Job(
        "idempotency_keys_purge",
        purge_expired,
        Daily(datetime.time(3, 0)),
        "Delete the API's expired Idempotency-Key records (api).",
    ),
    Job(
        "task_results_prune",
        task_results_prune,
        Daily(datetime.time(3, 15)),
        "Delete the background task rows finished more than 14 days ago.",
    ),
    Job(
        "voice_import_files_purge",
        voice_import_files_purge,
        Daily(datetime.time(3, 30)),
        "Delete the files of voice imports finished more than 30 days ago (voices.retention).",
    ),
    Job(
        "periodic_runs_prune",
        periodic_runs_prune,
        Daily(datetime.time(3, 45)),
        "Delete the records of periodic runs older than 90 days.",
    ),
    Job(
        "voice_export_files_purge",
        voice_export_jobs_purge,
        Hourly(minute=5),
        "Delete the files of background exports past their 24 hours (voices.exports).",
    ),
    Job(
        "voices_unanalysed_requeue",
        voices_unanalysed_requeue,
        Hourly(minute=20),
        "Queue again the analysis of voices whose task was lost with the database after their "
        "commit (insight).",
    ),
    Job(
        "tasks_reap",
        reap,
        EveryMinutes(5),
        "Retry or fail the imports and tasks whose worker stopped (lib.worker; workers also do "
        "it each minute).",
        timeout=datetime.timedelta(minutes=30),
        retry_after=datetime.timedelta(minutes=5),
    ),
]


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)
