"""Writes to notifications: sending them (in the app and by email) and marking them read."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.notifications.models import Notification, NotificationKind

logger = logging.getLogger(__name__)


def _absolute(link: str) -> str:
    """The link as an address to put in an email: the site's own address in front of a path."""
    base = getattr(settings, "DANVAN_SITE_URL", "").rstrip("/")
    return f"{base}{link}" if base and link.startswith("/") else link


def _send_emails(messages: list[tuple[str, str, str, list[str]]]) -> None:
    # After the commit, a mail server that is down must not undo the notifications already stored
    # (they are in the app); it is logged instead, and the in-app row stays.
    try:
        send_mass_mail(tuple(messages), fail_silently=False)
    except Exception:
        logger.exception("Sending %d notification emails failed", len(messages))


@transaction.atomic
def notify(
    *,
    actor: Actor,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    link: str = "",
    kind: str = NotificationKind.OTHER,
    dedup_key: str = "",
    due_on: datetime.date | None = None,
    obj: models.Model | None = None,
    unit: Any | None = None,
) -> list[Notification]:
    """Notify each recipient once in the app, and by email after the commit when they have an
    address. A recipient who already has a notification with ``dedup_key`` is skipped. Returns
    the notifications created; writes one audit row when there are any."""
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return []
    if dedup_key:
        already = set(
            Notification.objects.filter(dedup_key=dedup_key, recipient_id__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        people = {pk: user for pk, user in people.items() if pk not in already}
    created: list[Notification] = []
    now = timezone.now()
    for user in people.values():
        # A savepoint each, so that a concurrent run that created the same row first is skipped
        # instead of failing the whole job.
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=user,
                        kind=kind,
                        title=title[:200],
                        body=body,
                        link=link[:500],
                        due_on=due_on,
                        created_at=now,
                        dedup_key=dedup_key,
                    )
                )
        except IntegrityError:
            if (
                dedup_key
                and Notification.objects.filter(recipient=user, dedup_key=dedup_key).exists()
            ):
                continue
            raise
    if not created:
        return []
    audit_record(
        actor=actor,
        action="notification.send",
        obj=obj,
        unit=unit,
        changes={
            "kind": kind,
            "title": title[:200],
            "dedup_key": dedup_key,
            "recipients": sorted(n.recipient_id for n in created),
        },
    )
    text = f"{body}\n\n{_absolute(link)}".strip() if link else body
    messages = [
        (title, text, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        for n in created
        if n.recipient.email
    ]
    if messages:
        transaction.on_commit(lambda: _send_emails(messages))
    return created


def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read.

    No audit row: reading one's own inbox changes nothing anyone else relies on.
    """
    if notification.recipient_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("Only the recipient may mark a notification read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark all of the actor's unread notifications read; returns how many."""
    if actor.user is None:
        return 0
    return Notification.objects.visible_to(actor.user).unread().update(read_at=timezone.now())
