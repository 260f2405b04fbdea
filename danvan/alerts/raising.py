"""Writing what the scan found: raising an alert, raising its level, or refreshing its numbers.

``alert_write`` takes one ``Candidate`` (what a rule found for one commune × topic × issue) in its
own transaction: a new alert, or a higher level for the active alert of the same key (back to
open, with an event, an audit row and a new notification), never a lower one; a candidate no
higher than an alert closed within the cool-down is suppressed.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction

from danvan.alerts import rules
from danvan.alerts.models import ACTIVE_STATUSES, Alert, AlertStatus, EventAction
from danvan.alerts.notifying import alert_tell, responsible_bodies
from danvan.alerts.services import alert_event_record
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.units.models import AdministrativeUnit

__all__ = ["Candidate", "alert_write"]


@dataclasses.dataclass(frozen=True)
class Candidate:
    """What a rule found for one commune × topic (× issue), before it is written."""

    rule: str
    unit_id: int
    topic_id: int
    issue_id: int | None
    window_start: datetime.date
    window_end: datetime.date
    finding: rules.Finding
    #: Bodies to tell besides the commune's (the province bodies a voice was taken to).
    extra_body_ids: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.unit_id}:{self.topic_id}:{self.issue_id or '-'}"


@transaction.atomic
def alert_write(
    *, actor: Actor, candidate: Candidate, today: datetime.date, cooldown: int
) -> tuple[str, int]:
    """Raise, raise the level of, or refresh the alert for ``candidate``; returns what it did and
    how many officers were notified."""
    finding = candidate.finding
    active = (
        Alert.objects.select_for_update()
        .select_related("unit")
        .filter(key=candidate.key, status__in=ACTIVE_STATUSES)
        .first()
    )
    if active is not None:
        return _active_update(actor=actor, active=active, candidate=candidate, today=today)
    recently_closed = Alert.objects.filter(
        key=candidate.key,
        status=AlertStatus.CLOSED,
        level__gte=finding.level,
        closed_at__date__gt=today - datetime.timedelta(days=cooldown),
    )
    if recently_closed.exists():
        return "suppressed", 0
    return _alert_raise(actor=actor, candidate=candidate, today=today)


def _active_update(
    *, actor: Actor, active: Alert, candidate: Candidate, today: datetime.date
) -> tuple[str, int]:
    """Refresh the numbers of the active alert of ``candidate``'s key at the same level, or raise
    its level; never lower it."""
    finding = candidate.finding
    if finding.level <= active.level:
        changed = ["last_seen_on", "updated_at"]
        active.last_seen_on = today
        if finding.level == active.level:
            # The numbers of today's count, and the days they were counted over.
            active.reason = finding.reason
            active.window_start = candidate.window_start
            active.window_end = candidate.window_end
            changed += ["reason", "window_start", "window_end"]
        active.save(update_fields=changed)
        return "unchanged", 0
    from_status = active.status
    old_level = active.level
    active.level = finding.level
    active.reason = finding.reason
    active.window_start, active.window_end = candidate.window_start, candidate.window_end
    active.last_seen_on = today
    # A higher level is news: it waits to be acknowledged again.
    active.status = AlertStatus.OPEN
    active.version += 1
    active.save()
    alert_event_record(
        actor=actor, alert=active, action=EventAction.LEVEL_RAISED, from_status=from_status
    )
    audit_record(
        actor=actor,
        action="alert.level_raise",
        obj=active,
        unit=active.unit,
        changes={"level": [old_level, active.level], "status": [from_status, active.status]},
    )
    bodies = responsible_bodies(active, candidate.extra_body_ids)
    active.bodies.add(*bodies)
    return "level_raised", alert_tell(actor=actor, alert=active, bodies=bodies)


def _alert_raise(*, actor: Actor, candidate: Candidate, today: datetime.date) -> tuple[str, int]:
    """A new alert for ``candidate``, told to the responsible bodies."""
    finding = candidate.finding
    alert = Alert.objects.create(
        rule=candidate.rule,
        level=finding.level,
        unit=AdministrativeUnit.objects.get(pk=candidate.unit_id),
        topic_id=candidate.topic_id,
        issue_id=candidate.issue_id,
        window_start=candidate.window_start,
        window_end=candidate.window_end,
        reason=finding.reason,
        key=candidate.key,
        raised_on=today,
        last_seen_on=today,
    )
    alert_event_record(actor=actor, alert=alert, action=EventAction.RAISED)
    audit_record(
        actor=actor,
        action="alert.raise",
        obj=alert,
        unit=alert.unit,
        changes={"rule": alert.rule, "level": alert.level, "reason": alert.reason},
    )
    bodies = responsible_bodies(alert, candidate.extra_body_ids)
    alert.bodies.add(*bodies)
    return "raised", alert_tell(actor=actor, alert=alert, bodies=bodies)
