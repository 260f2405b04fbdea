"""The per-session report: answered on time, late, open, overdue."""

from __future__ import annotations

import datetime
import io

import pytest

from danvan.audit.context import Actor
from danvan.voices.models import Voice
from danvan.voices.services_answer import case_answer
from danvan.voices.services_routing import case_accept, case_refuse
from danvan.voter_contact.reports import Outcome, classify, session_report, session_report_xlsx
from danvan.voter_contact.tests.helpers import add, days_ago, make_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SYSTEM = Actor.system("test")


def answer(voice: Voice) -> None:
    voice = case_accept(actor=SYSTEM, voice=voice, expected_version=voice.version)
    case_answer(actor=SYSTEM, voice=voice, expected_version=voice.version, text="Đã trả lời.")


@pytest.fixture
def sessions(world):
    """An old session (answers due long ago) and a recent one (answers not due yet)."""
    old = make_session(world, None, date=days_ago(100), title="Kỳ họp thứ 4")
    answer(add(old, "Trả lời muộn").voice)
    add(old, "Quá hạn chưa trả lời")
    refused_voice = add(old, "Bị từ chối").voice
    case_refuse(
        actor=SYSTEM, voice=refused_voice, expected_version=refused_voice.version, reason="Trùng."
    )
    recent = make_session(world, None, date=days_ago(5), title="Kỳ họp thứ 5")
    answer(add(recent, "Trả lời đúng hạn").voice)
    add(recent, "Đang giải quyết")
    return old, recent


def outcomes(report) -> dict[str, str]:
    return {row.recommendation.voice.text: row.outcome for row in report.rows}


def test_each_recommendation_is_classified_by_its_answer_and_due_date(sessions):
    old, recent = sessions

    old_report = session_report(session=old)
    recent_report = session_report(session=recent)

    assert outcomes(old_report) == {
        "Trả lời muộn": Outcome.LATE,
        "Quá hạn chưa trả lời": Outcome.OVERDUE,
        "Bị từ chối": Outcome.REFUSED,
    }
    assert outcomes(recent_report) == {
        "Trả lời đúng hạn": Outcome.ON_TIME,
        "Đang giải quyết": Outcome.OPEN,
    }
    assert recent_report.totals == {"on_time": 1, "open": 1}
    # Voter recommendations are answered within 40 days of the session.
    due = recent_report.rows[0].due_on
    assert due is not None and due >= recent.date + datetime.timedelta(days=40)


def test_the_report_reads_the_session_in_a_fixed_number_of_queries(
    sessions, django_assert_max_num_queries
):
    old, _recent = sessions
    with django_assert_max_num_queries(3):
        session_report(session=old)


@pytest.mark.parametrize(
    ("answered", "status", "expected"),
    [
        (datetime.date(2026, 3, 10), "answered", Outcome.ON_TIME),
        (datetime.date(2026, 3, 11), "answered", Outcome.LATE),
        (None, "assigned", Outcome.OPEN),
        (None, "refused", Outcome.REFUSED),
    ],
)
def test_the_due_day_itself_is_still_on_time(answered, status, expected):
    assert (
        classify(
            status=status,
            due_on=datetime.date(2026, 3, 10),
            answered_on=answered,
            today=datetime.date(2026, 3, 10),
        )
        == expected
    )


def test_an_open_recommendation_is_overdue_the_day_after_its_due_date():
    assert (
        classify(
            status="received",
            due_on=datetime.date(2026, 3, 10),
            answered_on=None,
            today=datetime.date(2026, 3, 11),
        )
        == Outcome.OVERDUE
    )


def test_the_xlsx_export_has_a_frozen_vietnamese_header_and_the_totals(sessions):
    from openpyxl import load_workbook

    old, _recent = sessions

    workbook = load_workbook(io.BytesIO(session_report_xlsx(session_report(session=old))))

    sheet = workbook.active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["STT", "Mã theo dõi", "Nội dung kiến nghị"]
    assert "Hạn trả lời" in header
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [v[2] for v in values[:3]] == ["Trả lời muộn", "Quá hạn chưa trả lời", "Bị từ chối"]
    totals = {v[1]: v[2] for v in values[4:]}
    assert totals["Tổng cộng"] == 3
    assert totals["Answered late"] == 1
    assert totals["Overdue"] == 1
    assert totals["Refused"] == 1
    assert totals["Answered on time"] == 0
