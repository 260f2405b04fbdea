from __future__ import annotations

import pytest
from django.core import mail

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.notifications.models import Notification, NotificationKind
from danvan.notifications.services import notify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SYSTEM = Actor.system("test")


def send(recipients, **overrides):
    values = {
        "actor": SYSTEM,
        "recipients": recipients,
        "title": "DV-TEST is overdue",
        "body": "Resolve was due on 03/12/2026.",
        "link": "/notifications/overdue/",
        "kind": NotificationKind.OVERDUE,
        "dedup_key": "voice:1:resolve:2026-12-03:overdue",
    }
    values.update(overrides)
    return notify(**values)


def test_each_recipient_is_notified_once_per_dedup_key(
    commune_officer, village_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = send([commune_officer, village_member, commune_officer])
        again = send([commune_officer, village_member])

    assert len(first) == 2
    assert again == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="notification.send").count() == 1


def test_the_email_is_sent_after_the_commit_to_those_with_an_address(
    commune_officer, village_member, django_capture_on_commit_callbacks
):
    village_member.email = ""
    village_member.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send([commune_officer, village_member])
        assert mail.outbox == []

    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert message.to == ["xa@danvan.example"]
    assert message.subject == "DV-TEST is overdue"
    assert "/notifications/overdue/" in message.body
    assert Notification.objects.filter(recipient=village_member).exists()  # in the app all the same


def test_inactive_users_are_not_notified(commune_officer):
    commune_officer.is_active = False
    commune_officer.save(update_fields=["is_active"])

    assert send([commune_officer]) == []


def test_a_failing_mail_server_does_not_lose_the_notification(
    commune_officer, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "danvan.notifications.tests.test_services.BrokenBackend"

    with django_capture_on_commit_callbacks(execute=True):
        send([commune_officer])

    assert Notification.objects.filter(recipient=commune_officer).exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
