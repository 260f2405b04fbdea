from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from danvan.voices.models import ImportJobStatus, VoiceImportJob
from danvan.voices.retention import IMPORT_FILES_KEPT, voice_import_files_purge

pytestmark = pytest.mark.django_db


def import_job(
    user: Any, *, status: str, finished_ago: datetime.timedelta | None
) -> VoiceImportJob:
    job = VoiceImportJob(created_by=user, status=status, original_name="voices.csv")
    job.file.save("voices.csv", ContentFile(b"unit_code,text\n"), save=False)
    if finished_ago is not None:
        job.finished_at = timezone.now() - finished_ago
    job.save()
    return job


def test_the_files_of_imports_finished_long_ago_are_deleted_and_the_jobs_kept(
    settings: Any, tmp_path: Path, django_user_model: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    user = django_user_model.objects.create_user(username="importer", password="x")
    old = import_job(user, status=ImportJobStatus.DONE, finished_ago=IMPORT_FILES_KEPT * 2)
    old_failed = import_job(user, status=ImportJobStatus.FAILED, finished_ago=IMPORT_FILES_KEPT * 2)
    recent = import_job(user, status=ImportJobStatus.DONE, finished_ago=datetime.timedelta(days=1))
    running = import_job(user, status=ImportJobStatus.RUNNING, finished_ago=None)
    old_path = Path(old.file.path)

    assert voice_import_files_purge() == 2

    assert not old_path.exists()
    for job in (old, old_failed, recent, running):
        job.refresh_from_db()
    assert old.file.name == "" and old_failed.file.name == ""
    assert recent.file.name and running.file.name
    assert Path(recent.file.path).exists()
    assert voice_import_files_purge() == 0
