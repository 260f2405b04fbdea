"""Reads of voices that several places need: the officer inbox, the API, the exports.

Scope is decided only by ``Voice.objects.visible_to(user)``; the selectors narrow from there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from danvan.accounts.roles import Capability
from danvan.accounts.scope import scope_for
from danvan.deadlines.calendar import WorkingCalendar
from danvan.deadlines.selectors import working_calendar
from danvan.organizations.models import Body
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import OPEN_STATUSES, Topic, Voice

#: "Due soon" means open and due within this many working days (``DANVAN_DUE_SOON_DAYS``, of which
#: this is the default), unless the officer asks for another span in the inbox.
DUE_SOON_DAYS = 3


def due_soon_days() -> int:
    """How many working days ahead an open case counts as "due soon": the inbox's filter and
    badge and the daily urging job (``DANVAN_DUE_SOON_DAYS``)."""
    return int(getattr(settings, "DANVAN_DUE_SOON_DAYS", DUE_SOON_DAYS))


def due_soon_until(
    today: datetime.date,
    days: int | None = None,
    *,
    calendar: WorkingCalendar | None = None,
) -> datetime.date:
    """The last due date that counts as "due soon" on ``today``: ``days`` working days after it
    (``DANVAN_DUE_SOON_DAYS`` when None) on the Vietnamese working calendar with the
    administrators' exceptions. The one definition the inbox and the urging job share; compute it
    once per request or run (reading the calendar is one query when ``calendar`` is not given)."""
    calendar = calendar or working_calendar()
    return calendar.add_working_days(today, due_soon_days() if days is None else days)


class Urgency:
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"


@dataclass(frozen=True)
class InboxFilters:
    """What the officer narrowed the inbox to. Empty values mean "any"."""

    kind: str = ""
    topic_id: int | None = None
    #: A unit's code: the voices that arose there or in any unit below it.
    unit_code: str = ""
    status: str = ""
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    due_before: datetime.date | None = None
    urgency: str = ""
    #: Working days; None means ``DANVAN_DUE_SOON_DAYS``.
    due_soon_days: int | None = None


def inbox_for(
    user: Any,
    filters: InboxFilters | None = None,
    *,
    today: datetime.date | None = None,
    due_soon_until_day: datetime.date | None = None,
) -> QuerySet[Voice]:
    """The voices ``user`` may see, filtered, most urgent first (due date, nulls last; then the
    oldest received), with what a list row shows already joined.

    ``due_soon_until_day`` is ``due_soon_until(today, filters.due_soon_days)`` when the caller has
    it already (it is computed here otherwise, and only for the "due soon" filter)."""
    filters = filters or InboxFilters()
    today = today or timezone.localdate()
    voices = Voice.objects.visible_to(user).select_related("topic", "unit__parent", "assignee")
    if filters.kind:
        voices = voices.filter(kind=filters.kind)
    if filters.topic_id is not None:
        voices = voices.filter(topic_id=filters.topic_id)
    if filters.unit_code:
        path = (
            AdministrativeUnit.objects.filter(code=filters.unit_code)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            return voices.none()
        voices = voices.filter(unit__path__startswith=path)
    if filters.status:
        voices = voices.filter(status=filters.status)
    if filters.received_from:
        voices = voices.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        voices = voices.filter(received_on__lte=filters.received_to)
    if filters.due_before:
        voices = voices.filter(due_on__lt=filters.due_before)
    if filters.urgency == Urgency.OVERDUE:
        voices = voices.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    elif filters.urgency == Urgency.DUE_SOON:
        until = due_soon_until_day or due_soon_until(today, filters.due_soon_days)
        voices = voices.filter(status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=until)
    return voices.order_by(F("due_on").asc(nulls_last=True), "received_on", "id")


def urgency_of(
    voice: Voice, *, today: datetime.date, due_soon_until_day: datetime.date | None = None
) -> str:
    """``Urgency.OVERDUE``, ``Urgency.DUE_SOON`` or "" for one voice, as the inbox badges it.

    Pass ``due_soon_until_day`` (from ``due_soon_until``) when badging many voices: without it
    the calendar is read for this one."""
    if not voice.is_open or voice.due_on is None:
        return ""
    if voice.due_on < today:
        return Urgency.OVERDUE
    if voice.due_on <= (due_soon_until_day or due_soon_until(today)):
        return Urgency.DUE_SOON
    return ""


def topics_for(user: Any) -> QuerySet[Topic]:
    """Active topics an officer can file or filter under: the built-in ones and their provinces'."""
    topics = Topic.objects.filter(is_active=True).select_related("province")
    scope = scope_for(user, Capability.VIEW)
    if scope.is_global:
        return topics
    provinces = {prefix.strip("/").split("/")[0] for prefix in scope.prefixes}
    return topics.filter(Q(province__isnull=True) | Q(province__code__in=provinces))


def assignable_bodies(user: Any, voice: Voice | None = None) -> QuerySet[Body]:
    """Active bodies ``user`` can see and may give a case to: those at the case's unit or above."""
    bodies = Body.objects.visible_to(user).active().select_related("unit")
    if voice is not None:
        parts = voice.unit.path.strip("/").split("/")
        paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        bodies = bodies.filter(unit__path__in=paths)
    return bodies.order_by("unit__path", "name")
