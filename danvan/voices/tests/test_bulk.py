"""The bulk import path stores exactly what ``voice_submit`` stores, row for row."""

from __future__ import annotations

import pytest
from django.db import models

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.units.models import AdministrativeUnit
from danvan.units.tests.files import csv_bytes
from danvan.voices import intake
from danvan.voices.importing import write
from danvan.voices.importing.columns import fold_fast
from danvan.voices.importing.parse import VoiceImportRow, parse_voice_file, voices_validate
from danvan.voices.importing.write import submit_imported, voices_bulk_create, voices_import
from danvan.voices.models import DenouncerIdentity, Voice, VoiceDeadline, VoiceEvent
from danvan.voices.tracking import normalize_tracking_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = [
    "Loại",
    "Lĩnh vực",
    "Mã đơn vị",
    "Nội dung",
    "Ngày nhận",
    "Họ tên",
    "Điện thoại",
    "Địa chỉ",
]
ROWS = [
    ["Phản ánh", "infrastructure", "17329", "Đường liên xóm bị sụt lún.", "02/11/2026", "", "", ""],
    ["Phản ánh", "infrastructure", "17329-001", "Cống bị tắc.", "02/11/2026", "Lê Thị Hoa", "0912", "Xóm 1"],
    ["Ý kiến", "other", "17329", "Nên có thêm sân chơi.", "01/10/2026", "", "", ""],
    ["Khiếu nại lần đầu", "Đất đai, giải phóng mặt bằng", "17329-001", "Chưa nhận tiền bồi thường.", "2026-11-03", "Nguyễn Văn An", "0912345678", "Xóm 1"],
    ["Khiếu nại lần 2", "land", "16813", "Không đồng ý quyết định lần đầu.", "03/11/2026", "Hồ Văn Cường", "", ""],
    ["Tố cáo", "officials_conduct", "16813-001", "Cán bộ nhận tiền.", "04/11/2026", "Vi Văn Dũng", "0987", "Bản Na Xái"],
    ["Kiến nghị cử tri", "y te", "16813", "Trạm y tế thiếu bác sĩ.", "4/11/2026", "", "", ""],
    ["Tiếp công dân", "social_policy", "16813-001", "Hỏi về chế độ hộ nghèo.", "05/11/2026", "Lò Thị E", "", ""],
    ["Phản ánh", "environment", "16813-001", "Khói từ lò gạch.", "30/04/2026", "", "", ""],
    ["Phản ánh", "environment", "00070", "Rác thải ven hồ.", "01/01/2026", "Trần F", "f@example.vn", ""],
]  # fmt: skip

VOICE_SKIP = {"id", "tracking_code", "public_id", "import_fingerprint", "received_at", "updated_at"}


def _fields(model: type[models.Model], skip: set[str]) -> list[str]:
    """Every stored column, so that a field added later is compared too."""
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip]


def _parse() -> list[VoiceImportRow]:
    return parse_voice_file(name="y-kien.csv", data=csv_bytes([HEADER, *ROWS]))


def _stored(voice: Voice) -> dict[str, object]:
    voice = Voice.objects.get(pk=voice.pk)
    return {
        "fields": {name: getattr(voice, name) for name in _fields(Voice, VOICE_SKIP)},
        "code_ok": normalize_tracking_code(voice.tracking_code) == voice.tracking_code,
        "deadlines": sorted(
            tuple(getattr(d, f) for f in _fields(VoiceDeadline, {"id", "voice_id"}))
            for d in VoiceDeadline.objects.filter(voice=voice)
        ),
        "events": [
            tuple(getattr(e, f) for f in _fields(VoiceEvent, {"id", "voice_id", "at"}))
            for e in VoiceEvent.objects.filter(voice=voice)
        ],
        "identity": [
            (i.name, i.contact, i.address, i.id_number)
            for i in DenouncerIdentity.objects.filter(voice=voice)
        ],
    }


def test_bulk_and_row_by_row_store_the_same_records(world, system_admin):
    # A remote commune, so that the remote limits and the village's inherited flag are compared.
    AdministrativeUnit.objects.filter(pk=world.muong_xen.pk).update(is_remote=True)
    actor = Actor.of_user(system_admin)
    bulk = voices_import(actor=actor, rows=_parse(), key_prefix="import")
    slow = voices_import(
        actor=actor,
        rows=_parse(),
        key_prefix="import-slow",
        submit=submit_imported(actor),
    )

    assert bulk.error_rows == [] and slow.error_rows == []
    assert bulk.imported == slow.imported == len(ROWS)
    for fast_row, slow_row in zip(bulk.rows, slow.rows, strict=True):
        assert fast_row.voice is not None and slow_row.voice is not None
        assert _stored(fast_row.voice) == _stored(slow_row.voice), fast_row.line
        # The same row's fingerprint, under each import's scope (the bulk path had its own).
        assert fast_row.voice.import_fingerprint == fast_row.fingerprint("import")
        assert slow_row.voice.import_fingerprint == slow_row.fingerprint("import-slow")
    fast = Voice.objects.filter(pk__in=[row.voice.pk for row in bulk.rows if row.voice])
    denunciation = fast.filter(kind="denunciation")
    assert denunciation.get().submitter_name == ""
    assert DenouncerIdentity.objects.filter(voice__in=denunciation).get().name == "Vi Văn Dũng"
    remote = fast.filter(unit=world.muong_xen_village)
    assert all(v.is_remote for v in remote)
    assert not fast.get(text="Rác thải ven hồ.").is_remote
    # One audit row per batch and one for the import, instead of one per voice.
    assert AuditEntry.objects.filter(action="voice.submit_batch").count() == 1
    assert AuditEntry.objects.filter(action="voice.submit").count() == len(ROWS)


def test_a_refused_row_stops_the_whole_file_and_the_report_names_every_row(world, system_admin):
    rows = [
        HEADER,
        ROWS[0],
        ["Khiếu nại", "land", "17329", "Không tên.", "02/11/2026", "", "", ""],
        ["Tố cáo", "land", "17329", "Không tên nữa.", "02/11/2026", "", "", ""],
        ["Phản ánh", "land", "17329", "Ngày quá sớm.", "02/11/1990", "", "", ""],
    ]
    report = voices_import(
        actor=Actor.of_user(system_admin),
        rows=parse_voice_file(name="a.csv", data=csv_bytes(rows)),
    )

    assert report.imported == 0
    assert Voice.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="voice.").exists()
    errors = {row.line: row.errors for row in report.error_rows}
    assert set(errors) == {3, 4, 5}
    assert "needs the name" in errors[3][0] and "needs the name" in errors[4][0]
    assert "No rule set" in errors[5][0]


def test_only_valid_keeps_the_good_rows(world, system_admin):
    rows = [HEADER, ROWS[0], ["Khiếu nại", "land", "17329", "Không tên.", "02/11/2026", "", "", ""]]
    report = voices_import(
        actor=Actor.of_user(system_admin),
        rows=parse_voice_file(name="a.csv", data=csv_bytes(rows)),
        only_valid=True,
    )

    assert report.imported == 1
    assert [r.line for r in report.error_rows] == [3]
    assert Voice.objects.get().text == ROWS[0][3]


def test_batches_report_progress_and_audit_once_each(world, system_admin, monkeypatch):
    monkeypatch.setattr(write, "BATCH_SIZE", 4)
    seen: list[int] = []

    report = voices_import(actor=Actor.of_user(system_admin), rows=_parse(), progress=seen.append)

    assert report.imported == len(ROWS)
    assert seen == [4, 8, 10]
    assert AuditEntry.objects.filter(action="voice.submit_batch").count() == 3
    assert AuditEntry.objects.filter(action="voice.import").count() == 1
    assert Voice.objects.count() == VoiceEvent.objects.count() == len(ROWS)


def test_a_tracking_code_already_taken_is_replaced(world, system_admin, monkeypatch):
    first = voices_import(actor=Actor.of_user(system_admin), rows=_parse()[:1])
    assert first.rows[0].voice is not None
    taken = first.rows[0].voice.tracking_code
    codes = iter([taken, taken, *(intake.new_tracking_code() for _ in range(50))])
    monkeypatch.setattr(intake, "new_tracking_code", lambda: next(codes))

    report = voices_import(actor=Actor.of_user(system_admin), rows=_parse()[1:])

    assert report.imported == len(ROWS) - 1
    assert Voice.objects.filter(tracking_code=taken).count() == 1
    assert len(set(Voice.objects.values_list("tracking_code", flat=True))) == len(ROWS)


def test_the_same_file_twice_is_refused_row_by_row(world, system_admin):
    actor = Actor.of_user(system_admin)
    voices_import(actor=actor, rows=_parse())

    again = voices_import(actor=actor, rows=_parse())

    assert again.imported == 0
    assert all("Already imported" in row.errors[0] for row in again.rows)
    assert Voice.objects.count() == len(ROWS)


def test_voices_bulk_create_alone(world, system_admin):
    actor = Actor.of_user(system_admin)
    report = voices_validate(actor=actor, rows=_parse())
    keys = {id(r): r.fingerprint("api") for r in report.rows}

    assert voices_bulk_create(actor=actor, rows=report.rows, keys=keys) == len(ROWS)
    assert Voice.objects.filter(import_fingerprint__in=keys.values()).count() == len(ROWS)


@pytest.mark.parametrize(
    "text",
    [
        "Đường liên xóm   bị SỤT LÚN, đề nghị sửa (số 5).",
        "Hoà  bình\tHòa bình\n",
        "“Ngoặc kép” và ký tự lạ: ñ, ü, ǆ, 中文, x\u0332",
        "",
        "   ",
    ],
)
def test_the_fast_fold_is_fold(text):
    from danvan.lib.text import fold

    assert fold_fast(text) == fold(text)


def test_fast_tracking_codes_are_valid_codes():
    codes = {intake.new_tracking_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(normalize_tracking_code(c) == c for c in codes)
