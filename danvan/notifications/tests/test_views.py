from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.notifications.context_processors import unread
from danvan.notifications.models import Notification, NotificationKind
from danvan.notifications.services import notify
from danvan.voices.models import Topic
from danvan.voices.services import case_accept, case_assign, voice_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SYSTEM = Actor.system("test")


def note(user, title, key=""):
    (notification,) = notify(
        actor=SYSTEM,
        recipients=[user],
        title=title,
        body="",
        link="/notifications/overdue/",
        kind=NotificationKind.OVERDUE,
        dedup_key=key,
    )
    return notification


def test_a_user_sees_only_their_own_notifications(login, commune_officer, village_member):
    note(commune_officer, "For the commune officer")
    note(village_member, "For the village member")

    response = login(commune_officer).get(reverse("notifications:list"))

    assert response.status_code == 200
    assert "For the commune officer" in response.content.decode()
    assert "For the village member" not in response.content.decode()


def test_the_list_needs_a_login(client):
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_list_takes_the_same_number_of_queries_for_many_notifications(login, commune_officer):
    client = login(commune_officer)
    note(commune_officer, "First")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notifications:list"))
    for i in range(5):
        note(commune_officer, f"More {i}")
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("notifications:list"))

    assert len(six) == len(one)


def test_marking_one_notification_read(login, commune_officer):
    notification = note(commune_officer, "Read me")
    client = login(commune_officer)

    response = client.post(reverse("notifications:read", args=[notification.pk]))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, commune_officer):
    notification = note(commune_officer, "Open me")

    response = login(commune_officer).post(
        reverse("notifications:read", args=[notification.pk]), {"open": "1"}
    )

    assert response["Location"] == "/notifications/overdue/"
    notification.refresh_from_db()
    assert notification.is_read


def test_nobody_marks_someone_elses_notification_read(login, commune_officer, village_member):
    notification = note(village_member, "Not yours")

    response = login(commune_officer).post(reverse("notifications:read", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_touches_only_ones_own(login, commune_officer, village_member):
    note(commune_officer, "One")
    note(commune_officer, "Two")
    other = note(village_member, "Theirs")

    login(commune_officer).post(reverse("notifications:read_all"))

    assert not Notification.objects.filter(recipient=commune_officer, read_at__isnull=True)
    other.refresh_from_db()
    assert other.read_at is None


def test_marking_read_needs_a_post(login, commune_officer):
    notification = note(commune_officer, "Read me")

    response = login(commune_officer).get(reverse("notifications:read", args=[notification.pk]))

    assert response.status_code == 405


def test_the_unread_count_for_the_menu(rf, commune_officer, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    note(commune_officer, "One")
    note(commune_officer, "Two")
    request = rf.get("/")
    request.user = commune_officer

    context = unread(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "2"
        assert context["unread_notifications"] == 2

    request.user = AnonymousUser()
    assert unread(request) == {"unread_notifications": 0}


# --- The overdue list ----------------------------------------------------------------------------


def overdue_case(world, unit, body, text="Đường làng bị sạt lở."):
    voice = voice_submit(
        actor=SYSTEM,
        kind="complaint_first",
        channel="officer",
        unit=unit,
        topic=Topic.objects.get(code="infrastructure", province=None),
        text=text,
        received_on=datetime.date(2026, 9, 1),
        submitter_name="Trần Văn Bình",
    )
    voice = case_accept(
        actor=SYSTEM,
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 9, 3),
    )
    return case_assign(actor=SYSTEM, voice=voice, expected_version=voice.version, body=body)


def test_the_overdue_list_shows_only_the_bodies_and_cases_the_user_may_see(
    world, login, commune_officer
):
    ours = overdue_case(world, world.anh_son_village, world.village_body)
    theirs = overdue_case(world, world.muong_xen, world.muong_xen_body)

    response = login(commune_officer).get(reverse("notifications:overdue"))

    page = response.content.decode()
    assert response.status_code == 200
    assert ours.tracking_code in page
    assert "Tổ dân vận Xóm 1" in page
    assert theirs.tracking_code not in page
    assert "Đảng ủy xã Mường Xén" not in page


def test_the_overdue_list_groups_cases_by_body_with_counts(world, login, provincial_staff):
    overdue_case(world, world.anh_son_village, world.village_body)
    overdue_case(world, world.anh_son_village, world.village_body)
    overdue_case(world, world.muong_xen, world.muong_xen_body)

    response = login(provincial_staff).get(reverse("notifications:overdue"))

    groups = {g.body.name: g.count for g in response.context["groups"]}
    assert groups == {"Tổ dân vận Xóm 1": 2, "Đảng ủy xã Mường Xén": 1}
    assert response.context["total"] == 3


def test_the_overdue_list_takes_the_same_number_of_queries_for_many_cases(
    world, login, provincial_staff
):
    client = login(provincial_staff)
    overdue_case(world, world.anh_son_village, world.village_body)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notifications:overdue"))
    overdue_case(world, world.muong_xen, world.muong_xen_body)
    overdue_case(world, world.muong_xen_village, world.muong_xen_body)
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("notifications:overdue"))

    assert len(three) == len(one)


def test_someone_without_a_membership_sees_no_overdue_case(world, login, nobody):
    overdue_case(world, world.anh_son_village, world.village_body)

    response = login(nobody).get(reverse("notifications:overdue"))

    assert response.status_code == 200
    assert response.context["groups"] == []
