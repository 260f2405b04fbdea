"""The case export: personal data row by row on the case's own unit (the case page's rule), every
download in the audit log, and large exports written in the background for their requester only,
within the rights they had when they asked."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.roles import Role
from danvan.lib.scoping import forget_scope
from danvan.organizations.models import Membership
from danvan.organizations.services import membership_add, membership_end
from danvan.voices import exports
from danvan.voices.models import Topic, Voice, VoiceExportJob
from danvan.voices.services import voice_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EXPORT = reverse("voices:export")


def submit(unit: Any, name: str) -> Voice:
    return voice_submit(
        actor=Actor(user=None, ip="203.0.113.5", label="citizen"),
        kind="complaint_first",
        channel="web",
        unit=unit,
        topic=Topic.objects.get(code="land", province=None),
        text="Chưa được bồi thường.",
        submitter_name=name,
        submitter_contact="0912345678",
    )


@pytest.fixture
def cases(world: Any) -> dict[str, Voice]:
    return {
        "anh_son": submit(world.anh_son_village, "Nguyễn Văn An"),
        "muong_xen": submit(world.muong_xen, "Lò Văn Pằn"),
    }


@pytest.fixture
def officer_and_observer(world: Any, commune_officer: Any) -> Any:
    """Commune officer of Xã Anh Sơn (personal data there) and observer of the whole province
    (no personal data): sees Mường Xén's cases, not the names in them."""
    membership_add(
        actor=Actor.system("test"),
        user=commune_officer,
        body=world.province_body,
        role=Role.OBSERVER,
    )
    forget_scope(commune_officer)
    return commune_officer


def _table(content: bytes) -> dict[str, dict[str, Any]]:
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    return {str(r[0]): dict(zip(header, r, strict=True)) for r in rows[1:] if r[0]}


def test_personal_data_is_exported_only_for_the_units_where_the_role_holds_it(
    cases: dict[str, Voice], officer_and_observer: Any, login: Any
) -> None:
    client = login(officer_and_observer)
    table = _table(client.get(EXPORT).content)
    anh_son, muong_xen = cases["anh_son"].tracking_code, cases["muong_xen"].tracking_code
    assert set(table) == {anh_son, muong_xen}  # the observer's right shows both cases
    assert table[anh_son]["Name"] == "Nguyễn Văn An"
    assert table[muong_xen]["Name"] in ("", None)
    assert table[muong_xen]["Phone or email"] in ("", None)
    # The case page decides alike.
    page = client.get(reverse("voices:case", args=[muong_xen]))
    assert page.status_code == 200 and "Lò Văn Pằn" not in page.content.decode()
    entry = AuditEntry.objects.get(action="voice.export")
    assert entry.changes["rows"] == 2 and entry.changes["personal_rows"] == 1
    assert entry.changes["personal_data"] is True and entry.is_sensitive_view


def test_an_export_without_personal_data_is_audited_too(
    cases: dict[str, Voice], observer: Any, login: Any
) -> None:
    login(observer).get(EXPORT, {"kind": "complaint_first"})
    entry = AuditEntry.objects.get(action="voice.export", actor=observer)
    assert entry.changes["rows"] == 2 and entry.changes["personal_data"] is False
    assert entry.changes["filters"] == "kind=complaint_first"
    assert not entry.is_sensitive_view


@pytest.fixture
def big(monkeypatch: Any) -> None:
    """Every export counts as large."""
    monkeypatch.setattr(exports, "EXPORT_IMMEDIATE_ROWS", 1)


def test_a_large_export_is_offered_then_written_in_the_background(
    big: None, cases: dict[str, Voice], provincial_staff: Any, login: Any
) -> None:
    client = login(provincial_staff)
    offer = client.get(EXPORT, {"kind": "complaint_first"})
    assert offer.status_code == 200
    assert offer["Content-Type"].startswith("text/html")
    assert not VoiceExportJob.objects.exists()  # a GET starts nothing
    page = client.post(EXPORT + "?kind=complaint_first", follow=True)
    job = page.context["job"]
    assert job.status == "done" and job.rows_done == 2 and job.personal_rows == 2
    assert job.query == "kind=complaint_first"
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=24)
    assert reverse("voices:export_job_download", args=[job.pk]) in page.content.decode()
    assert not AuditEntry.objects.filter(action="voice.export").exists()  # not yet downloaded
    download = client.get(reverse("voices:export_job_download", args=[job.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    table = _table(b"".join(download.streaming_content))
    assert {row["Name"] for row in table.values()} == {"Nguyễn Văn An", "Lò Văn Pằn"}
    entry = AuditEntry.objects.get(action="voice.export")
    assert entry.changes["rows"] == 2 and entry.changes["job"] == job.pk
    assert entry.is_sensitive_view


def test_only_the_requester_downloads_a_background_export(
    big: None, cases: dict[str, Voice], provincial_staff: Any, leader: Any, login: Any
) -> None:
    page = login(provincial_staff).post(EXPORT, follow=True)
    job = page.context["job"]
    other = login(leader)  # sees all of the province, personal data too: still not theirs
    for name in ("voices:export_job", "voices:export_job_progress", "voices:export_job_download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404


def test_an_expired_export_is_deleted_and_refused(
    big: None, cases: dict[str, Voice], provincial_staff: Any, login: Any
) -> None:
    client = login(provincial_staff)
    job = client.post(EXPORT, follow=True).context["job"]
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    VoiceExportJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(reverse("voices:export_job_download", args=[job.pk])).status_code == 404
    assert not storage.exists(name)
    assert (
        "no longer kept" in client.get(reverse("voices:export_job", args=[job.pk])).content.decode()
    )


def test_the_background_export_keeps_the_rights_of_the_moment_it_was_asked(
    big: None, cases: dict[str, Voice], commune_officer: Any, login: Any, monkeypatch: Any
) -> None:
    # The job is queued; the officer's membership ends before a worker runs it.
    run = exports.voice_export_job_run
    queued: list[int] = []

    class Queue:
        enqueue = staticmethod(queued.append)

    monkeypatch.setattr(exports, "voice_export_job_run", Queue)
    login(commune_officer).post(EXPORT)
    for membership in Membership.objects.filter(user=commune_officer):
        membership_end(actor=Actor.system("test"), membership=membership)
    run.call(queued[0])
    job = VoiceExportJob.objects.get(pk=queued[0])
    assert job.status == "done" and job.rows_done == 1 and job.personal_rows == 1
    anh_son = cases["anh_son"].unit.parent
    assert anh_son is not None
    assert job.scopes["personal_data"] == {"global": False, "prefixes": [anh_son.path]}


def test_an_export_whose_worker_stopped_says_so_instead_of_waiting_for_ever(
    big: None, cases: dict[str, Voice], provincial_staff: Any, login: Any, monkeypatch: Any
) -> None:
    class Queue:
        enqueue = staticmethod(lambda job_id: None)

    monkeypatch.setattr(exports, "voice_export_job_run", Queue)
    client = login(provincial_staff)
    job = client.post(EXPORT, follow=True).context["job"]
    # A worker took it, then died: still "running" long after.
    VoiceExportJob.objects.filter(pk=job.pk).update(status="running")
    progress = reverse("voices:export_job_progress", args=[job.pk])
    assert "Writing the file" in client.get(progress).content.decode()
    VoiceExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - exports.RUNNING_TOO_LONG - datetime.timedelta(minutes=1)
    )
    page = client.get(progress).content.decode()
    assert "interrupted" in page and "hx-get" not in page
    assert VoiceExportJob.objects.get(pk=job.pk).status == "failed"
