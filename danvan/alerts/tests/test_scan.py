"""The scan over real voices: each rule, deduplication, levels raised, who is told, the command
and the task. Runs on SQLite and PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.alerts.models import Alert, AlertEvent, AlertLevel, AlertRule, AlertStatus
from danvan.alerts.scan import alerts_scan, scan_alerts
from danvan.alerts.services import alert_acknowledge, alert_close
from danvan.alerts.tests.conftest import put_in_issue, weekly_history
from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.insight.models import IssueStatus
from danvan.notifications.models import Notification, NotificationKind
from danvan.voices.models import VoiceKind

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def land_surge(submit: Any, world: Any, land: Any, today: datetime.date, recent: int = 5) -> None:
    """One land voice a week for 12 weeks, then ``recent`` in the last 7 days, some of them in
    a village of the commune (which counts for the commune)."""
    weekly_history(submit, world.anh_son, land, today, [1] * 12)
    submit(world.anh_son, land, today, recent - 2)
    submit(world.anh_son_village, land, today - 6 * DAY, 2)


def test_a_surge_of_land_voices_in_one_commune_raises_a_caution_alert_with_its_numbers(
    world: Any, submit: Any, land: Any, health: Any, today: datetime.date
) -> None:
    land_surge(submit, world, land, today)
    # Another commune goes from nothing to two: below the minimum, no alert.
    submit(world.muong_xen, land, today, 2)
    # Old voices (before the history) do not count.
    submit(world.anh_son, health, today - 200 * DAY, 6)

    report = alerts_scan(today=today)

    alert = Alert.objects.get(rule=AlertRule.SURGE)
    assert (alert.rule, alert.level, alert.unit, alert.topic) == (
        AlertRule.SURGE,
        AlertLevel.CAUTION,
        world.anh_son,
        land,
    )
    assert alert.issue is None
    assert alert.status == AlertStatus.OPEN
    assert (alert.window_start, alert.window_end) == (today - 6 * DAY, today)
    assert alert.reason["recent"] == 5
    assert alert.reason["mean"] == 1
    assert alert.reason["z"] == 4
    assert report.raised == 1
    assert report.by_rule == {"surge": 1}
    assert AlertEvent.objects.filter(alert=alert, action="raised").count() == 1
    assert AuditEntry.objects.filter(action="alert.raise").count() == 1


def test_the_scan_run_again_the_same_day_raises_no_second_alert(
    world: Any, submit: Any, land: Any, today: datetime.date
) -> None:
    land_surge(submit, world, land, today)
    alerts_scan(today=today)
    report = alerts_scan(today=today)
    assert Alert.objects.count() == 1
    assert report.unchanged == 1 and report.raised == 0
    assert AlertEvent.objects.count() == 1


def test_more_voices_raise_the_level_of_the_same_alert_and_it_waits_to_be_acknowledged_again(
    world: Any, submit: Any, land: Any, today: datetime.date, commune_officer: Any
) -> None:
    land_surge(submit, world, land, today)
    alerts_scan(today=today)
    alert = Alert.objects.get(rule=AlertRule.SURGE)
    alert = alert_acknowledge(
        actor=Actor.of_user(commune_officer), alert=alert, expected_version=alert.version
    )
    # 6 voices: z = (6 − 1) / 1 = 5, serious.
    submit(world.anh_son, land, today)

    report = alerts_scan(today=today)

    alert.refresh_from_db()
    assert Alert.objects.count() == 1
    assert report.levels_raised == 1
    assert alert.level == AlertLevel.SERIOUS
    assert alert.status == AlertStatus.OPEN
    assert alert.reason["recent"] == 6 and alert.reason["z"] == 5
    assert list(alert.events.values_list("action", flat=True)) == [
        "raised",
        "acknowledged",
        "level_raised",
    ]


def test_a_closed_alert_is_not_raised_again_at_its_level_but_is_at_a_higher_one(
    world: Any, submit: Any, land: Any, today: datetime.date, commune_officer: Any
) -> None:
    land_surge(submit, world, land, today)
    alerts_scan(today=today)
    alert = Alert.objects.get(rule=AlertRule.SURGE)
    alert_close(
        actor=Actor.of_user(commune_officer),
        alert=alert,
        expected_version=alert.version,
        note="Đã đối thoại với các hộ dân",
    )
    report = alerts_scan(today=today)
    assert report.suppressed == 1
    assert Alert.objects.count() == 1

    submit(world.anh_son, land, today)  # 6 voices: serious
    alerts_scan(today=today)
    assert Alert.objects.count() == 2
    assert Alert.objects.active().get().level == AlertLevel.SERIOUS


def test_the_commune_and_for_caution_the_province_commission_are_told(
    world: Any,
    submit: Any,
    land: Any,
    today: datetime.date,
    commune_officer: Any,
    provincial_staff: Any,
    observer: Any,
    village_member: Any,
) -> None:
    land_surge(submit, world, land, today)
    report = alerts_scan(today=today)
    alert = Alert.objects.get(rule=AlertRule.SURGE)

    told = Notification.objects.filter(kind=NotificationKind.ALERT)
    assert set(told.values_list("recipient__username", flat=True)) == {
        commune_officer.username,
        provincial_staff.username,
    }
    assert report.notifications == 2
    assert set(alert.bodies.all()) == {world.anh_son_body, world.province_body}
    note = told.get(recipient=commune_officer)
    assert note.link == f"/alerts/{alert.pk}/"
    assert "5" in note.body  # the reason, with its numbers
    # Running again tells nobody twice.
    alerts_scan(today=today)
    assert told.count() == 2


def test_an_attention_alert_goes_to_the_commune_only(
    world: Any,
    submit: Any,
    land: Any,
    today: datetime.date,
    commune_officer: Any,
    provincial_staff: Any,
) -> None:
    # four a week, then 9: z = (9 − 4) / 2 = 2.5, attention
    weekly_history(submit, world.anh_son, land, today, [4] * 12)
    submit(world.anh_son, land, today, 9)
    alerts_scan(today=today)
    alert = Alert.objects.get(rule=AlertRule.SURGE)
    assert alert.level == AlertLevel.ATTENTION
    assert list(
        Notification.objects.filter(kind=NotificationKind.ALERT).values_list(
            "recipient__username", flat=True
        )
    ) == [commune_officer.username]


def test_many_different_people_on_one_issue_is_a_mass_complaint(
    world: Any, submit: Any, land: Any, today: datetime.date, make_issue: Any
) -> None:
    issue = make_issue(world.anh_son, land, title="Bồi thường dự án đường tỉnh 534")
    voices = submit(world.anh_son, land, today - 3 * DAY, 3)
    voices += submit(world.anh_son_village, land, today - 2 * DAY, 2, name="Trần Văn Bảy")
    voices += submit(world.anh_son, land, today, 1, anonymous=True)
    put_in_issue(voices, issue)

    alerts_scan(today=today)

    # 6 voices, 5 people: three named, one twice, one anonymous.
    alert = Alert.objects.get(rule=AlertRule.MASS_COMPLAINT)
    assert alert.issue == issue
    assert alert.level == AlertLevel.ATTENTION
    assert alert.reason["people"] == 5
    assert alert.reason["voices"] == 6


def test_an_issue_with_four_people_is_not_a_mass_complaint(
    world: Any, submit: Any, land: Any, today: datetime.date, make_issue: Any
) -> None:
    issue = make_issue(world.anh_son, land)
    put_in_issue(submit(world.anh_son, land, today, 4), issue)
    alerts_scan(today=today)
    assert not Alert.objects.filter(rule=AlertRule.MASS_COMPLAINT).exists()


def test_a_matter_taken_to_the_province_while_open_at_the_commune_is_skipping_levels(
    world: Any, submit: Any, health: Any, today: datetime.date, make_issue: Any
) -> None:
    issue = make_issue(world.anh_son, health, title="Trạm y tế thiếu thuốc")
    below = submit(world.anh_son, health, today - 20 * DAY, receiving_body=world.anh_son_body)
    above = submit(world.anh_son, health, today - 2 * DAY, 3, receiving_body=world.province_body)
    put_in_issue(below + above, issue)

    alerts_scan(today=today)

    alert = Alert.objects.get(rule=AlertRule.SKIPPING_LEVELS)
    assert alert.level == AlertLevel.CAUTION  # 3 above: caution
    assert alert.reason["above"] == 3 and alert.reason["open_below"] == 1
    assert world.province_body in alert.bodies.all()


def test_going_to_the_province_first_is_not_skipping_levels(
    world: Any, submit: Any, health: Any, today: datetime.date, make_issue: Any
) -> None:
    issue = make_issue(world.anh_son, health)
    above = submit(world.anh_son, health, today - 20 * DAY, receiving_body=world.province_body)
    below = submit(world.anh_son, health, today - 2 * DAY, receiving_body=world.anh_son_body)
    only_above = make_issue(world.muong_xen, health)
    put_in_issue(above + below, issue)
    put_in_issue(
        submit(world.muong_xen, health, today, receiving_body=world.province_body), only_above
    )
    alerts_scan(today=today)
    assert not Alert.objects.filter(rule=AlertRule.SKIPPING_LEVELS).exists()


def test_new_voices_on_an_answered_land_issue_and_second_complaints_reopen_it(
    world: Any, submit: Any, land: Any, today: datetime.date, make_issue: Any
) -> None:
    issue = make_issue(world.anh_son, land, title="Tranh chấp ranh giới đất")
    first = submit(world.anh_son, land, today - 60 * DAY, kind=VoiceKind.COMPLAINT_FIRST)
    put_in_issue(first, issue)
    issue.status = IssueStatus.ANSWERED
    issue.answered_at = timezone.now() - datetime.timedelta(days=3)
    issue.save(update_fields=["status", "answered_at"])
    later = submit(world.anh_son, land, today - 1 * DAY, 2)
    second = submit(
        world.anh_son,
        land,
        today,
        kind=VoiceKind.COMPLAINT_SECOND,
        previous=first[0],
        name="Người dân 1",
    )
    put_in_issue(later + second, issue)
    # A second complaint outside any issue counts for its commune.
    loose = submit(world.muong_xen, land, today - 40 * DAY, kind=VoiceKind.COMPLAINT_FIRST)
    submit(
        world.muong_xen_village,
        land,
        today,
        kind=VoiceKind.COMPLAINT_SECOND,
        previous=loose[0],
        name="Người dân 9",
    )

    alerts_scan(today=today)

    on_issue = Alert.objects.get(rule=AlertRule.LAND_REOPENED, issue=issue)
    # The second complaint is also a new voice after the answer: counted once, as new.
    assert on_issue.reason["new_voices"] == 3
    assert on_issue.reason["second_complaints"] == 0
    assert on_issue.level == AlertLevel.CAUTION
    loose_alert = Alert.objects.get(rule=AlertRule.LAND_REOPENED, issue=None)
    assert loose_alert.unit == world.muong_xen
    assert loose_alert.reason["second_complaints"] == 1
    assert loose_alert.level == AlertLevel.ATTENTION


def test_voices_before_the_answer_do_not_reopen_a_land_issue(
    world: Any, submit: Any, land: Any, today: datetime.date, make_issue: Any
) -> None:
    issue = make_issue(world.anh_son, land)
    put_in_issue(submit(world.anh_son, land, today - 2 * DAY, 3), issue)
    issue.status = IssueStatus.CLOSED
    issue.answered_at = timezone.now() + datetime.timedelta(minutes=5)
    issue.save(update_fields=["status", "answered_at"])
    alerts_scan(today=today)
    assert not Alert.objects.filter(rule=AlertRule.LAND_REOPENED).exists()


def test_the_scan_reads_the_counts_with_the_same_queries_for_one_commune_or_many(
    world: Any, submit: Any, land: Any, health: Any, today: datetime.date
) -> None:
    submit(world.anh_son, land, today, 1)
    with CaptureQueriesContext(connection) as few:
        alerts_scan(today=today)
    for unit in (world.muong_xen, world.hoan_kiem, world.muong_xen_village):
        for topic in (land, health):
            submit(unit, topic, today - 10 * DAY, 2)
    with CaptureQueriesContext(connection) as many:
        alerts_scan(today=today)
    assert len(many) == len(few) <= 6


def test_the_command_runs_the_scan_for_a_given_day(
    world: Any, submit: Any, land: Any, today: datetime.date
) -> None:
    land_surge(submit, world, land, today)
    out = StringIO()
    # Eight days later the surge is history: nothing is raised.
    call_command("run_alerts", "--date", (today + 8 * DAY).isoformat(), stdout=out)
    assert '"raised": 0' in out.getvalue()
    call_command("run_alerts", "--date", today.isoformat(), stdout=out)
    assert '"raised": 1' in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_alerts", "--date", "24/11/2026")


def test_the_task_runs_the_scan(world: Any, submit: Any, land: Any, today: datetime.date) -> None:
    land_surge(submit, world, land, today)
    result = scan_alerts.enqueue(today.isoformat())
    assert result.return_value is not None and result.return_value["raised"] == 1
    assert Alert.objects.count() == 1


def test_a_later_scan_at_the_same_level_refreshes_the_numbers_and_the_days_counted(
    world: Any, submit: Any, land: Any, today: datetime.date
) -> None:
    weekly_history(submit, world.anh_son, land, today - DAY, [1] * 12)
    submit(world.anh_son, land, today - DAY, 5)
    alerts_scan(today=today - DAY)
    alert = Alert.objects.get(rule=AlertRule.SURGE)
    assert alert.window_end == today - DAY
    alerts_scan(today=today)
    alert.refresh_from_db()
    assert (alert.window_start, alert.window_end, alert.last_seen_on) == (
        today - 6 * DAY,
        today,
        today,
    )
    assert alert.level == AlertLevel.CAUTION
    assert alert.version == 1  # nothing an officer must see again
