"""Every workbook an officer downloads, fed text that spreadsheet programs take for a formula
(``=HYPERLINK(...)``, ``+1``, ``-2+3``, ``@SUM(A1)``, a leading tab or carriage return) and control
characters XML cannot hold: each file opens, no cell of it is a formula, the text is kept (less
the control characters), and each download is in the audit log."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from danvan.alerts.models import Alert
from danvan.alerts.scan import alerts_scan
from danvan.alerts.services import alert_close
from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.xlsx import cell_value
from danvan.organizations.models import BodyKind
from danvan.organizations.services import body_create
from danvan.skillful.tests.test_checks import make_model
from danvan.units.services import village_create
from danvan.voices import exports
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import case_answer
from danvan.voices.services_routing import case_accept, case_assign
from danvan.voices.services_topics import topic_create
from danvan.voter_contact.services import session_add_recommendation, session_create

pytestmark = pytest.mark.django_db

#: What a citizen or an officer may type, each a formula to a spreadsheet program, and text with
#: the control characters a copy from another program brings (U+000B, U+0001).
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "Nguyễn\x0bVăn\x01An",
]


@dataclass
class Hostile:
    #: Every hostile string as stored (services may trim it), as a cell must show it.
    expected: set[str]
    session_pk: int


def _kept(value: str) -> str:
    return cell_value(value)


@pytest.fixture
def hostile(world: Any, provincial_staff: Any, commune_officer: Any) -> Hostile:
    system = Actor.system("test")
    staff = Actor.of_user(provincial_staff)
    village = village_create(actor=system, commune=world.anh_son, name='=HYPERLINK("http://x","y")')
    body = body_create(
        actor=system, unit=world.anh_son, kind=BodyKind.PEOPLES_COMMITTEE, name="@SUM(A1) UBND"
    )
    topic = topic_create(actor=staff, province=world.nghe_an, name="-2+3 đất đai")
    today = timezone.localdate()
    stored: set[str] = {village.name, body.name, topic.name}
    voices = []
    # A history of the topic in the commune, then a surge this week: an alert.
    for weeks in range(1, 9):
        voice_submit(
            actor=system,
            kind="reflection",
            channel="officer",
            unit=world.anh_son,
            topic=topic,
            text="Ý kiến cũ",
            received_on=today - datetime.timedelta(days=7 * weeks + 3),
        )
    for text in HOSTILE:
        voice = voice_submit(
            actor=system,
            kind="complaint_first",
            channel="officer",
            unit=village,
            topic=topic,
            text=text + " khiếu nại",
            received_on=today - datetime.timedelta(days=1),
            submitter_name=text + " tên",
            submitter_contact=text + " 0912",
            submitter_address=text + " xóm",
        )
        voices.append(voice)
        stored |= {
            voice.text,
            voice.submitter_name,
            voice.submitter_contact,
            voice.submitter_address,
        }
    # One answered by the hostile body, for the statistics by body.
    voice = voices[0]
    voice = case_accept(actor=staff, voice=voice, expected_version=voice.version)
    voice = case_assign(actor=staff, voice=voice, expected_version=voice.version, body=body)
    case_answer(actor=staff, voice=voice, expected_version=voice.version, text="Đã trả lời.")
    # A voter contact session with a hostile recommendation.
    session = session_create(actor=staff, title="Tiếp xúc cử tri", date=today, unit=world.anh_son)
    recommendation = session_add_recommendation(
        actor=staff, session=session, text="=1+1 kiến nghị", topic=topic, unit=village
    )
    stored.add(recommendation.voice.text)
    # An alert on the hostile topic, closed with a hostile note.
    alerts_scan(today=today)
    alert = Alert.objects.filter(topic=topic).first()
    if alert is not None:
        alert = alert_close(
            actor=staff, alert=alert, expected_version=alert.version, note="+84 đã xử lý"
        )
        stored.add(alert.close_note)
    # A model of the hostile village, for the models' statistics.
    make_model(village, world.anh_son_body, level="village")
    return Hostile(expected={_kept(s) for s in stored}, session_pk=session.pk)


def _background_export(client: Any, monkeypatch: Any) -> Any:
    monkeypatch.setattr(exports, "EXPORT_IMMEDIATE_ROWS", 0)
    start = client.get(reverse("voices:export"))
    assert start.status_code == 200 and b"csrfmiddlewaretoken" in start.content
    job_page = client.post(reverse("voices:export"), follow=True)
    assert job_page.status_code == 200
    job = job_page.context["job"]
    assert job.status == "done"
    return client.get(reverse("voices:export_job_download", args=[job.pk]))


#: (name, audit action, how to download it); the downloads are as provincial staff.
EXPORTS: list[tuple[str, str, Callable[[Any, Hostile, Any], Any]]] = [
    ("cases", "voice.export", lambda c, h, m: c.get(reverse("voices:export"))),
    ("cases in the background", "voice.export", lambda c, h, m: _background_export(c, m)),
    ("alerts", "alert.export", lambda c, h, m: c.get(reverse("alerts:export"))),
    (
        "dashboard",
        "dashboard.export",
        lambda c, h, m: c.get(reverse("dashboards:export"), {"unit": "17329"}),
    ),
    (
        "statistics",
        "report.statistics_export",
        lambda c, h, m: c.get(reverse("reports:statistics_export"), {"unit": "17329"}),
    ),
    (
        "models' statistics",
        "skillful.stats_export",
        lambda c, h, m: c.get(reverse("skillful:stats_export"), {"unit": "17329"}),
    ),
    (
        "voter contact session report",
        "voter_contact.report_export",
        lambda c, h, m: c.get(reverse("voter_contact:report_xlsx", args=[h.session_pk])),
    ),
]


@pytest.mark.parametrize(("name", "action", "download"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_no_workbook_turns_what_people_wrote_into_a_formula(
    name: str,
    action: str,
    download: Callable[[Any, Hostile, Any], Any],
    hostile: Hostile,
    provincial_staff: Any,
    login: Any,
    monkeypatch: Any,
) -> None:
    response = download(login(provincial_staff), hostile, monkeypatch)
    assert response.status_code == 200, name
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(content))
    texts: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                        assert cell.quotePrefix, (name, cell.coordinate, cell.value)
    found = texts & hostile.expected
    assert found, f"{name}: none of the hostile texts is in the workbook"
    assert AuditEntry.objects.filter(action=action, actor=provincial_staff).exists(), name


def test_the_cases_export_keeps_the_text_less_the_control_characters(
    hostile: Hostile, provincial_staff: Any, login: Any
) -> None:
    response = login(provincial_staff).get(reverse("voices:export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    texts = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert '=HYPERLINK("http://x","y") tên' in texts
    assert "NguyễnVănAn tên" in texts
    assert '=HYPERLINK("http://x","y")' in texts  # the village's name
    assert "@SUM(A1) UBND" in texts  # the body's name
