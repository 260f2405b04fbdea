"""The per-session report: for each recommendation, whether it was answered on time (by the one
rule of ``danvan.voices.on_time``, the dashboards' too)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.lib.xlsx import new_workbook, sheet_append, sheet_start, workbook_bytes
from danvan.voices.models import VoiceStatus
from danvan.voices.on_time import answered_in_time, due_in_force
from danvan.voter_contact.models import SessionRecommendation, VoterContactSession


class Outcome(models.TextChoices):
    ON_TIME = "on_time", _("Answered on time")
    LATE = "late", _("Answered late")
    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Overdue")
    REFUSED = "refused", _("Refused")


@dataclass
class ReportRow:
    number: int
    recommendation: SessionRecommendation
    due_on: datetime.date | None
    answered_on: datetime.date | None
    outcome: Outcome


@dataclass
class SessionReport:
    session: VoterContactSession
    rows: list[ReportRow]
    today: datetime.date
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def total_list(self) -> list[tuple[str, str, int]]:
        return [(o.value, str(o.label), self.totals.get(o.value, 0)) for o in Outcome]


def classify(
    *,
    status: str,
    due_on: datetime.date | None,
    answered_on: datetime.date | None,
    today: datetime.date,
) -> Outcome:
    if answered_on is not None:
        return Outcome.ON_TIME if answered_in_time(answered_on, due_on) else Outcome.LATE
    if status == VoiceStatus.REFUSED:
        return Outcome.REFUSED
    return Outcome.OVERDUE if due_on is not None and today > due_on else Outcome.OPEN


def session_report(
    *, session: VoterContactSession, today: datetime.date | None = None
) -> SessionReport:
    today = today or timezone.localdate()
    recommendations = (
        SessionRecommendation.objects.filter(session=session)
        .select_related("voice__topic", "voice__unit", "voice__assignee")
        .prefetch_related("voice__deadlines")
        .order_by("id")
    )
    rows: list[ReportRow] = []
    totals: dict[str, int] = {}
    for number, rec in enumerate(recommendations, start=1):
        voice = rec.voice
        # A recommendation's answer step counts from its receipt: always dated.
        due_on = due_in_force(voice)
        answered_on = (
            timezone.localdate(voice.answered_at) if voice.answered_at is not None else None
        )
        outcome = classify(status=voice.status, due_on=due_on, answered_on=answered_on, today=today)
        totals[outcome.value] = totals.get(outcome.value, 0) + 1
        rows.append(
            ReportRow(
                number=number,
                recommendation=rec,
                due_on=due_on,
                answered_on=answered_on,
                outcome=outcome,
            )
        )
    return SessionReport(session=session, rows=rows, today=today, totals=totals)


#: The columns of the exported report, in the officers' language.
XLSX_COLUMNS = [
    ("STT", 6),
    ("Mã theo dõi", 18),
    ("Nội dung kiến nghị", 60),
    ("Lĩnh vực", 24),
    ("Địa bàn", 24),
    ("Chủ trì trả lời liên ngành", 14),
    ("Cơ quan trả lời", 30),
    ("Trạng thái", 18),
    ("Hạn trả lời", 14),
    ("Ngày trả lời", 14),
    ("Kết quả", 20),
]


def session_report_xlsx(report: SessionReport) -> bytes:
    """The report as a workbook: frozen header, one row per recommendation, then the totals."""
    workbook = new_workbook()
    sheet = sheet_start(workbook, "Bao cao", XLSX_COLUMNS)
    for row in report.rows:
        voice = row.recommendation.voice
        sheet_append(
            sheet,
            [
                row.number,
                voice.tracking_code,
                voice.text,
                voice.topic.name,
                voice.unit.name,
                "x" if row.recommendation.joint else "",
                voice.assignee.name if voice.assignee else "",
                str(voice.get_status_display()),
                row.due_on,
                row.answered_on,
                str(row.outcome.label),
            ],
            wrap=True,
        )
    sheet_append(sheet, [])
    sheet_append(sheet, ["", "Tổng cộng", len(report.rows)], bold=True)
    for _value, label, count in report.total_list:
        sheet_append(sheet, ["", label, count])
    return workbook_bytes(workbook)
