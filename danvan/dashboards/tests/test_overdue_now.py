"""Being overdue is a fact of today: the dashboard of any period counts and lists the same cases
as the inbox's "overdue" filter and the overdue list by body (``voices.selectors.overdue_now``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.dashboards import selectors
from danvan.dashboards.periods import month
from danvan.dashboards.tests.helpers import submit
from danvan.voices.selectors import InboxFilters, Urgency, inbox_for, overdue_by_body
from danvan.voices.services_routing import case_accept

pytestmark = pytest.mark.django_db


def test_the_dashboard_of_this_month_counts_what_is_overdue_today_as_the_inbox_does(
    login, commune_officer, world
):
    today = timezone.localdate()
    actor = Actor.of_user(commune_officer)
    late = []
    for days_ago in (70, 90):
        voice = submit(world, days_ago=days_ago)
        late.append(
            case_accept(
                actor=actor,
                voice=voice,
                expected_version=voice.version,
                accepted_on=today - datetime.timedelta(days=days_ago - 1),
            )
        )
    submit(world, days_ago=1)  # received this month (or last), not yet due

    response = login(commune_officer).get("/dashboard/")  # this month: neither late case in it
    board = response.context["board"]
    assert board.period == month(today.year, today.month)
    assert all(v.received_on < board.period.start for v in late)

    inbox = inbox_for(commune_officer, InboxFilters(urgency=Urgency.OVERDUE), today=today)
    by_body = [v for group in overdue_by_body(commune_officer, today=today) for v in group.voices]
    expected = sorted(v.pk for v in late)
    assert board.aggregates.overdue == 2
    assert sorted(row.voice.pk for row in board.overdue) == expected
    assert sorted(v.pk for v in inbox) == expected
    assert sorted(v.pk for v in by_body) == expected
    html = response.content.decode()
    assert all(v.tracking_code in html for v in late)


def test_the_buckets_and_the_voices_agree_on_overdue_now(world, commune_officer: Any):
    today = timezone.localdate()
    voice = submit(world, days_ago=80)
    case_accept(
        actor=Actor.of_user(commune_officer),
        voice=voice,
        expected_version=voice.version,
        accepted_on=today - datetime.timedelta(days=79),
    )
    period = month(today.year, today.month)
    fast = selectors.aggregates(areas=[world.nghe_an.pk], children=[], period=period, today=today)
    slow = selectors.naive_aggregates(paths=["/40/"], children=[], period=period, today=today)
    assert fast.overdue == slow["overdue"] == 1
