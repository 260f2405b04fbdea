"""Reads of voices that several places need: the officer inbox, the API, the exports.

Scope is decided only by ``Voice.objects.visible_to(user)``; the selectors narrow from there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from danvan.deadlines.calendar import WorkingCalendar
from danvan.deadlines.selectors import working_calendar
from danvan.lib.roles import Capability
from danvan.lib.scoping import can, scope_for
from danvan.lib.textquery import VOICE_TEXT, text_match
from danvan.lib.textquery import parse as parse_query
from danvan.lib.users import Requester
from danvan.organizations.models import Body
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import (
    OPEN_STATUSES,
    Coordination,
    Topic,
    Voice,
    VoiceDeadline,
    VoiceEvent,
)
from danvan.voices.tracking import normalize_tracking_code

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
    #: A topic's code (the API names topics by code): every topic with that code.
    topic_code: str = ""
    #: A unit's code: the voices that arose there or in any unit below it.
    unit_code: str = ""
    status: str = ""
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    due_before: datetime.date | None = None
    urgency: str = ""
    #: Working days; None means ``DANVAN_DUE_SOON_DAYS``.
    due_soon_days: int | None = None
    #: A tracking code (the case itself), or words the content must hold (as the search page).
    text: str = ""
    #: ``ORDER_URGENT`` (the nearest due date first) or ``ORDER_NEWEST`` (the latest received).
    order: str = ""


ORDER_URGENT, ORDER_NEWEST = "", "newest"


def inbox_for(
    user: Requester,
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
    # The scope (and the unit filter) as the ids of the units it covers, read first, rather than
    # as a join on the units' path prefixes: with a join, PostgreSQL cannot tell how many voices
    # a prefix covers (it expects one unit where a commune has 14) and sorts every voice of the
    # scope, tens of thousands, instead of reading the first page off the inbox-order index.
    # The rule is still ``visible_to``'s, applied to the units.
    units: QuerySet[AdministrativeUnit] | None = None
    if not scope_for(user, Capability.VIEW).is_global:
        units = AdministrativeUnit.objects.visible_to(user)
    if filters.unit_code:
        path = (
            AdministrativeUnit.objects.filter(code=filters.unit_code)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            return Voice.objects.none()
        below = AdministrativeUnit.objects.filter(path__startswith=path)
        units = below if units is None else units.filter(path__startswith=path)
    if units is None:
        voices = Voice.objects.visible_to(user)
    else:
        voices = Voice.objects.filter(unit_id__in=list(units.values_list("pk", flat=True)))
    voices = voices.select_related("topic", "unit__parent", "assignee")
    if filters.kind:
        voices = voices.filter(kind=filters.kind)
    if filters.topic_id is not None:
        voices = voices.filter(topic_id=filters.topic_id)
    if filters.topic_code:
        voices = voices.filter(topic__code=filters.topic_code)
    if filters.status:
        voices = voices.filter(status=filters.status)
    if filters.received_from:
        voices = voices.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        voices = voices.filter(received_on__lte=filters.received_to)
    if filters.due_before:
        voices = voices.filter(due_on__lt=filters.due_before)
    if filters.urgency == Urgency.OVERDUE:
        voices = overdue_now(voices, today=today)
    elif filters.urgency == Urgency.DUE_SOON:
        until = due_soon_until_day or due_soon_until(today, filters.due_soon_days)
        voices = voices.filter(status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=until)
    if filters.text:
        code = normalize_tracking_code(filters.text)
        if code is not None:
            voices = voices.filter(tracking_code=code)
        else:
            match = text_match(VOICE_TEXT, parse_query(filters.text))
            voices = voices.filter(match) if match is not None else voices.none()
    if filters.order == ORDER_NEWEST:
        return voices.order_by("-received_on", "-id")
    return voices.order_by(F("due_on").asc(nulls_last=True), "received_on", "id")


_Voices = TypeVar("_Voices", bound=QuerySet[Voice])


def overdue_now(voices: _Voices, *, today: datetime.date) -> _Voices:
    """The open cases among ``voices`` whose due date has passed (quá hạn). Being overdue is a
    fact of today, not of the day a case was received: the inbox's "overdue", the dashboard's
    "overdue now" and its list, and the overdue list by body all count these."""
    return voices.filter(status__in=OPEN_STATUSES, due_on__lt=today)


@dataclass
class BodyOverdue:
    body: Body | None  # None: cases that no body has been given yet
    voices: list[Voice]

    @property
    def count(self) -> int:
        return len(self.voices)


def overdue_by_body(user: Requester, *, today: datetime.date | None = None) -> list[BodyOverdue]:
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


#: Above this many matching cases the inbox says "more than 1,000" instead of counting them: a
#: COUNT(*) over a province's million voices costs ten times the page itself.
INBOX_COUNT_LIMIT = 1000


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox, found without counting every matching case."""

    rows: list[Voice]
    number: int
    per_page: int
    has_next: bool
    #: The number of matching cases, or ``count_limit`` when there are more (``is_capped``).
    count: int
    is_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        """How many pages there are; None when the count was capped."""
        return None if self.is_capped else max(1, -(-self.count // self.per_page))


def inbox_page(
    voices: QuerySet[Voice],
    number: Any,
    *,
    per_page: int,
    count_limit: int | None = None,
) -> InboxPage:
    """Page ``number`` (1 for anything that is not a positive number) of ``voices``: one query
    for the page's ids (one more than the page, to know whether a next page exists), one for
    their rows and one for the count, stopped at ``count_limit`` (``INBOX_COUNT_LIMIT``) — three
    queries whatever the volume. A page past the end is the first page (one query more).

    The ids come first because they can be read off an index alone (the open cases' indexes of
    migration ``voices.0012``): a filter that skips many rows (overdue, newest first) then skips
    index entries, not table rows, and the joins are made for the page's rows only."""
    count_limit = INBOX_COUNT_LIMIT if count_limit is None else count_limit
    try:
        page = max(1, int(number))
    except (TypeError, ValueError):
        page = 1
    offset = (page - 1) * per_page
    ids = list(voices.values_list("pk", flat=True)[offset : offset + per_page + 1])
    if not ids and page > 1:
        page, ids = 1, list(voices.values_list("pk", flat=True)[: per_page + 1])
    by_id = {voice.pk: voice for voice in voices.filter(pk__in=ids)} if ids else {}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    found = voices.order_by().values("pk")[: count_limit + 1].count()
    return InboxPage(
        rows=rows[:per_page],
        number=page,
        per_page=per_page,
        has_next=len(rows) > per_page,
        count=min(found, count_limit),
        is_capped=found > count_limit,
    )


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


def may_see_submitter(user: Requester, voice: Voice) -> bool:
    """Whether ``user``'s role shows the sender's name and contacts for ``voice``: personal data
    is seen where the role holds it, on the case's own unit. The one rule of the case page and the
    export (a denunciation carries no identity on the case whatever this says)."""
    return can(user, Capability.VIEW_PERSONAL_DATA, voice.unit)


def topics_for(user: Requester) -> QuerySet[Topic]:
    """Active topics an officer can file or filter under: the built-in ones and their provinces'."""
    topics = Topic.objects.filter(is_active=True).select_related("province")
    # The provinces above the scope's units (a commune officer files under their province's
    # topics): read from the scope's paths, which no filter on the units gives.
    scope = scope_for(user, Capability.VIEW)
    if scope.is_global:
        return topics
    provinces = {prefix.strip("/").split("/")[0] for prefix in scope.prefixes}
    return topics.filter(Q(province__isnull=True) | Q(province__code__in=provinces))


def assignable_bodies(user: Requester, voice: Voice | None = None) -> QuerySet[Body]:
    """Active bodies ``user`` can see and may give a case to: those at the case's unit or above."""
    bodies = Body.objects.visible_to(user).active().select_related("unit")
    if voice is not None:
        bodies = bodies.filter(unit__path__in=_paths_up_to(voice.unit))
    return bodies.order_by("unit__path", "name")


def _paths_up_to(unit: AdministrativeUnit) -> list[str]:
    """The paths of ``unit`` and of every unit above it."""
    parts = unit.path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def bodies_above(voice: Voice) -> QuerySet[Body]:
    """Active bodies at the case's unit or above it, whoever's scope they are in: a commune may
    forward to, or ask for coordination from, the province's departments."""
    return (
        Body.objects.active()
        .filter(unit__path__in=_paths_up_to(voice.unit))
        .order_by("unit__path", "name")
    )


def case_topics(user: Requester, voice: Voice) -> QuerySet[Topic]:
    """The topics ``user`` may file the case under: the built-in ones and its province's."""
    province = voice.unit.path.strip("/").split("/")[0]
    return topics_for(user).filter(Q(province__isnull=True) | Q(province__code=province))


def case_page_voices(user: Requester) -> QuerySet[Voice]:
    """The cases ``user`` may open, with what the case page shows of each."""
    return Voice.objects.visible_to(user).select_related(
        "topic",
        "suggested_topic",
        "issue",
        "unit__parent",
        "assignee__unit",
        "receiving_body",
        "previous",
        "rule_set",
    )


def visible_cases(user: Requester, ids: list[int]) -> dict[int, Voice]:
    """The cases among ``ids`` that ``user`` may see, by id."""
    return Voice.objects.visible_to(user).select_related("unit").in_bulk(ids)


def open_coordinations(voice: Voice) -> QuerySet[Coordination]:
    """The coordination requests on the case still waiting for a reply."""
    return voice.coordinations.filter(replied_at__isnull=True).select_related("body")


def case_coordinations(voice: Voice) -> list[Coordination]:
    """Every coordination request on the case, with its body."""
    return list(voice.coordinations.select_related("body"))


def case_deadlines(voice: Voice) -> list[VoiceDeadline]:
    """The case's due dates, earliest first, the steps without a date last."""
    return sorted(
        voice.deadlines.all(),
        key=lambda d: (d.due_on is None, d.due_on or datetime.date.max, d.pk),
    )


def case_deadlines_by_date(voice: Voice) -> QuerySet[VoiceDeadline]:
    """The case's due dates in the database's order of their dates (the case file's list)."""
    return voice.deadlines.order_by("due_on", "id")


def case_events(voice: Voice) -> QuerySet[VoiceEvent]:
    """The case's timeline, oldest first."""
    return voice.events.select_related("actor", "body").order_by("at", "id")


def has_second_complaint(voice: Voice) -> bool:
    """Whether a second complaint was filed against the case."""
    return voice.next_complaints.exists()


def managed_provinces(user: Requester) -> list[AdministrativeUnit]:
    """The provinces whose topics ``user`` may manage."""
    provinces = AdministrativeUnit.objects.visible_to(user, Capability.MANAGE_BODIES).current()
    return list(provinces.filter(tier=UnitTier.PROVINCE).order_by("name"))


def province_topics(province: AdministrativeUnit) -> QuerySet[Topic]:
    """The built-in topics and ``province``'s own, each with how many voices it has."""
    return (
        (Topic.objects.filter(province__isnull=True) | Topic.objects.filter(province=province))
        .annotate(voice_count=Count("voice"))
        .order_by("province_id", "order", "name")
    )
