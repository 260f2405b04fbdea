"""Monthly and quarterly drafts appear by themselves on the first working day after the period."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from danvan.audit.context import Actor
from danvan.lib.roles import Role
from danvan.notifications.models import Notification
from danvan.organizations.models import Body, BodyKind
from danvan.organizations.services import body_create, membership_add
from danvan.reports.models import Report
from danvan.reports.scheduling import drafts_due, periods_due, run_report_drafts

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


@pytest.fixture
def commission(world: Any, provincial_staff: Any) -> Body:
    body = body_create(
        actor=SYSTEM,
        unit=world.nghe_an,
        kind=BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
        name="Ban Tuyên giáo và Dân vận (văn thư)",
        short_name="BTGDVTU",
    )
    membership_add(actor=SYSTEM, user=provincial_staff, body=body, role=Role.PROVINCIAL_STAFF)
    return body


def codes(day: datetime.date) -> list[str]:
    return [p.code for p in periods_due(day)]


def test_the_first_working_day_after_a_month_and_a_quarter() -> None:
    # 1 November 2026 is a Sunday: October's draft is due on Monday 2 November, not before.
    assert codes(datetime.date(2026, 11, 1)) == []
    assert codes(datetime.date(2026, 11, 2)) == ["2026-10"]
    # 1 October 2026 is a Thursday: September and the third quarter are both due that day.
    assert codes(datetime.date(2026, 9, 30)) == []
    assert codes(datetime.date(2026, 10, 1)) == ["2026-09", "2026-Q3"]


def test_new_years_day_moves_the_december_draft() -> None:
    # 2027: New Year's Day is Friday 1 January; Monday 4 January is the first working day.
    assert codes(datetime.date(2027, 1, 1)) == []
    assert codes(datetime.date(2027, 1, 4)) == ["2026-12", "2026-Q4"]


def test_a_missed_run_catches_up_within_a_week_and_not_after() -> None:
    assert codes(datetime.date(2026, 11, 9)) == ["2026-10"]
    assert codes(datetime.date(2026, 11, 10)) == []


def test_each_body_gets_one_draft_and_its_officers_are_told(
    world: Any, commission: Body, provincial_staff: Any
) -> None:
    day = datetime.date(2026, 11, 2)
    due = drafts_due(day)
    assert [(d.body_id, d.period_code) for d in due] == [(commission.pk, "2026-10")]
    run_report_drafts(today=day, inline=True)
    report = Report.objects.get(body=commission)
    assert report.is_scheduled and report.period_code == "2026-10"
    assert report.status == "draft" and report.created_by is None
    note = Notification.objects.get(recipient=provincial_staff, kind="report_draft")
    assert str(report.pk) in note.link
    # Run again the same day, or the day after: nothing more.
    run_report_drafts(today=day, inline=True)
    run_report_drafts(today=day + datetime.timedelta(days=1), inline=True)
    assert Report.objects.filter(body=commission).count() == 1
    assert drafts_due(day) == []


def test_a_body_without_a_symbol_is_left_out(world: Any) -> None:
    # The fixture's commission of the province has no symbol: no draft, no crash.
    assert drafts_due(datetime.date(2026, 11, 2)) == []


def test_the_command_queues_the_drafts_as_background_tasks(commission: Body) -> None:
    out = StringIO()
    call_command("run_report_drafts", "--date", "2026-11-02", stdout=out)
    assert "1 report(s) queued." in out.getvalue()
    # The tests run a queued task at once (the immediate backend stands in for the worker).
    assert Report.objects.filter(body=commission, period_code="2026-10").count() == 1
    out = StringIO()
    call_command("run_report_drafts", "--date", "2026-11-02", "--now", stdout=out)
    assert "0 report(s) drafted." in out.getvalue()
