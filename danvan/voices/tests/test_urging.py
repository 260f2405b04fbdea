"""Urging and escalation of cases due soon or overdue, run as the daily job runs it."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.roles import Role
from danvan.notifications.models import Notification, NotificationKind
from danvan.organizations.services import membership_add
from danvan.voices.models import Topic, Voice, VoiceEvent
from danvan.voices.selectors import InboxFilters, Urgency, inbox_for, urgency_of
from danvan.voices.services import voice_submit
from danvan.voices.services_routing import case_accept, case_assign
from danvan.voices.urging import SUPERIOR_REPORT_REQUESTED, run_urging, urge_cases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SYSTEM = Actor.system("test")


def submit(world, **overrides) -> Voice:
    values = {
        "actor": SYSTEM,
        "kind": "complaint_first",
        "channel": "officer",
        "unit": world.anh_son_village,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Gia đình tôi chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": datetime.date(2026, 11, 2),
        "submitter_name": "Nguyễn Văn An",
    }
    values.update(overrides)
    return voice_submit(**values)


def accepted_and_assigned(world, body, *, accepted_on, **overrides) -> Voice:
    voice = submit(world, **overrides)
    voice = case_accept(
        actor=SYSTEM, voice=voice, expected_version=voice.version, accepted_on=accepted_on
    )
    return case_assign(actor=SYSTEM, voice=voice, expected_version=voice.version, body=body)


@pytest.fixture
def complaint(world):
    """A first complaint accepted on Tue 3 Nov 2026: resolve within 30 days -> Thu 3 Dec 2026,
    in the hands of the village group Xóm 1 (whose superior is Đảng ủy xã Anh Sơn)."""
    voice = accepted_and_assigned(world, world.village_body, accepted_on=datetime.date(2026, 11, 3))
    assert voice.due_on == datetime.date(2026, 12, 3)
    return voice


def notified(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def test_a_case_due_soon_reminds_the_assignees_officers_once_even_if_run_twice(
    complaint, village_member, commune_officer
):
    # Monday 30 Nov: 3 Dec is within 3 working days.
    first = run_urging(today=datetime.date(2026, 11, 30))
    second = run_urging(today=datetime.date(2026, 11, 30))
    run_urging(today=datetime.date(2026, 12, 1))

    reminder = notified(village_member).get()
    assert reminder.kind == NotificationKind.DUE_SOON
    assert complaint.tracking_code in reminder.title
    assert "03/12/2026" in reminder.body
    assert not notified(commune_officer).exists()  # not overdue: the superior is left alone
    assert (first.due_soon, first.notifications) == (1, 1)
    assert (second.due_soon, second.notifications) == (1, 0)
    assert (
        AuditEntry.objects.filter(action="notification.send", actor_label="system:urging").count()
        == 1
    )


def test_a_case_due_later_than_three_working_days_is_left_alone(complaint, village_member):
    # Friday 27 Nov: three working days ahead is Wednesday 2 Dec, the case is due on the 3rd.
    report = run_urging(today=datetime.date(2026, 11, 27))

    assert report.voices_checked == 0
    assert not notified(village_member).exists()


def test_the_due_soon_window_is_a_setting(complaint, village_member, settings):
    settings.DANVAN_DUE_SOON_DAYS = 5

    run_urging(today=datetime.date(2026, 11, 27))

    assert notified(village_member, NotificationKind.DUE_SOON).exists()


@pytest.mark.parametrize("days", [3, 4])
def test_the_urging_job_reminds_exactly_what_the_inbox_shows_as_due_soon(
    complaint, village_member, commune_officer, settings, days
):
    # Friday 27 Nov: the 3rd working day ahead is Wed 2 Dec, the 4th Thu 3 Dec, the due date.
    settings.DANVAN_DUE_SOON_DAYS = days
    friday = datetime.date(2026, 11, 27)
    due_soon = inbox_for(commune_officer, InboxFilters(urgency=Urgency.DUE_SOON), today=friday)

    report = run_urging(today=friday)

    assert [v.tracking_code for v in due_soon] == ([complaint.tracking_code] if days == 4 else [])
    assert report.due_soon == len(due_soon)
    assert notified(village_member, NotificationKind.DUE_SOON).count() == len(due_soon)
    assert urgency_of(complaint, today=friday) == (Urgency.DUE_SOON if days == 4 else "")


def test_an_overdue_case_tells_the_assignee_and_the_body_above_it(
    complaint, village_member, commune_officer
):
    report = run_urging(today=datetime.date(2026, 12, 4))
    run_urging(today=datetime.date(2026, 12, 4))

    assert notified(village_member).get().kind == NotificationKind.OVERDUE
    escalation = notified(commune_officer).get()
    assert escalation.kind == NotificationKind.ESCALATION
    assert "Tổ dân vận Xóm 1" in escalation.body
    assert (report.overdue, report.escalated, report.reports_requested) == (1, 1, 0)
    assert not VoiceEvent.objects.filter(voice=complaint, action=SUPERIOR_REPORT_REQUESTED)


def test_the_escalation_goes_to_the_leaders_of_the_body_above_when_it_has_any(
    world, complaint, village_member, commune_officer
):
    chief = get_user_model().objects.create_user(
        username="bithu", password=None, full_name="Bí thư", email="bithu@danvan.example"
    )
    membership_add(actor=SYSTEM, user=chief, body=world.anh_son_body, role=Role.LEADER)

    run_urging(today=datetime.date(2026, 12, 4))

    assert notified(chief, NotificationKind.ESCALATION).exists()
    assert not notified(commune_officer).exists()


def test_an_unassigned_case_reminds_the_bodies_of_its_unit(world, village_member):
    # A reflection received Mon 2 Nov: answer within 10 working days, Mon 16 Nov (forwarding, due
    # Mon 9, applies only if the body is not competent and does not make the case due).
    voice = submit(world, kind="reflection", submitter_name="")
    assert voice.due_on == datetime.date(2026, 11, 16)

    # Thursday 12 Nov: Friday 13 and Monday 16 are the working days left -> due soon.
    run_urging(today=datetime.date(2026, 11, 12))

    assert notified(village_member, NotificationKind.DUE_SOON).exists()


def test_an_overdue_denunciation_asks_the_superior_for_a_report_once_in_five_working_days(
    world, village_member, commune_officer
):
    # Received Tue 1 Sep, accepted Thu 3 Sep 2026: resolve within 30 days, Sat 3 Oct -> Mon 5 Oct.
    voice = accepted_and_assigned(
        world,
        world.village_body,
        kind="denunciation",
        received_on=datetime.date(2026, 9, 1),
        accepted_on=datetime.date(2026, 9, 3),
    )
    assert voice.due_on == datetime.date(2026, 10, 5)
    friday = datetime.date(2026, 10, 9)

    report = run_urging(today=friday)
    run_urging(today=friday)
    run_urging(today=datetime.date(2026, 10, 12))

    # Five working days after Friday 9 Oct, the weekend skipped: 12, 13, 14, 15, 16 Oct.
    request = notified(commune_officer, NotificationKind.REPORT_REQUIRED).get()
    assert request.due_on == datetime.date(2026, 10, 16)
    assert "16/10/2026" in request.body
    events = VoiceEvent.objects.filter(voice=voice, action=SUPERIOR_REPORT_REQUESTED)
    assert events.count() == 1
    assert events.get().body == world.anh_son_body
    assert report.reports_requested == 1
    assert AuditEntry.objects.filter(action="voice.superior_report_requested").count() == 1
    # The denouncer is never named in what is sent.
    assert not Notification.objects.filter(body__contains="Nguyễn Văn An").exists()


def test_emails_go_out_only_after_the_commit(
    complaint, village_member, commune_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_urging(today=datetime.date(2026, 12, 4))
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == ["thon@danvan.example", "xa@danvan.example"]
    assert complaint.tracking_code in mail.outbox[0].subject


def test_closed_cases_are_not_urged(world, complaint, village_member):
    from danvan.voices.services_answer import case_answer

    case_answer(
        actor=SYSTEM, voice=complaint, expected_version=complaint.version, text="Đã trả lời."
    )

    report = run_urging(today=datetime.date(2026, 12, 4))

    assert report.voices_checked == 0
    assert not notified(village_member).exists()


def test_the_command_runs_the_urging_for_a_date_and_prints_the_counts(complaint, village_member):
    out = io.StringIO()

    call_command("run_urging", "--date", "2026-12-04", stdout=out)

    counts = json.loads(out.getvalue())
    assert counts["today"] == "2026-12-04"
    assert counts["overdue"] == 1
    assert notified(village_member).exists()


def test_the_task_runs_the_urging(complaint, village_member, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    result = urge_cases.enqueue("2026-12-04")

    counts = result.return_value
    assert counts is not None
    assert counts["overdue"] == 1
    assert notified(village_member).exists()
