"""The page of a voice import running in the background: its progress bar, then its report.

The upload itself is the voices import page (``voter_contact.views.import_voices``): a file of
more than ``importing.jobs.BACKGROUND_ROWS`` rows is handed to ``voice_import_job_start`` there
and the officer is sent here. The page polls its progress fragment with htmx every second until
the job has finished.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from danvan.voices.importing.jobs import voice_import_job_visible, voice_import_jobs_reap
from danvan.voices.models import ImportJobStatus, VoiceImportJob

#: Rows with errors shown on the page; the rest are counted.
REPORT_ROWS_SHOWN = 1_000
WAITING_TOO_LONG = datetime.timedelta(minutes=2)


def _visible_job(request: HttpRequest, pk: int) -> VoiceImportJob:
    job = get_object_or_404(VoiceImportJob.objects.select_related("created_by"), pk=pk)
    if not voice_import_job_visible(job, request.user):
        raise Http404  # the same answer as a job that does not exist
    if job.status == ImportJobStatus.RUNNING:
        # A job whose worker died is retried or failed now, not only by the next reaper's round.
        voice_import_jobs_reap(job=job)
    return job


def _context(job: VoiceImportJob) -> dict[str, object]:
    report = job.report if isinstance(job.report, list) else []
    return {
        "job": job,
        # Still waiting after a while: no worker may be running (``manage.py db_worker``).
        "waiting_long": job.status == ImportJobStatus.QUEUED
        and timezone.now() - job.created_at > WAITING_TOO_LONG,
        "report_rows": report[:REPORT_ROWS_SHOWN],
        "report_hidden": max(len(report) - REPORT_ROWS_SHOWN, 0),
        "error_count": len(report),
    }


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    return render(request, "voices/import/job.html", _context(job))


@login_required
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment the page swaps in every second; once finished it stops asking."""
    job = _visible_job(request, pk)
    response = render(request, "voices/import/_job_progress.html", _context(job))
    response["Cache-Control"] = "no-store"
    return response
