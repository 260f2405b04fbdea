"""The buckets always equal a direct GROUP BY over the voices, whatever wrote the voices."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.dashboards import sql
from danvan.dashboards.models import Bucket, VoiceFact
from danvan.units.models import AdministrativeUnit
from danvan.units.tests.files import csv_bytes
from danvan.voices.importing.parse import parse_voice_file
from danvan.voices.importing.write import voices_import
from danvan.voices.models import OPEN_STATUSES, Topic, Voice
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import case_answer, case_close, case_decide
from danvan.voices.services_routing import case_accept, case_assign, case_refuse

pytestmark = pytest.mark.django_db

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")


def submit(world: Any, **overrides: Any) -> Voice:
    values: dict[str, Any] = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": world.anh_son_village,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": timezone.localdate() - datetime.timedelta(days=3),
        "submitter_name": "Nguyễn Văn An",
    }
    values.update(overrides)
    return voice_submit(**values)


def expected() -> Counter[tuple[int, str, datetime.date, str, str]]:
    """Every bucket recomputed in Python straight from the voices and their due dates."""
    counts: Counter[tuple[int, str, datetime.date, str, str]] = Counter()
    units = {u.pk: u for u in AdministrativeUnit.objects.all()}
    for v in Voice.objects.prefetch_related("deadlines"):
        path = units[v.unit_id].path
        areas = [u.pk for u in units.values() if path.startswith(u.path)]
        values = {
            "total": "",
            "kind": v.kind,
            "channel": v.channel,
            "status": v.status,
            "topic": str(v.topic_id),
            "body": str(v.assignee_id) if v.assignee_id else None,
            "due": v.due_on.isoformat() if v.due_on and v.status in OPEN_STATUSES else None,
        }
        answered_on = timezone.localdate(v.answered_at) if v.answered_at else None
        steps = [
            d.due_on for d in v.deadlines.all() if d.step in ("answer", "resolve") and d.due_on
        ]
        due = min(steps) if steps else v.due_on
        on_time = answered_on is not None and (due is None or answered_on <= due)
        for area in areas:
            for dim, value in values.items():
                if value is None:
                    continue
                key = (area, dim, v.received_on, value)
                counts[(*key, "n")] += 1
                counts[(*key, "answered")] += answered_on is not None
                counts[(*key, "on_time")] += on_time
                counts[(*key, "days")] += (answered_on - v.received_on).days if answered_on else 0
    return +counts  # drop zeros


def stored() -> Counter[tuple[int, str, datetime.date, str, str]]:
    counts: Counter[tuple[int, str, datetime.date, str, str]] = Counter()
    for b in Bucket.objects.all():
        for name in ("n", "answered", "on_time", "days"):
            counts[(b.area_id, b.dim, b.day, b.value, name)] += getattr(b, name)
    return +counts


def direct_group_by() -> dict[tuple[int, str], int]:
    """The province's counts by status with SQL over the raw table (the dashboards' baseline)."""
    rows = (
        Voice.objects.filter(unit__path__startswith="/40/")
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def assert_current() -> None:
    assert stored() == expected()
    assert VoiceFact.objects.count() == Voice.objects.count()
    province = AdministrativeUnit.objects.get(code="40")
    by_status = dict(
        Bucket.objects.filter(area=province, dim="status").values_list("value").annotate(n=Sum("n"))
    )
    assert {k: v for k, v in by_status.items() if v} == direct_group_by()


def test_submit_status_changes_and_delete_keep_the_buckets_equal(world, commune_officer):
    officer = Actor.of_user(commune_officer)
    assert_current()
    first = submit(world)
    second = submit(world, kind="reflection", channel="hotline", unit=world.muong_xen)
    third = submit(world, kind="opinion", submitter_name="")
    assert stored() != Counter()
    assert_current()

    first = case_accept(actor=officer, voice=first, expected_version=first.version)
    first = case_assign(
        actor=officer, voice=first, expected_version=first.version, body=world.anh_son_body
    )
    assert_current()
    first = case_answer(actor=officer, voice=first, expected_version=first.version, text="Đã trả.")
    assert_current()
    # Answered today, due a month later: on time, in the body's row of every area above it.
    body_row = Bucket.objects.get(
        area=world.nghe_an, dim="body", value=str(world.anh_son_body.pk), day=first.received_on
    )
    assert (body_row.n, body_row.answered, body_row.on_time, body_row.days) == (1, 1, 1, 3)
    first = case_decide(
        actor=officer,
        voice=first,
        expected_version=first.version,
        text="Quyết định giải quyết khiếu nại số 01/QĐ-UBND.",
        decided_on=timezone.localdate(),
        reference="01/QĐ-UBND",
    )
    assert_current()
    first = case_close(actor=officer, voice=first, expected_version=first.version)
    third = case_refuse(actor=officer, voice=third, expected_version=third.version, reason="Trùng")
    assert_current()

    second.delete()
    assert_current()
    Voice.objects.filter(pk=third.pk).update(topic=Topic.objects.get(code="other", province=None))
    assert_current()


def test_an_answer_after_the_due_date_is_late(world, commune_officer):
    officer = Actor.of_user(commune_officer)
    voice = submit(world, received_on=timezone.localdate() - datetime.timedelta(days=80))
    voice = case_accept(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        accepted_on=timezone.localdate() - datetime.timedelta(days=79),
    )
    assert voice.due_on is not None and voice.due_on < timezone.localdate()
    # Overdue while open: counted under its due date.
    overdue = Bucket.objects.get(area=world.nghe_an, dim="due", value=voice.due_on.isoformat())
    assert overdue.n == 1
    voice = case_answer(actor=officer, voice=voice, expected_version=voice.version, text="Muộn.")
    fact = VoiceFact.objects.get(voice_id=voice.pk)
    assert (fact.answered, fact.on_time, fact.days, fact.due_on) == (1, 0, 80, None)
    assert not Bucket.objects.filter(dim="due", n__gt=0).exists()
    assert_current()


def test_bulk_import_and_admin_writes_keep_the_buckets_equal(world, system_admin):
    rows = [
        ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận", "Họ tên"],
        ["Phản ánh", "infrastructure", "17329", "Đường liên xóm bị sụt lún.", "02/11/2026", ""],
        ["Phản ánh", "infrastructure", "17329-001", "Cống bị tắc.", "02/11/2026", "Lê Thị Hoa"],
        ["Ý kiến", "other", "17329", "Nên có thêm sân chơi.", "01/10/2026", ""],
        ["Kiến nghị cử tri", "y te", "16813", "Trạm y tế thiếu bác sĩ.", "4/11/2026", ""],
        ["Phản ánh", "environment", "00070", "Rác thải ven hồ.", "01/01/2026", "Trần F"],
    ]
    report = voices_import(
        actor=Actor.of_user(system_admin),
        rows=parse_voice_file(name="y-kien.csv", data=csv_bytes(rows)),
    )
    assert report.imported == 5
    assert_current()
    assert Bucket.objects.get(area=world.ha_noi, dim="total").n == 1
    # A bulk change of many rows in one statement (as the admin's actions do).
    Voice.objects.filter(unit__path__startswith=world.anh_son.path).update(status="closed")
    assert_current()
    Voice.objects.filter(kind="opinion").delete()
    assert_current()


def test_rebuild_gives_the_same_buckets(world, commune_officer):
    officer = Actor.of_user(commune_officer)
    voice = submit(world)
    voice = case_accept(actor=officer, voice=voice, expected_version=voice.version)
    case_answer(actor=officer, voice=voice, expected_version=voice.version, text="Đã trả.")
    submit(world, kind="reflection", unit=world.muong_xen_village)
    before = stored()
    with transaction.atomic():
        sql.rebuild(connection)
    assert stored() == before == expected()
    submit(world, kind="reflection", unit=world.hoan_kiem)  # the triggers are back
    assert_current()
