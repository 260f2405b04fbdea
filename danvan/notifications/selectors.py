"""Reads of notifications and of the overdue cases of each body."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from danvan.organizations.models import Body
from danvan.voices.models import Voice
from danvan.voices.selectors import overdue_now


def unread_count(user: Any) -> int:
    from danvan.notifications.models import Notification

    return Notification.objects.visible_to(user).unread().count()


@dataclasses.dataclass
class BodyOverdue:
    body: Body | None  # None: cases that no body has been given yet
    voices: list[Voice]

    @property
    def count(self) -> int:
        return len(self.voices)


def overdue_by_body(user: Any, *, today: datetime.date | None = None) -> list[BodyOverdue]:
    """The overdue open cases the user may see, grouped by the body responsible for them (the
    assignee, else the receiving body) among the bodies the user may see. One query."""
    today = today or timezone.localdate()
    bodies = Body.objects.visible_to(user).values("pk")
    voices = (
        overdue_now(Voice.objects.visible_to(user), today=today)
        .filter(
            Q(assignee__in=bodies)
            | Q(assignee__isnull=True, receiving_body__in=bodies)
            | Q(assignee__isnull=True, receiving_body__isnull=True)
        )
        .select_related("unit", "topic", "assignee__unit", "receiving_body__unit")
        .order_by("due_on", "pk")
    )
    groups: dict[int | None, BodyOverdue] = {}
    for voice in voices:
        body = voice.assignee or voice.receiving_body
        key = body.pk if body is not None else None
        groups.setdefault(key, BodyOverdue(body=body, voices=[])).voices.append(voice)
    return sorted(
        groups.values(),
        key=lambda g: (g.body is None, g.body.unit.path if g.body else "", str(g.body or "")),
    )
