from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.notifications.context_processors import unread
from danvan.notifications.models import Notification, NotificationKind
from danvan.notifications.services import notify

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
