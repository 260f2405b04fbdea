"""The inbox selector: scope, filters, urgency and order, on voices made through the services."""

from __future__ import annotations

import datetime

import pytest

from danvan.audit.context import Actor
from danvan.deadlines.calendar import WorkingCalendar
from danvan.deadlines.models import CalendarException
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.selectors import (
    InboxFilters,
    Urgency,
    assignable_bodies,
    due_soon_until,
    inbox_for,
    inbox_page,
    topics_for,
    urgency_of,
)
from danvan.voices.services import voice_submit
from danvan.voices.services_routing import case_accept, case_refuse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, label="citizen")
#: Received Monday 2 Nov 2026: a first complaint must be accepted by Wednesday 11 Nov 2026.
RECEIVED = datetime.date(2026, 11, 2)
ACCEPT_DUE = datetime.date(2026, 11, 11)


def submit(unit, **overrides) -> Voice:
    values = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": unit,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Gia đình tôi chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": RECEIVED,
        "submitter_name": "Nguyễn Văn An",
    }
    values.update(overrides)
    return voice_submit(**values)


def codes(voices) -> set[str]:
    return {v.tracking_code for v in voices}


def test_the_inbox_is_limited_to_the_users_scope(world, commune_officer, provincial_staff, nobody):
    here = submit(world.anh_son_village)
    there = submit(world.muong_xen_village)

    assert codes(inbox_for(commune_officer)) == {here.tracking_code}
    assert codes(inbox_for(provincial_staff)) == {here.tracking_code, there.tracking_code}
    assert list(inbox_for(nobody)) == []


def test_a_unit_filter_includes_the_units_below_it(world, provincial_staff):
    in_village = submit(world.anh_son_village)
    in_commune = submit(world.anh_son)
    submit(world.muong_xen_village)

    assert codes(inbox_for(provincial_staff, InboxFilters(unit_code="17329"))) == {
        in_village.tracking_code,
        in_commune.tracking_code,
    }
    assert codes(
        inbox_for(provincial_staff, InboxFilters(unit_code=world.anh_son_village.code))
    ) == {in_village.tracking_code}
    assert list(inbox_for(provincial_staff, InboxFilters(unit_code="no-such-unit"))) == []


def test_kind_topic_status_and_date_filters(world, commune_officer):
    complaint = submit(world.anh_son_village)
    reflection = submit(
        world.anh_son_village,
        kind="reflection",
        topic=Topic.objects.get(code="environment", province=None),
        received_on=RECEIVED - datetime.timedelta(days=10),
    )
    case_refuse(
        actor=Actor.of_user(commune_officer),
        voice=complaint,
        expected_version=1,
        reason="Không thuộc thẩm quyền.",
    )
    environment = Topic.objects.get(code="environment", province=None)

    def found(**filters) -> set[str]:
        return codes(inbox_for(commune_officer, InboxFilters(**filters)))

    assert found(kind="reflection") == {reflection.tracking_code}
    assert found(topic_id=environment.pk) == {reflection.tracking_code}
    assert found(status=VoiceStatus.REFUSED) == {complaint.tracking_code}
    assert found(received_from=RECEIVED) == {complaint.tracking_code}
    assert found(received_to=RECEIVED - datetime.timedelta(days=1)) == {reflection.tracking_code}


def test_due_before_overdue_and_due_soon(world, commune_officer):
    complaint = submit(world.anh_son_village)  # accept due 11 Nov
    refused = submit(world.anh_son_village)
    case_refuse(
        actor=Actor.of_user(commune_officer), voice=refused, expected_version=1, reason="Trùng."
    )

    def found(today: datetime.date, **filters) -> set[str]:
        return codes(inbox_for(commune_officer, InboxFilters(**filters), today=today))

    assert found(RECEIVED, due_before=ACCEPT_DUE + datetime.timedelta(days=1)) == {
        complaint.tracking_code
    }
    assert found(RECEIVED, due_before=ACCEPT_DUE) == set()
    # The day after the due date it is overdue; a refused case is never overdue.
    after = ACCEPT_DUE + datetime.timedelta(days=1)
    assert found(after, urgency=Urgency.OVERDUE) == {complaint.tracking_code}
    assert found(ACCEPT_DUE, urgency=Urgency.OVERDUE) == set()
    # Due soon: within 3 working days by default (DANVAN_DUE_SOON_DAYS), or the span the officer
    # chose. Friday 6 Nov: Mon 9, Tue 10, Wed 11 are the three working days ahead.
    assert found(datetime.date(2026, 11, 6), urgency=Urgency.DUE_SOON) == {complaint.tracking_code}
    # Saturday 7 Nov is 4 calendar days before and still due soon: the weekend does not count.
    assert found(datetime.date(2026, 11, 7), urgency=Urgency.DUE_SOON) == {complaint.tracking_code}
    # Thursday 5 Nov: Fri 6, Mon 9, Tue 10; the 11th is the fourth working day.
    assert found(datetime.date(2026, 11, 5), urgency=Urgency.DUE_SOON) == set()
    assert found(datetime.date(2026, 11, 5), urgency=Urgency.DUE_SOON, due_soon_days=4) == {
        complaint.tracking_code
    }
    assert found(after, urgency=Urgency.DUE_SOON) == set()


def test_due_soon_is_the_setting_in_working_days_with_the_calendars_exceptions(settings):
    thursday = datetime.date(2026, 11, 5)

    assert due_soon_until(thursday) == datetime.date(2026, 11, 10)
    settings.DANVAN_DUE_SOON_DAYS = 4
    assert due_soon_until(thursday) == ACCEPT_DUE
    assert due_soon_until(thursday, 1) == datetime.date(2026, 11, 6)
    assert due_soon_until(thursday, 0) == thursday
    # An administrator's day off (a swapped day) is not counted.
    CalendarException.objects.create(
        day=datetime.date(2026, 11, 6), is_working_day=False, reason="Nghỉ bù"
    )
    assert due_soon_until(thursday, 1) == datetime.date(2026, 11, 9)
    assert due_soon_until(thursday, 1, calendar=WorkingCalendar()) == datetime.date(2026, 11, 6)


def test_a_voice_filed_under_a_unit_merged_into_the_users_is_in_their_inbox(
    world, merged_commune, commune_officer, provincial_staff
):
    old, _body = merged_commune
    voice = submit(world.anh_son)
    Voice.objects.filter(pk=voice.pk).update(unit=old)  # as records from before the merger are

    assert codes(inbox_for(commune_officer)) == {voice.tracking_code}
    assert codes(inbox_for(provincial_staff, InboxFilters(unit_code=old.code))) == {
        voice.tracking_code
    }


def test_a_unit_filter_outside_the_users_scope_finds_nothing(world, commune_officer):
    submit(world.muong_xen_village)

    assert list(inbox_for(commune_officer, InboxFilters(unit_code=world.muong_xen.code))) == []


def test_an_inbox_page_counts_up_to_a_limit_and_knows_whether_another_follows(
    world, commune_officer
):
    made = [
        submit(world.anh_son_village, received_on=RECEIVED - datetime.timedelta(days=i))
        for i in range(7)
    ]
    voices = inbox_for(commune_officer)
    order = [v.tracking_code for v in voices]
    assert set(order) == codes(made)

    first = inbox_page(voices, None, per_page=3, count_limit=5)
    assert [v.tracking_code for v in first.rows] == order[:3]
    assert (first.number, first.has_previous, first.has_next) == (1, False, True)
    assert (first.count, first.is_capped, first.num_pages) == (5, True, None)

    last = inbox_page(voices, "3", per_page=3, count_limit=10)
    assert [v.tracking_code for v in last.rows] == order[6:]
    assert (last.number, last.has_previous, last.has_next) == (3, True, False)
    assert (last.count, last.is_capped, last.num_pages) == (7, False, 3)
    assert inbox_page(voices, "2", per_page=3).next_page_number == 3

    # Nonsense and pages past the end give the first page.
    assert inbox_page(voices, "abc", per_page=3).number == 1
    assert inbox_page(voices, "-2", per_page=3).number == 1
    past = inbox_page(voices, "99", per_page=3)
    assert past.number == 1 and [v.tracking_code for v in past.rows] == order[:3]


def test_urgency_of_one_voice(world, settings):
    voice = submit(world.anh_son_village)

    assert urgency_of(voice, today=ACCEPT_DUE + datetime.timedelta(days=1)) == Urgency.OVERDUE
    assert urgency_of(voice, today=ACCEPT_DUE) == Urgency.DUE_SOON
    assert urgency_of(voice, today=datetime.date(2026, 11, 6)) == Urgency.DUE_SOON
    assert urgency_of(voice, today=datetime.date(2026, 11, 5)) == ""
    assert urgency_of(voice, today=RECEIVED) == ""
    # The span given by the caller wins, so a page computes it once for all its rows.
    assert (
        urgency_of(voice, today=datetime.date(2026, 11, 5), due_soon_until_day=ACCEPT_DUE)
        == Urgency.DUE_SOON
    )
    settings.DANVAN_DUE_SOON_DAYS = 4
    assert urgency_of(voice, today=datetime.date(2026, 11, 5)) == Urgency.DUE_SOON


def test_the_most_urgent_come_first_and_cases_without_a_due_date_last(world, commune_officer):
    later = submit(world.anh_son_village)
    earlier = submit(world.anh_son_village, received_on=RECEIVED - datetime.timedelta(days=7))
    no_due = submit(world.anh_son_village, received_on=RECEIVED - datetime.timedelta(days=20))
    case_refuse(
        actor=Actor.of_user(commune_officer), voice=no_due, expected_version=1, reason="Trùng."
    )
    same_due = submit(world.anh_son_village)

    order = [v.tracking_code for v in inbox_for(commune_officer)]

    assert order == [
        earlier.tracking_code,
        later.tracking_code,
        same_due.tracking_code,
        no_due.tracking_code,
    ]


def test_accepting_moves_the_due_date_the_inbox_sorts_on(world, commune_officer):
    voice = submit(world.anh_son_village)
    case_accept(
        actor=Actor.of_user(commune_officer),
        voice=voice,
        expected_version=1,
        accepted_on=RECEIVED + datetime.timedelta(days=1),
    )

    (row,) = inbox_for(commune_officer)
    assert row.status == VoiceStatus.ACCEPTED
    assert row.due_on is not None and row.due_on > ACCEPT_DUE


def test_topics_offered_are_the_builtin_ones_and_the_users_provinces(
    world, commune_officer, system_admin
):
    own = Topic.objects.create(code="fishing", name="Khai thác thủy sản", province=world.nghe_an)
    other = Topic.objects.create(code="traffic", name="Giao thông đô thị", province=world.ha_noi)

    offered = set(topics_for(commune_officer))
    assert own in offered and other not in offered
    assert Topic.objects.get(code="land", province=None) in offered
    assert {own, other} <= set(topics_for(system_admin))


def test_bodies_a_case_can_be_assigned_to_are_at_its_unit_or_above(world, provincial_staff):
    voice = submit(world.anh_son_village)

    bodies = set(assignable_bodies(provincial_staff, voice))

    assert bodies == {world.province_body, world.anh_son_body, world.village_body}


def test_a_commune_officer_cannot_pick_a_body_above_their_scope(world, commune_officer):
    voice = submit(world.anh_son)

    assert set(assignable_bodies(commune_officer, voice)) == {world.anh_son_body}


def test_the_open_case_indexes_name_the_open_statuses():
    """The planner uses a partial index only when the query's ``status IN (...)`` implies its
    condition: migration 0012's list must stay ``OPEN_STATUSES``."""
    from importlib import import_module

    from danvan.voices.models import OPEN_STATUSES

    migration = import_module("danvan.voices.migrations.0012_open_case_indexes")
    assert set(migration.OPEN) == {str(s) for s in OPEN_STATUSES}
