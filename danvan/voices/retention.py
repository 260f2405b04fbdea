"""How long the files of finished voice imports are kept (the periodic ``voice_import_files_purge``).

An import's spreadsheet is read only while its job runs; once the job is finished its report (the
rows with errors) is on the job and the file is no longer needed, yet it holds citizens' names and
complaints. It is deleted ``IMPORT_FILES_KEPT`` after the job finished; the job and its report
stay. (Export files have their own expiry, ``exports.voice_export_jobs_purge``.)
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from danvan.voices.models import ImportJobStatus, VoiceImportJob

__all__ = ["IMPORT_FILES_KEPT", "voice_import_files_purge"]

#: How long after its job finished an import's file is kept.
IMPORT_FILES_KEPT = datetime.timedelta(days=30)


def voice_import_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of the imports finished more than ``IMPORT_FILES_KEPT`` ago; how many."""
    cutoff = (now or timezone.now()) - IMPORT_FILES_KEPT
    finished = VoiceImportJob.objects.filter(
        status__in=[ImportJobStatus.DONE, ImportJobStatus.FAILED], finished_at__lte=cutoff
    ).exclude(file="")
    count = 0
    for job in finished.only("pk", "file"):
        job.file.delete(save=False)
        VoiceImportJob.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count
