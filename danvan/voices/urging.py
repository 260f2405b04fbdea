"""Urging (đôn đốc) and escalation of cases whose legal due date is near or past.

Run once a day (``manage.py run_urging``, or the ``urge_cases`` task): for each open
voice with a stored due date,

- due soon (``due_soon_until`` in ``selectors.py``: within ``DANVAN_DUE_SOON_DAYS`` working days,
  the same span the inbox badges and filters): the officers of the responsible body are reminded;
- overdue: they are told so, and so is the body above it (``Body.parent``), its leaders first;
- an overdue denunciation: the superior body is asked, once, for a report within 5 working days
  (Law on Denunciations 25/2018/QH14 Art. 38), and the case's timeline records the request.

Every notification carries a dedup key naming the case, the step, its due date and the level, so
running the job twice (or daily) never notifies anyone twice for the same thing; a new due date
(an extension) is a new thing to be reminded of.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.calendar import WorkingCalendar
from danvan.deadlines.models import Step, VoiceKind
from danvan.deadlines.selectors import working_calendar
from danvan.lib.roles import Capability, Role
from danvan.notifications.models import Notification, NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body, Membership
from danvan.voices.models import OPEN_STATUSES, Coordination, Voice, VoiceDeadline, VoiceEvent
from danvan.voices.selectors import due_soon_until
from danvan.voices.services import case_link

logger = logging.getLogger(__name__)

#: Law on Denunciations Art. 38: the superior requires a report within 5 working days.
SUPERIOR_REPORT_WORKING_DAYS = 5

SUPERIOR_REPORT_REQUESTED = "superior_report_requested"

ACTOR_LABEL = "urging"


@dataclasses.dataclass
class UrgingReport:
    today: datetime.date
    voices_checked: int = 0
    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0
    reports_requested: int = 0
    notifications: int = 0
    without_recipients: int = 0
    coordination_overdue: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["today"] = self.today.isoformat()
        return data


class _Recipients:
    """Who is told about a case, with the memberships and bodies read once per run."""

    def __init__(self) -> None:
        self._members: dict[int, list[Membership]] = {}
        self._unit_bodies: dict[int, list[Body]] = {}

    def _memberships(self, body: Body) -> list[Membership]:
        if body.pk not in self._members:
            self._members[body.pk] = list(
                Membership.objects.active()
                .holding(Capability.ACT)
                .filter(body=body)
                .select_related("user")
                .order_by("user_id")
            )
        return self._members[body.pk]

    def members(self, bodies: list[Body]) -> list[User]:
        return _unique(m.user for body in bodies for m in self._memberships(body))

    def leaders_first(self, bodies: list[Body]) -> list[User]:
        """The leaders of each body, or all who may act there when it has no leader."""
        users: list[User] = []
        for body in bodies:
            memberships = self._memberships(body)
            leaders = [m for m in memberships if m.role == Role.LEADER]
            users.extend(m.user for m in (leaders or memberships))
        return _unique(users)

    def responsible_bodies(self, voice: Voice) -> list[Body]:
        """The assignee; else the receiving body; else the bodies of the case's unit (or, for a
        village without any, of its commune)."""
        for body in (voice.assignee, voice.receiving_body):
            if body is not None and body.is_active:
                return [body]
        unit = voice.unit
        for candidate in (unit, unit.parent):
            if candidate is None:
                continue
            if candidate.pk not in self._unit_bodies:
                self._unit_bodies[candidate.pk] = list(
                    Body.objects.active().filter(unit=candidate).select_related("parent")
                )
            if self._unit_bodies[candidate.pk]:
                return self._unit_bodies[candidate.pk]
        return []


def _unique(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def superior_bodies(bodies: list[Body]) -> list[Body]:
    """The active bodies directly above ``bodies`` (``Body.parent``)."""
    seen: dict[int, Body] = {}
    for body in bodies:
        parent = body.parent
        if parent is not None and parent.is_active:
            seen.setdefault(parent.pk, parent)
    return list(seen.values())


def request_superior_report(
    *,
    actor: Actor,
    voice: Voice,
    superiors: list[Body],
    recipients: list[User],
    today: datetime.date,
    calendar: WorkingCalendar,
) -> bool:
    """Ask the superior body for a report on an overdue denunciation, once per case (Law on
    Denunciations Art. 38). Returns whether it was asked now."""
    if not superiors or not recipients:
        return False
    if VoiceEvent.objects.filter(voice=voice, action=SUPERIOR_REPORT_REQUESTED).exists():
        return False
    due = calendar.add_working_days(today, SUPERIOR_REPORT_WORKING_DAYS)
    names = ", ".join(body.name for body in superiors)
    notify(
        actor=actor,
        recipients=recipients,
        kind=NotificationKind.REPORT_REQUIRED,
        title=_("Report required on overdue denunciation %(code)s") % {"code": voice.tracking_code},
        body=_(
            "The denunciation %(code)s was not resolved in time. As the superior body, require "
            "a report on it by %(due)s (Law on Denunciations, Art. 38)."
        )
        % {"code": voice.tracking_code, "due": due.strftime("%d/%m/%Y")},
        link=case_link(voice),
        dedup_key=f"voice:{voice.pk}:{SUPERIOR_REPORT_REQUESTED}",
        due_on=due,
        obj=voice,
        unit=voice.unit,
    )
    VoiceEvent.objects.create(
        voice=voice,
        actor=None,
        action=SUPERIOR_REPORT_REQUESTED,
        body=superiors[0],
        note=_("Report required from %(bodies)s by %(due)s.")
        % {"bodies": names, "due": due.strftime("%d/%m/%Y")},
    )
    audit_record(
        actor=actor,
        action=f"voice.{SUPERIOR_REPORT_REQUESTED}",
        obj=voice,
        unit=voice.unit,
        changes={"due_on": due.isoformat(), "bodies": [body.pk for body in superiors]},
    )
    return True


def _step_due(voice: Voice) -> tuple[str, datetime.date]:
    """The step whose due date is the case's ``due_on`` (the earliest one still to do)."""
    assert voice.due_on is not None
    for deadline in voice.pending_deadlines:  # type: ignore[attr-defined]
        if deadline.due_on == voice.due_on:
            return deadline.step, deadline.due_on
    return "due", voice.due_on


def _step_label(step: str) -> str:
    return str(Step(step).label) if step in Step.values else step


@dataclasses.dataclass(frozen=True)
class _Reminder:
    """The reminders about one case's earliest open step: what they name, where they point, and
    the dedup key that keeps each level from being sent twice for the same due date."""

    voice: Voice
    actor: Actor
    step: str
    due: datetime.date

    @classmethod
    def of(cls, voice: Voice, actor: Actor) -> _Reminder:
        step, due = _step_due(voice)
        return cls(voice=voice, actor=actor, step=step, due=due)

    def send(
        self,
        recipients: list[User],
        kind: str,
        title: str,
        body: str,
        *,
        level: str,
        bodies: str = "",
    ) -> list[Notification]:
        """Notify ``recipients``; ``title`` and ``body`` name the case with ``%(code)s``,
        ``%(kind)s``, ``%(step)s``, ``%(due)s`` and ``%(bodies)s``."""
        voice = self.voice
        details = {
            "code": voice.tracking_code,
            "kind": voice.get_kind_display(),
            "step": _step_label(self.step),
            "due": self.due.strftime("%d/%m/%Y"),
            "bodies": bodies,
        }
        return notify(
            actor=self.actor,
            recipients=recipients,
            kind=kind,
            title=title % details,
            body=body % details,
            link=case_link(voice),
            dedup_key=f"voice:{voice.pk}:{self.step}:{self.due.isoformat()}:{level}",
            obj=voice,
            unit=voice.unit,
        )


@transaction.atomic
def _urge_one(
    *,
    voice: Voice,
    today: datetime.date,
    calendar: WorkingCalendar,
    recipients: _Recipients,
    report: UrgingReport,
    actor: Actor,
) -> None:
    reminder = _Reminder.of(voice, actor)
    responsible = recipients.responsible_bodies(voice)
    officers = recipients.members(responsible)
    if not officers:
        report.without_recipients += 1

    if reminder.due >= today:
        report.due_soon += 1
        report.notifications += len(
            reminder.send(
                officers,
                NotificationKind.DUE_SOON,
                _("%(code)s is due on %(due)s"),
                _("%(kind)s %(code)s: “%(step)s” is due on %(due)s."),
                level="due_soon",
            )
        )
        return

    report.overdue += 1
    report.notifications += len(
        reminder.send(
            officers,
            NotificationKind.OVERDUE,
            _("%(code)s is overdue"),
            _("%(kind)s %(code)s: “%(step)s” was due on %(due)s and is not done."),
            level="overdue",
        )
    )
    _escalate(
        reminder,
        responsible=responsible,
        officers=officers,
        recipients=recipients,
        today=today,
        calendar=calendar,
        report=report,
    )


def _escalate(
    reminder: _Reminder,
    *,
    responsible: list[Body],
    officers: list[User],
    recipients: _Recipients,
    today: datetime.date,
    calendar: WorkingCalendar,
    report: UrgingReport,
) -> None:
    """Tell the leaders of the bodies above that an overdue case is not done; for a
    denunciation, ask the superior body for a report once (Art. 38)."""
    superiors = superior_bodies(responsible)
    chiefs = [user for user in recipients.leaders_first(superiors) if user not in officers]
    escalated = reminder.send(
        chiefs,
        NotificationKind.ESCALATION,
        _("%(code)s is overdue at %(bodies)s"),
        _(
            "%(kind)s %(code)s: “%(step)s” was due on %(due)s and is not done by %(bodies)s, "
            "a body under yours."
        ),
        level="escalation",
        bodies=", ".join(b.name for b in responsible),
    )
    report.notifications += len(escalated)
    if escalated:
        report.escalated += 1
    if reminder.voice.kind == VoiceKind.DENUNCIATION and request_superior_report(
        actor=reminder.actor,
        voice=reminder.voice,
        superiors=superiors,
        recipients=recipients.leaders_first(superiors),
        today=today,
        calendar=calendar,
    ):
        report.reports_requested += 1
        report.notifications += 1


def run_urging(*, today: datetime.date | None = None) -> UrgingReport:
    """Remind and escalate every open case that is due soon or overdue on ``today``."""
    today = today or timezone.localdate()
    calendar = working_calendar()
    horizon = due_soon_until(today, calendar=calendar)
    report = UrgingReport(today=today)
    actor = Actor.system(ACTOR_LABEL)
    recipients = _Recipients()
    voices = (
        Voice.objects.filter(status__in=OPEN_STATUSES, due_on__isnull=False, due_on__lte=horizon)
        .select_related("unit__parent", "assignee__parent", "receiving_body__parent")
        .prefetch_related(
            Prefetch(
                "deadlines",
                queryset=VoiceDeadline.objects.filter(done_on__isnull=True, due_on__isnull=False),
                to_attr="pending_deadlines",
            )
        )
        .order_by("due_on", "pk")
    )
    _urge_coordination(today=today, recipients=recipients, report=report, actor=actor)
    for voice in voices.iterator(chunk_size=500):
        report.voices_checked += 1
        # Counted apart and added on success: a case whose transaction is rolled back sent nothing.
        part = UrgingReport(today=today)
        try:
            _urge_one(
                voice=voice,
                today=today,
                calendar=calendar,
                recipients=recipients,
                report=part,
                actor=actor,
            )
        except Exception:
            # One broken case must not stop the reminders of all the others.
            logger.exception("Urging failed for voice %s", voice.pk)
            report.errors += 1
            continue
        for field in _COUNTS:
            setattr(report, field, getattr(report, field) + getattr(part, field))
    return report


def _urge_coordination(
    *, today: datetime.date, recipients: _Recipients, report: UrgingReport, actor: Actor
) -> None:
    """Remind a coordinating body whose reply is overdue (Decision 33/2017/QĐ-TTg Art. 12: 15
    days), once per request, and tell the responsible body that it is waiting."""
    late = (
        Coordination.objects.filter(
            replied_at__isnull=True,
            due_on__lt=today,
            voice__status__in=OPEN_STATUSES,
        )
        .select_related("body", "voice__assignee")
        .order_by("due_on", "pk")
    )
    for coordination in late.iterator(chunk_size=500):
        voice = coordination.voice
        try:
            with transaction.atomic():
                people = recipients.members([coordination.body])
                if voice.assignee is not None:
                    people = _unique([*people, *recipients.members([voice.assignee])])
                created = notify(
                    actor=actor,
                    recipients=people,
                    kind=NotificationKind.OVERDUE,
                    title=_("Coordination reply overdue on case %(code)s")
                    % {"code": voice.tracking_code},
                    body=_("%(body)s was asked to reply by %(due)s.")
                    % {
                        "body": coordination.body.name,
                        "due": coordination.due_on.strftime("%d/%m/%Y")
                        if coordination.due_on
                        else "",
                    },
                    link=case_link(voice),
                    dedup_key=f"coordination:{coordination.pk}:overdue",
                    due_on=coordination.due_on,
                    obj=voice,
                    unit=voice.unit,
                )
        except Exception:
            logger.exception("Urging failed for coordination %s", coordination.pk)
            report.errors += 1
            continue
        report.coordination_overdue += 1
        report.notifications += len(created)


_COUNTS = (
    "due_soon",
    "overdue",
    "escalated",
    "reports_requested",
    "notifications",
    "without_recipients",
)


@task()
def urge_cases(day: str | None = None) -> dict[str, Any]:
    """The daily urging as a django-tasks task; ``day`` is an ISO date (default: today)."""
    return run_urging(today=datetime.date.fromisoformat(day) if day else None).as_dict()
