"""``manage.py group_file``: the same grouping, offline, without a database.

These tests carry no ``django_db`` mark: pytest-django refuses any database access in them, so
they prove the command never touches one.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from danvan.insight.grouping import group_records

ROWS = [
    {
        "id": 1,
        "text": "Đường xóm 7 bị ngập sâu mỗi khi mưa, nước tràn vào nhà dân",
        "unit": "17329",
    },
    {"id": 2, "text": "duong xom 7 ngap nuoc qua, mua la ngap, xe ko di dc", "unit": "17329"},
    {
        "id": 3,
        "text": "Đường xóm 7 bị ngập sâu mỗi khi mưa, nước tràn vào nhà dân",
        "unit": "16813",
    },
    {"id": 4, "text": "Trạm y tế xã thiếu thuốc, bác sĩ không trực ban đêm", "unit": "17329-001"},
]


def test_a_file_is_grouped_with_topics_and_the_bad_lines_are_reported(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in ROWS]
    lines += ["{not json", json.dumps({"id": 9, "text": "x"}), json.dumps(ROWS[0]), "[1, 2]"]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    call_command("group_file", str(source), str(out))

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3, 4]
    group = {r["id"]: r["group"] for r in rows}
    assert group[1] == group[2]  # one road, with and without marks
    assert group[3] != group[1]  # the same words in another commune
    assert group[4] != group[1]
    topics = {r["id"]: r["topic"] for r in rows}
    assert topics[1] == "infrastructure" and topics[4] == "health"
    assert all(0 < r["confidence"] <= 1 for r in rows)
    errors = capsys.readouterr().err
    assert "line 5: not JSON" in errors
    assert "line 6: missing unit" in errors
    assert "line 7: id 1 appears twice" in errors
    assert "line 8: not a JSON object" in errors


def test_a_missing_or_undecodable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("group_file", str(tmp_path / "missing.jsonl"), str(tmp_path / "out.jsonl"))
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"id": 1, "text": "đường", "unit": "1"}'.encode("utf-16"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("group_file", str(latin), str(tmp_path / "out.jsonl"))
    with pytest.raises(CommandError, match="threshold"):
        call_command("group_file", str(latin), str(tmp_path / "out.jsonl"), threshold=2)


def test_a_village_is_grouped_with_its_commune():
    labels = group_records(
        [
            {"text": "Đường xóm 7 ngập sâu, nước tràn vào nhà", "unit": "17329-001"},
            {"text": "duong xom 7 ngap sau, nuoc tran vao nha", "unit": "17329"},
        ]
    )
    assert labels[0] == labels[1]
