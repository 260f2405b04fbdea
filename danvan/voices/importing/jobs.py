"""Large files, imported in the background (``VoiceImportJob``), with a progress bar.

The upload page hands a file of more than ``BACKGROUND_ROWS`` rows to ``voice_import_job_start``;
a worker runs ``voice_import_job_run`` (the whole file in one transaction, finished together with
the job), writing its progress and a heartbeat meanwhile. A job whose worker died (its heartbeat
stopped) is retried or failed by ``voice_import_jobs_reap``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import DatabaseError, connections, models, router, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import scope_for
from danvan.lib.tables import TableError, count_rows
from danvan.lib.users import Requester
from danvan.lib.worker import (
    DB_ERRORS,
    PEOPLE_PRIORITY,
    PEOPLE_QUEUE,
    max_attempts,
    stale_after,
    task_rows_abandon,
)
from danvan.voices.importing.parse import parse_voice_file
from danvan.voices.importing.write import voices_import
from danvan.voices.models import ImportJobStatus, VoiceImportJob

logger = logging.getLogger(__name__)

#: Files with more rows than this are imported in the background (``VoiceImportJob``).
BACKGROUND_ROWS = 2_000
#: So are workbooks that unpack to more than this, whatever their rows (2,000 rows: about 2 MB).
BACKGROUND_XLSX_BYTES = 8 * 1024 * 1024
#: Seconds between two heartbeats of a running background import (``VoiceImportJob.heartbeat_at``).
HEARTBEAT_SECONDS = 20


def estimate_rows(*, name: str, data: bytes) -> int:
    """About how many rows the file has, without parsing it: its lines, or the ``<row>`` tags of
    an .xlsx counted in its unpacked XML, not the size the sheet declares (which may be wrong or
    missing). Counting stops past ``BACKGROUND_ROWS``: the caller only asks whether the file is
    large; a workbook that unpacks to more than ``BACKGROUND_XLSX_BYTES`` counts as large too.
    Raises ``TableError`` for a workbook that is damaged or unpacks to far too much."""
    rows = count_rows(
        name=name, data=data, stop_after=BACKGROUND_ROWS + 2, heavy_bytes=BACKGROUND_XLSX_BYTES
    )
    return max(rows - 1, 0)


def voice_import_job_start(
    *, actor: Actor, name: str, data: bytes, only_valid: bool, language: str = "vi"
) -> VoiceImportJob:
    """Keep the file, record the job and queue its import (``voice_import_job_run``)."""
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    job = VoiceImportJob(
        created_by=actor.user,
        original_name=name[:255],
        only_valid=only_valid,
        language=language,
        ip_address=actor.ip,
        user_agent=actor.user_agent[:255],
    )
    # A random stored name: the officer's file name stays only in ``original_name``.
    job.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
    with transaction.atomic():
        job.save()
        audit_record(
            actor=actor,
            action="voice.import_queued",
            obj=job,
            changes={"file": job.original_name, "bytes": len(data), "only_valid": only_valid},
        )
    # Committed first, so that a worker always finds the job.
    voice_import_job_run.enqueue(job.pk)
    return job


class ProgressWriter:
    """Writes ``rows_done`` while the import's own transaction is still open.

    On PostgreSQL through a second connection that commits each update at once, so the page sees
    the progress; SQLite has a single writer, so there the count only arrives with the result.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        alias = router.db_for_write(VoiceImportJob)
        self.connection = (
            connections.create_connection(alias)
            if connections[alias].vendor == "postgresql"
            else None
        )

    def __call__(self, done: int) -> None:
        if self.connection is None:
            return
        table = self.connection.ops.quote_name(VoiceImportJob._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rows_done = %s, heartbeat_at = %s WHERE id = %s",  # noqa: S608 - a table name, not input
                [done, timezone.now(), self.job_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class _Heartbeat:
    """Writes the job's ``heartbeat_at`` every ``HEARTBEAT_SECONDS`` while the job runs.

    From a thread with its own connection, so the beat is committed at once while the import's
    transaction is open (on SQLite, whose single writer is the import, beats wait for its end).
    A worker killed mid-import stops beating; ``voice_import_jobs_reap`` then retries the job.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"import-job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                try:
                    VoiceImportJob.objects.filter(
                        pk=self.job_id, status=ImportJobStatus.RUNNING
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError:  # a lost connection or SQLite's lock: the next beat
                    logger.warning("No heartbeat for import job %s", self.job_id, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's own


def _job_update(job: VoiceImportJob, **changes: Any) -> None:
    for key, value in changes.items():
        setattr(job, key, value)
    VoiceImportJob.objects.filter(pk=job.pk).update(**changes)


def _job_retry_or_fail(job: VoiceImportJob, *, abandon: bool = True) -> bool:
    """A running job whose worker stopped (or lost its database): queued again, or failed after
    ``DANVAN_TASK_MAX_ATTEMPTS`` attempts. Nothing of an interrupted attempt was kept (the import
    is one transaction, finished together with the job), so the next one starts from the first
    row. ``abandon``: fail the task rows its dead worker left running. Returns whether this call
    changed the job (another reaper may have been quicker)."""
    with translation.override(job.language):
        if job.attempts < max_attempts():
            changes: dict[str, Any] = {
                "status": ImportJobStatus.QUEUED,
                "rows_done": 0,
                "heartbeat_at": None,
                "error": _(
                    "The import was interrupted (the background worker stopped or lost its "
                    "database); nothing from it was kept. It starts again by itself: attempt "
                    "%(attempt)s of %(max)s."
                )
                % {"attempt": job.attempts + 1, "max": max_attempts()},
            }
        else:
            changes = {
                "status": ImportJobStatus.FAILED,
                "rows_done": 0,
                "error": ngettext(
                    "The import was interrupted %(count)s time (the background worker stopped "
                    "or lost its database). Nothing from this file was imported. Try again "
                    "later, or tell the system administrator.",
                    "The import was interrupted %(count)s times (the background worker stopped "
                    "or lost its database). Nothing from this file was imported. Try again "
                    "later, or tell the system administrator.",
                    job.attempts,
                )
                % {"count": job.attempts},
                "finished_at": timezone.now(),
            }
    with transaction.atomic():
        changed = VoiceImportJob.objects.filter(
            pk=job.pk, status=ImportJobStatus.RUNNING, attempts=job.attempts
        ).update(**changes)
        if changed and abandon:  # only once the job is ours: its worker may be alive after all
            task_rows_abandon(
                voice_import_job_run.module_path, [job.pk], reason="its import job is being retried"
            )
        if changed and changes["status"] == ImportJobStatus.QUEUED:
            transaction.on_commit(lambda: voice_import_job_run.enqueue(job.pk))
    if changed:
        for key, value in changes.items():
            setattr(job, key, value)
        logger.warning("Voice import job %s: %s", job.pk, changes["status"])
    return bool(changed)


def voice_import_jobs_reap(*, job: VoiceImportJob | None = None) -> int:
    """Retry (or, after its attempts, fail) each running job whose heartbeat has stopped.

    Every worker runs it each minute (``danvan.lib.worker.reap``), so does ``manage.py
    reap_tasks``; the job's page runs it for its job, so an officer never watches a dead job.
    Returns the number of jobs changed.
    """
    cutoff = timezone.now() - stale_after()
    stale = models.Q(heartbeat_at__lt=cutoff) | models.Q(
        heartbeat_at__isnull=True, created_at__lt=cutoff
    )
    jobs = VoiceImportJob.objects.filter(stale, status=ImportJobStatus.RUNNING)
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    changed = 0
    for stale_job in jobs:
        if _job_retry_or_fail(stale_job):
            changed += 1
            if job is not None:
                job.refresh_from_db()
    return changed


@task(queue_name=PEOPLE_QUEUE, priority=PEOPLE_PRIORITY)
def voice_import_job_run(job_id: int) -> None:
    """Import a queued job's file; the job ends done (with its report) or failed, never half-done.

    Queued again when its worker or database is lost (``_job_retry_or_fail``). On the people's
    queue, so that an officer's upload never waits behind analysis.
    """
    # Taken in one statement: of two workers handed the same job, one runs it.
    claimed = VoiceImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING,
        heartbeat_at=timezone.now(),
        attempts=models.F("attempts") + 1,
    )
    if not claimed:
        return  # already taken by another worker, finished, or gone
    job = VoiceImportJob.objects.select_related("created_by").get(pk=job_id)
    with _Heartbeat(job.pk):
        _job_run(job)


def _job_run(job: VoiceImportJob) -> None:
    actor = Actor(user=job.created_by, ip=job.ip_address, user_agent=job.user_agent)
    with translation.override(job.language):
        try:
            with job.file.open("rb") as stored:
                data = stored.read()
            try:
                rows = parse_voice_file(name=job.original_name or job.file.name, data=data)
            except TableError as exc:
                _job_update(
                    job,
                    status=ImportJobStatus.FAILED,
                    error=str(exc),
                    finished_at=timezone.now(),
                )
                return
            _job_update(job, rows_total=len(rows))
            progress = ProgressWriter(job.pk)
            # The job is done in the import's own transaction: a worker killed before the commit
            # leaves neither voices nor a finished job (the retry imports the file anew), one
            # killed after it leaves both (the retry finds the job done and does nothing).
            with transaction.atomic():
                try:
                    report = voices_import(
                        actor=actor, rows=rows, only_valid=job.only_valid, progress=progress
                    )
                finally:
                    progress.close()
                _job_update(
                    job,
                    status=ImportJobStatus.DONE,
                    rows_done=len(rows),
                    imported=report.imported,
                    error="",
                    report=[
                        {
                            "line": row.line,
                            "unit_code": row.unit_code,
                            "text": row.text[:200],
                            "errors": row.errors,
                        }
                        for row in report.error_rows
                    ],
                    finished_at=timezone.now(),
                )
        except DB_ERRORS:
            # The connection was cut or the server restarted: the transaction went with it.
            logger.exception("voice import job %s lost its database", job.pk)
            connection = connections[router.db_for_write(VoiceImportJob)]
            if not connection.in_atomic_block:  # reconnect if the connection is broken
                connection.close_if_unusable_or_obsolete()
            _job_retry_or_fail(job, abandon=False)
        except Exception:
            logger.exception("voice import job %s failed", job.pk)
            # The import's transaction was rolled back: no voice of this file was kept.
            _job_update(
                job,
                status=ImportJobStatus.FAILED,
                rows_done=0,
                error=_(
                    "The import stopped because of an error in the system. Nothing from this "
                    "file was imported. Try again later, or tell the system administrator."
                ),
                finished_at=timezone.now(),
            )


def voice_import_job_visible(job: VoiceImportJob, user: Requester | None) -> bool:
    """The officer who started it, or one whose scope covers all of theirs, sees the job."""
    if user is None or not user.is_authenticated:
        return False
    if job.created_by_id == user.pk:
        return True
    # Two scopes compared (one covers the other), which no filter on the records expresses.
    mine, theirs = scope_for(user, Capability.ACT), scope_for(job.created_by, Capability.ACT)
    if mine.is_global:
        return True
    if theirs.is_global or theirs.is_empty:
        return False
    return all(mine.covers(prefix) for prefix in theirs.prefixes)
