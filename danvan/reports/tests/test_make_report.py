"""``manage.py make_report``: a draft DOCX without a number, for scripts; nothing is stored."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from danvan.audit.context import Actor
from danvan.organizations.models import BodyKind
from danvan.organizations.services import body_create
from danvan.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(world: Any) -> None:
    actor = Actor.system("test")
    body_create(
        actor=actor,
        unit=world.nghe_an,
        kind=BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
        name="Ban Tuyên giáo và Dân vận (văn thư)",
        short_name="BTGDVTU",
    )
    body_create(
        actor=actor,
        unit=world.anh_son,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="Ủy ban nhân dân xã Anh Sơn",
        short_name="UBND",
    )


def text_of(path: Path) -> str:
    document = Document(io.BytesIO(path.read_bytes()))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize(
    ("unit", "period", "fmt", "number", "summary"),
    [
        ("40", "2026-Q3", "party", "-BC/BTGDVTU", "quý III năm 2026"),
        ("17329", "2026-10", "state", "/BC-UBND", "tháng 10 năm 2026"),
        ("40", "2026-H1", "party", "-BC/BTGDVTU", "6 tháng đầu năm 2026"),
        ("40", "2026", "party", "-BC/BTGDVTU", "năm 2026"),
    ],
)
def test_the_command_writes_a_draft_of_any_period_in_either_format(
    bodies: None, tmp_path: Path, unit: str, period: str, fmt: str, number: str, summary: str
) -> None:
    out = tmp_path / "bao-cao.docx"
    call_command("make_report", "--unit", unit, "--period", period, "--format", fmt, "--out", out)
    text = text_of(out)
    assert number in text and summary in text
    assert ("ĐẢNG CỘNG SẢN VIỆT NAM" in text) == (fmt == "party")
    assert ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text) == (fmt == "state")
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("args", "saying"),
    [
        (["--unit", "99999", "--period", "2026-10"], "No unit"),
        (["--unit", "40", "--period", "2026-13"], "month"),
        (["--unit", "40", "--period", "Q3"], "2026-Q3"),
        (["--unit", "16813", "--period", "2026-10", "--format", "state"], "no active body"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(
    bodies: None, english: None, tmp_path: Path, args: list[str], saying: str
) -> None:
    with pytest.raises(CommandError, match=saying):
        call_command("make_report", *args, "--out", tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()
