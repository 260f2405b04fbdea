"""Large voice files are imported in the background, with a progress bar and the row report."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.tables import TableError
from danvan.units.tests.files import (
    csv_bytes,
    xlsx_bytes,
    xlsx_without_dimension,
    xlsx_zip_bomb,
)
from danvan.voices.importing import jobs, write
from danvan.voices.importing.jobs import estimate_rows, voice_import_job_start
from danvan.voices.models import ImportJobStatus, Voice, VoiceImportJob

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
IMMEDIATE_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"
HEADER = ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận", "Họ tên"]


def rows(count: int, *, bad: int = 0) -> list[list[str]]:
    good = [
        ["Phản ánh", "infrastructure", "17329-001", f"Đèn đường hỏng số {n}.", "02/11/2026", ""]
        for n in range(count)
    ]
    # A complaint needs a name: refused by the checks of voice_submit.
    wrong = [
        ["Khiếu nại", "land", "17329", f"Khiếu nại không tên {n}.", "02/11/2026", ""]
        for n in range(bad)
    ]
    return [HEADER, *good, *wrong]


@pytest.fixture
def small_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of more than 3 rows go to the background, written 2 voices per batch."""
    monkeypatch.setattr("danvan.voter_contact.views.BACKGROUND_ROWS", 3)
    monkeypatch.setattr(write, "BATCH_SIZE", 2)


def post(client, data: bytes, name: str = "y-kien.csv", **extra):
    client.cookies["django_language"] = "en"  # the job's report is written in English then
    return client.post(
        reverse("voter_contact:import_voices"),
        {"file": SimpleUploadedFile(name, data), **extra},
    )


@pytest.mark.usefixtures("small_background")
def test_a_large_file_goes_to_the_background_and_ends_with_its_report(
    world, commune_officer, login
):
    client = login(commune_officer)

    response = post(client, csv_bytes(rows(5)))

    job = VoiceImportJob.objects.get()
    assert job.language == "en"
    assert response.status_code == 302
    assert response["Location"] == reverse("voices:import_job", args=[job.pk])
    assert job.status == ImportJobStatus.DONE
    assert (job.rows_total, job.rows_done, job.imported) == (5, 5, 5)
    assert job.created_by == commune_officer
    assert job.file.name.startswith("voices/imports/") and "y-kien" not in job.file.name
    assert Voice.objects.count() == 5
    assert AuditEntry.objects.filter(action="voice.import_queued").count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "5 / 5 rows" in text and "Imported 5 voices." in text
    assert "every 1s" not in text  # finished: the page stops polling


@pytest.mark.usefixtures("small_background")
def test_a_large_file_with_errors_imports_nothing_and_lists_them(world, commune_officer, login):
    client = login(commune_officer)

    post(client, xlsx_bytes(rows(4, bad=2)), name="y-kien.xlsx")

    job = VoiceImportJob.objects.get()
    assert job.status == ImportJobStatus.DONE
    assert job.imported == 0
    assert Voice.objects.count() == 0
    assert [r["line"] for r in job.report] == [6, 7]
    assert "needs the name" in job.report[0]["errors"][0]
    text = client.get(reverse("voices:import_job_progress", args=[job.pk])).content.decode()
    assert "Nothing was imported: 2 rows have errors." in text
    assert "Khiếu nại không tên 0." in text


@pytest.mark.usefixtures("small_background")
def test_only_the_valid_rows_of_a_large_file(world, commune_officer, login):
    post(login(commune_officer), csv_bytes(rows(4, bad=1)), only_valid="on")

    job = VoiceImportJob.objects.get()
    assert (job.status, job.imported, len(job.report)) == (ImportJobStatus.DONE, 4, 1)
    assert Voice.objects.count() == 4


def test_a_file_the_job_cannot_read_fails_with_the_reason(world, commune_officer):
    data = csv_bytes([["Họ tên", "Địa chỉ"], ["An", "Xóm 1"]])

    job = voice_import_job_start(
        actor=Actor.of_user(commune_officer),
        name="x.csv",
        data=data,
        only_valid=False,
        language="en",
    )

    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert "header row is missing" in job.error


def test_a_crash_half_way_keeps_nothing_and_says_so(world, commune_officer, monkeypatch):
    monkeypatch.setattr(write, "BATCH_SIZE", 2)
    calls: list[int] = []

    def crash(self, done: int) -> None:
        calls.append(done)
        if done >= 4:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(jobs.ProgressWriter, "__call__", crash)

    job = voice_import_job_start(
        actor=Actor.of_user(commune_officer),
        name="y.csv",
        data=csv_bytes(rows(6)),
        only_valid=False,
        language="en",
    )

    job.refresh_from_db()
    assert calls == [2, 4]  # two batches were written before the crash...
    assert Voice.objects.count() == 0  # ...and rolled back with it
    assert not AuditEntry.objects.filter(action="voice.submit_batch").exists()
    assert job.status == ImportJobStatus.FAILED
    assert "Nothing from this file was imported" in job.error
    assert job.rows_done == 0


def test_the_page_polls_while_the_job_runs(world, commune_officer, login):
    job = VoiceImportJob.objects.create(
        created_by=commune_officer,
        original_name="lon.xlsx",
        status=ImportJobStatus.RUNNING,
        rows_total=10,
        rows_done=4,
    )

    client = login(commune_officer)
    client.cookies["django_language"] = "en"
    text = client.get(reverse("voices:import_job", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in text
    assert reverse("voices:import_job_progress", args=[job.pk]) in text
    assert '<progress max="10" value="4"' in text
    assert "4 / 10 rows" in text


def test_only_the_officer_or_a_wider_scope_sees_a_job(
    world, commune_officer, provincial_staff, system_admin, nobody, login, client
):
    from danvan.conftest import _member, _user
    from danvan.lib.roles import Role

    other = _member(_user("xa2", "Hà Văn Khác"), world.muong_xen_body, Role.COMMUNE_OFFICER)
    job = VoiceImportJob.objects.create(created_by=commune_officer, original_name="a.csv")
    url = reverse("voices:import_job", args=[job.pk])

    assert login(commune_officer).get(url).status_code == 200
    assert login(provincial_staff).get(url).status_code == 200
    assert login(system_admin).get(url).status_code == 200
    assert login(other).get(url).status_code == 404
    assert login(nobody).get(url).status_code == 404
    assert client.get(url).status_code == 302  # to the login page
    progress = reverse("voices:import_job_progress", args=[job.pk])
    assert login(other).get(progress).status_code == 404


@pytest.mark.django_db(transaction=True)  # the worker takes its own (exclusive) transactions
@pytest.mark.usefixtures("small_background")
def test_with_the_database_backend_a_worker_runs_the_job(world, commune_officer, login, settings):
    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": DATABASE_BACKEND}}
    client = login(commune_officer)

    response = post(client, csv_bytes(rows(4)))

    job = VoiceImportJob.objects.get()
    assert job.status == ImportJobStatus.QUEUED
    assert "Waiting for the import to start" in client.get(response["Location"]).content.decode()
    call_command(
        "run_worker",
        queue_name="people",
        batch=True,
        startup_delay=False,
        reload=False,
        verbosity=0,
    )
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJobStatus.DONE, 4)


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(commune_officer):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: progress arrives with the result")
    job = VoiceImportJob.objects.create(created_by=commune_officer, original_name="a.csv")
    writer = jobs.ProgressWriter(job.pk)
    reader = connections.create_connection("default")
    try:
        with transaction.atomic():
            Voice.objects.exists()  # the import's transaction, still open
            writer(1234)
            with reader.cursor() as cursor:
                cursor.execute(
                    "SELECT rows_done FROM voices_voiceimportjob WHERE id = %s", [job.pk]
                )
                assert cursor.fetchone()[0] == 1234
    finally:
        writer.close()
        reader.close()


def test_estimate_rows():
    assert estimate_rows(name="a.csv", data=csv_bytes(rows(7))) == 7
    assert estimate_rows(name="a.xlsx", data=xlsx_bytes(rows(7))) == 7
    with pytest.raises(TableError, match="not a real Excel"):
        estimate_rows(name="a.xlsx", data=b"MZ not a workbook")
    assert estimate_rows(name="a.pdf", data=b"%PDF") == 0


def test_a_voice_file_may_be_larger_than_other_spreadsheets(
    world, commune_officer, login, settings
):
    settings.DANVAN_MAX_IMPORT_BYTES = 10
    settings.DANVAN_MAX_VOICE_IMPORT_BYTES = 100_000
    client = login(commune_officer)

    assert post(client, csv_bytes(rows(1))).status_code == 200
    assert Voice.objects.count() == 1
    settings.DANVAN_MAX_VOICE_IMPORT_BYTES = 10
    response = post(client, csv_bytes(rows(2)))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


@pytest.mark.usefixtures("small_background")
def test_an_xlsx_that_declares_no_size_goes_to_the_background(world, commune_officer, login):
    # Its rows are counted in the file: the missing <dimension> used to count as none, and the
    # whole file was parsed inside the request.
    client = login(commune_officer)

    response = post(client, xlsx_without_dimension(xlsx_bytes(rows(5))), name="y-kien.xlsx")

    assert response.status_code == 302
    assert VoiceImportJob.objects.get().rows_total == 5


def test_a_workbook_heavy_to_parse_goes_to_the_background_whatever_its_rows(
    world, commune_officer, login, monkeypatch
):
    monkeypatch.setattr(jobs, "BACKGROUND_XLSX_BYTES", 1_000)
    client = login(commune_officer)

    response = post(client, xlsx_bytes(rows(1)), name="y-kien.xlsx")

    assert response.status_code == 302
    assert VoiceImportJob.objects.get().rows_total == 1


def test_a_zip_bomb_is_refused_in_the_request_without_being_unpacked(
    world, commune_officer, login, monkeypatch
):
    def unpack(*args, **kwargs):
        raise AssertionError("the bomb was opened")

    monkeypatch.setattr("openpyxl.load_workbook", unpack)
    client = login(commune_officer)

    response = post(client, xlsx_zip_bomb(20), name="y-kien.xlsx")

    assert response.status_code == 400
    assert "This workbook unpacks to 20 MB" in response.content.decode()
    assert not VoiceImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused_before_its_body_is_read(
    world, commune_officer, login, settings, monkeypatch
):
    settings.DANVAN_MAX_VOICE_IMPORT_BYTES = 1024 * 1024

    def parse(*args, **kwargs):
        raise AssertionError("the body was read")

    client = login(commune_officer)
    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", parse)

    response = post(client, b"x" * (1024 * 1024 + 300 * 1024))

    assert response.status_code == 413
    assert "The file is larger than 1 MB." in response.content.decode()


def test_an_import_still_checks_the_csrf_token(world, commune_officer, login):
    client = login(commune_officer)
    client.handler.enforce_csrf_checks = True

    assert post(client, csv_bytes(rows(1))).status_code == 403
    assert Voice.objects.count() == 0


@pytest.mark.usefixtures("small_background")
def test_markup_in_a_file_is_shown_as_text(world, commune_officer, login):
    script = "<script>alert('x')</script>"
    data = [
        *rows(3),
        ["Phản ánh", "<img src=x onerror=alert(1)>", "17329", script, "02/11/2026", ""],
    ]
    client = login(commune_officer)

    response = post(client, csv_bytes(data))

    text = client.get(response["Location"]).content.decode()
    assert script not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "Unknown topic “&lt;img src=x onerror=alert(1)&gt;”." in text
    assert Voice.objects.count() == 0


def test_a_job_waiting_for_minutes_hints_at_a_missing_worker(world, commune_officer, login):
    import datetime

    from django.utils import timezone

    job = VoiceImportJob.objects.create(created_by=commune_officer, original_name="a.csv")
    client = login(commune_officer)
    client.cookies["django_language"] = "en"
    url = reverse("voices:import_job_progress", args=[job.pk])

    assert "worker may not be running" not in client.get(url).content.decode()
    VoiceImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    text = client.get(url).content.decode()
    assert "worker may not be running" in text and "every 1s" in text


# --- A worker that dies or loses its database -------------------------------------------------


def test_imports_wait_on_the_peoples_queue_and_analysis_on_the_batch_queue(
    world, commune_officer, settings
):
    from django_tasks_db.models import DBTaskResult

    from danvan.insight.tasks import enqueue_analysis

    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": DATABASE_BACKEND}}

    voice_import_job_start(
        actor=Actor.of_user(commune_officer),
        name="a.csv",
        data=csv_bytes(rows(3)),
        only_valid=False,
    )
    enqueue_analysis([1, 2])
    enqueue_analysis([3])

    queued = sorted(DBTaskResult.objects.values_list("task_path", "queue_name", "priority"))
    assert queued == [
        ("danvan.insight.tasks.voice_analyse_task", "batch", 0),
        ("danvan.insight.tasks.voices_analyse_task", "batch", 0),
        ("danvan.voices.importing.jobs.voice_import_job_run", "people", 50),
    ]
    from danvan.voices.exports import voice_export_job_run  # an officer waits for it too

    assert (voice_export_job_run.queue_name, voice_export_job_run.priority) == ("people", 50)


def _worker_died(job: VoiceImportJob, *, attempts: int, minutes_ago: int = 10) -> None:
    """As a worker killed mid-import leaves its job: running, with a heartbeat that stopped."""
    from django.utils import timezone

    VoiceImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.RUNNING,
        attempts=attempts,
        rows_done=2,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_an_import_whose_worker_died_is_retried_then_failed_with_a_message(
    world, commune_officer, login, settings, django_capture_on_commit_callbacks
):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": DATABASE_BACKEND}}
    settings.DANVAN_TASK_STALE_MINUTES = 3
    settings.DANVAN_TASK_MAX_ATTEMPTS = 3
    job = voice_import_job_start(
        actor=Actor.of_user(commune_officer),
        name="y.csv",
        data=csv_bytes(rows(3)),
        only_valid=False,
        language="en",
    )
    first = DBTaskResult.objects.get()
    first.claim("killed-worker")
    _worker_died(job, attempts=1, minutes_ago=2)

    assert jobs.voice_import_jobs_reap() == 0  # its heartbeat is recent: still alive
    _worker_died(job, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.voice_import_jobs_reap() == 1

    job.refresh_from_db()
    first.refresh_from_db()
    assert (job.status, job.rows_done) == (ImportJobStatus.QUEUED, 0)
    assert "starts again by itself: attempt 2 of 3" in job.error
    assert first.status == TaskResultStatus.FAILED  # not taken up again beside the new task
    again = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert (again.status, again.queue_name) == (TaskResultStatus.READY, "people")

    # The second attempt runs (here at once) and imports each row once.
    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": IMMEDIATE_BACKEND}}
    jobs.voice_import_job_run.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.imported, job.error) == (ImportJobStatus.DONE, 2, 3, "")
    assert Voice.objects.count() == 3

    # A job whose worker died on its last attempt is failed when its page is looked at.
    _worker_died(job, attempts=3)
    client = login(commune_officer)
    client.cookies["django_language"] = "en"
    text = client.get(reverse("voices:import_job_progress", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED and job.finished_at is not None
    assert "The import was interrupted 3 times" in text
    assert "Nothing from this file was imported" in text
    assert "every 1s" not in text
    assert Voice.objects.count() == 3


def test_an_import_that_loses_its_database_is_retried(
    world, commune_officer, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db.utils import OperationalError

    monkeypatch.setattr(write, "BATCH_SIZE", 2)
    real = jobs.ProgressWriter.__call__
    cut: list[int] = []

    def cut_once(self, done: int) -> None:
        if done >= 4 and not cut:
            cut.append(done)
            raise OperationalError("terminating connection due to administrator command")
        real(self, done)

    monkeypatch.setattr(jobs.ProgressWriter, "__call__", cut_once)

    with django_capture_on_commit_callbacks(execute=True):
        job = voice_import_job_start(
            actor=Actor.of_user(commune_officer),
            name="y.csv",
            data=csv_bytes(rows(6)),
            only_valid=False,
            language="en",
        )

    job.refresh_from_db()
    assert cut == [4]
    assert (job.status, job.attempts, job.imported) == (ImportJobStatus.DONE, 2, 6)
    assert Voice.objects.count() == 6  # the first attempt's four were rolled back
