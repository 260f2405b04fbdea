"""The case export written in the background: how long a provincial officer's 25,000 cases take.

    DATABASE_URL=sqlite:////tmp/bench_export.sqlite3 MEDIA_ROOT=/tmp/bench_media \\
        .venv/bin/python bench/export.py [--user tinh] [--runs 3]

Run ``manage.py migrate``, ``manage.py seed_demo --voices 0`` and
``bench/gen_voices.py --count 25000`` on the database first. Each run records an export job as
the officer would (``voice_export_job_start``, the inbox with no filter) and runs its task in this
process (``voice_export_job_run.call``, as a worker does): reading the cases, writing the workbook
with the personal-data columns row by row, progress every 500 rows, the file saved. It prints the
rows, the seconds and the file's size of each run. The jobs and their files are left in place
(they expire after 24 hours like any other).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.voices import exports
from danvan.voices.models import VoiceExportJob


class _NoQueue:
    """Record the job without queueing it: this process runs it and times it."""

    @staticmethod
    def enqueue(job_id: int) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="tinh", help="the demo account (default: tinh)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    user = get_user_model().objects.get(username=args.user)
    run = exports.voice_export_job_run
    print(f"database: {connection.vendor}, user: {args.user}")
    for number in range(1, args.runs + 1):
        exports.voice_export_job_run = _NoQueue  # type: ignore[assignment]
        try:
            job = exports.voice_export_job_start(
                actor=Actor.of_user(user), query="", today=timezone.localdate()
            )
        finally:
            exports.voice_export_job_run = run
        started = time.perf_counter()
        run.call(job.pk)
        seconds = time.perf_counter() - started
        job = VoiceExportJob.objects.get(pk=job.pk)
        size = job.file.size if job.file else 0
        print(
            f"run {number}: {job.status}, {job.rows_done:,} rows "
            f"({job.personal_rows:,} with personal data) in {seconds:.1f} s, "
            f"{size / 1024 / 1024:.1f} MB"
        )


if __name__ == "__main__":
    main()
