from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.periodic.models import PeriodicJob, PeriodicRun, RunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(django_user_model: Any, settings: Any) -> Client:
    settings.TWO_FACTOR_REQUIRED_ROLES = []  # the second factor is tested in accounts
    user = django_user_model.objects.create_superuser(
        username="admin", password="correct horse battery", email="admin@example.org"
    )
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def test_an_administrator_sees_the_jobs_their_schedules_and_a_failed_run(
    admin_client: Client,
) -> None:
    job = PeriodicJob.objects.create(name="urging", last_status=RunStatus.FAILED)
    PeriodicRun.objects.create(
        job=job, started_at=timezone.now(), status=RunStatus.FAILED, error="Traceback: boom"
    )

    jobs = admin_client.get("/admin/periodic/periodicjob/")
    assert jobs.status_code == 200
    assert b"daily at 06:30 (Asia/Ho_Chi_Minh)" in jobs.content
    runs = admin_client.get("/admin/periodic/periodicrun/")
    assert runs.status_code == 200 and b"urging" in runs.content
    run = PeriodicRun.objects.get()
    detail = admin_client.get(f"/admin/periodic/periodicrun/{run.pk}/change/")
    assert detail.status_code == 200 and b"Traceback: boom" in detail.content
    assert admin_client.get(f"/admin/periodic/periodicjob/{job.pk}/change/").status_code == 200
