"""Imports find their duplicates with a keyed fingerprint that never includes the sender."""

from __future__ import annotations

import pytest

from danvan.units.tests.files import csv_bytes
from danvan.voices.importing.parse import parse_voice_file, voices_validate
from danvan.voices.importing.write import voices_import
from danvan.voices.models import Voice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận", "Họ tên"]
DENUNCIATION = [
    "Tố cáo",
    "land",
    "17329",
    "Cán bộ xã thu tiền trái phép.",
    "02/11/2026",
    "Trần Văn Tố",
]
REFLECTION = ["Phản ánh", "infrastructure", "17329", "Đường sụt lún.", "02/11/2026", ""]


def rows(*lines):
    return parse_voice_file(name="y-kien.csv", data=csv_bytes([HEADER, *lines]))


def test_a_denunciation_imported_again_is_refused_without_its_tracking_code(world, system_actor):
    assert voices_import(actor=system_actor, rows=rows(DENUNCIATION, REFLECTION)).imported == 2
    denunciation = Voice.objects.get(kind="denunciation")
    reflection = Voice.objects.get(kind="reflection")

    again = voices_import(actor=system_actor, rows=rows(DENUNCIATION, REFLECTION))

    assert again.imported == 0
    first, second = (row.errors for row in again.rows)
    assert first == ["Already imported: the same as a denunciation received earlier."]
    assert denunciation.tracking_code not in " ".join(first)
    # An officer re-importing a reflection of their own unit still learns which voice it is.
    assert second == [f"Already imported (tracking code {reflection.tracking_code})."]


def test_the_fingerprint_leaves_the_sender_out_and_needs_the_servers_secret(
    world, system_actor, settings
):
    (named,) = rows(DENUNCIATION)
    (other_name,) = rows([*DENUNCIATION[:5], "Lê Văn Khác"])
    assert named.fingerprint() == other_name.fingerprint()

    voices_import(actor=system_actor, rows=rows(DENUNCIATION))
    stored = Voice.objects.get().import_fingerprint
    (fresh,) = voices_validate(actor=system_actor, rows=rows(DENUNCIATION)).rows
    assert stored is not None and len(stored) == 64
    assert fresh.fingerprint() == stored
    settings.SECRET_KEY = "another-secret-key-of-at-least-32-characters"
    (elsewhere,) = voices_validate(actor=system_actor, rows=rows(DENUNCIATION)).rows
    assert elsewhere.fingerprint() != stored  # nobody without the secret can compute it
