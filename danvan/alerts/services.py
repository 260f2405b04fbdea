"""Writes of the alerts: the daily scan that raises them, acknowledging and closing.

``alerts_scan`` counts the voices with a few GROUP BY queries (one per rule, never one per
commune), runs the pure rules of ``rules.py`` over the counts, and writes what they find: a new
alert, or a higher level for the active alert of the same rule × commune × topic × issue. Each
write is its own transaction with its event and audit row; the responsible bodies' officers are
notified in the app (and by email after the commit).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Value, When
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from danvan.alerts import rules
from danvan.alerts.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertEvent,
    AlertLevel,
    AlertRule,
    AlertStatus,
    EventAction,
)
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.insight.models import Issue, IssueStatus
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.notifications.models import NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body, BodyKind, Membership
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import OPEN_STATUSES, Topic, Voice

logger = logging.getLogger(__name__)

ACTOR_LABEL = "alerts"

#: The bodies of the province told of an alert from the caution level up, besides the commune's.
PROVINCE_BODY_KINDS = (
    BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
    BodyKind.FRONT_COMMITTEE,
)


class StaleAlertError(ValidationError):
    """The alert changed since the officer loaded it."""


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


@dataclasses.dataclass
class ScanReport:
    today: datetime.date
    found: int = 0
    raised: int = 0
    levels_raised: int = 0
    unchanged: int = 0
    suppressed: int = 0
    notifications: int = 0
    errors: int = 0
    by_rule: dict[str, int] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["today"] = self.today.isoformat()
        return data


def _commune_of_voice() -> Case:
    """The commune of a voice's unit: the unit itself, or a village's parent."""
    return Case(
        When(unit__tier=UnitTier.VILLAGE, then=F("unit__parent_id")),
        default=F("unit_id"),
        output_field=IntegerField(),
    )


# --- The counts ---------------------------------------------------------------------------------


def _surge_candidates(today: datetime.date, t: rules.Thresholds) -> list[Candidate]:
    days, windows = t.surge_days, t.surge_history
    start = today - datetime.timedelta(days=(windows + 1) * days - 1)
    # Window 0 is the recent one, 1 the one before, ...; one GROUP BY for every commune × topic.
    bucket = Case(
        *[
            When(
                received_on__gte=today - datetime.timedelta(days=(k + 1) * days - 1),
                then=Value(k),
            )
            for k in range(windows + 1)
        ],
        output_field=IntegerField(),
    )
    rows = (
        Voice.objects.filter(received_on__gte=start, received_on__lte=today)
        .annotate(commune=_commune_of_voice(), bucket=bucket)
        .values("commune", "topic_id", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * (windows + 1))
    for row in rows:
        if row["bucket"] is not None:
            counts[(row["commune"], row["topic_id"])][row["bucket"]] += row["n"]
    window_start = today - datetime.timedelta(days=days - 1)
    found = []
    for (commune_id, topic_id), series in counts.items():
        finding = rules.surge(
            recent=series[0],
            history=series[1:],
            min_count=t.surge_min,
            levels=t.surge_levels,
            days=days,
        )
        if finding:
            found.append(
                Candidate(AlertRule.SURGE, commune_id, topic_id, None, window_start, today, finding)
            )
    return found


def _person(voice: dict[str, Any]) -> tuple[str, ...]:
    name = " ".join(str(voice["submitter_name"] or "").split()).casefold()
    if voice["is_anonymous"] or not name:
        # Nothing tells two anonymous voices (or two denunciations) apart: each is one person.
        return ("voice", str(voice["id"]))
    contact = "".join(ch for ch in str(voice["submitter_contact"] or "") if ch.isalnum()).lower()
    return ("person", name, contact)


def _issues(ids: set[int]) -> dict[int, Issue]:
    return {
        issue.pk: issue
        for issue in Issue.objects.filter(pk__in=ids, merged_into__isnull=True).only(
            "id", "unit_id", "topic_id", "status", "answered_at"
        )
    }


def _mass_candidates(today: datetime.date, t: rules.Thresholds) -> list[Candidate]:
    start = today - datetime.timedelta(days=t.mass_days - 1)
    in_window = Voice.objects.filter(
        issue__isnull=False, received_on__gte=start, received_on__lte=today
    )
    # A person is at most one voice, so issues with fewer voices than the first threshold
    # cannot reach it: only the others' submitters are read (and decrypted).
    busy = {
        row["issue_id"]: row["n"]
        for row in in_window.values("issue_id")
        .annotate(n=Count("id"))
        .filter(n__gte=t.mass_levels[0])
        .order_by()
    }
    if not busy:
        return []
    people: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for voice in in_window.filter(issue_id__in=busy).values(
        "id", "issue_id", "is_anonymous", "submitter_name", "submitter_contact"
    ):
        people[voice["issue_id"]].add(_person(voice))
    issues = _issues(set(busy))
    found = []
    for issue_id, voices in busy.items():
        issue = issues.get(issue_id)
        if issue is None:
            continue
        finding = rules.mass_complaint(
            people=len(people[issue_id]), voices=voices, levels=t.mass_levels, days=t.mass_days
        )
        if finding:
            found.append(
                Candidate(
                    AlertRule.MASS_COMPLAINT,
                    issue.unit_id,
                    issue.topic_id,
                    issue_id,
                    start,
                    today,
                    finding,
                )
            )
    return found


def _skipping_candidates(today: datetime.date, t: rules.Thresholds) -> list[Candidate]:
    start = today - datetime.timedelta(days=t.skip_days - 1)
    above_rows = (
        Voice.objects.filter(
            issue__isnull=False,
            received_on__gte=start,
            received_on__lte=today,
            receiving_body__unit__tier=UnitTier.PROVINCE,
        )
        .values("issue_id", "receiving_body_id")
        .annotate(n=Count("id"), last=Max("received_on"))
        .order_by()
    )
    above: dict[int, int] = defaultdict(int)
    last_above: dict[int, datetime.date] = {}
    bodies: dict[int, set[int]] = defaultdict(set)
    for row in above_rows:
        above[row["issue_id"]] += row["n"]
        bodies[row["issue_id"]].add(row["receiving_body_id"])
        last_above[row["issue_id"]] = max(row["last"], last_above.get(row["issue_id"], row["last"]))
    if not above:
        return []
    below = {
        row["issue_id"]: (row["n"], row["first"])
        for row in Voice.objects.filter(issue_id__in=above, status__in=OPEN_STATUSES)
        .exclude(receiving_body__unit__tier=UnitTier.PROVINCE)
        .values("issue_id")
        .annotate(n=Count("id"), first=Min("received_on"))
        .order_by()
    }
    issues = _issues(set(above))
    found = []
    for issue_id, count in above.items():
        issue = issues.get(issue_id)
        open_below, first_below = below.get(issue_id, (0, None))
        # Skipping a level: the commune had the matter first and has not resolved it.
        if issue is None or first_below is None or first_below > last_above[issue_id]:
            continue
        finding = rules.skipping_levels(
            above=count, open_below=open_below, levels=t.skip_levels, days=t.skip_days
        )
        if finding:
            found.append(
                Candidate(
                    AlertRule.SKIPPING_LEVELS,
                    issue.unit_id,
                    issue.topic_id,
                    issue_id,
                    start,
                    today,
                    finding,
                    tuple(sorted(bodies[issue_id])),
                )
            )
    return found


def _land_candidates(today: datetime.date, t: rules.Thresholds) -> list[Candidate]:
    start = today - datetime.timedelta(days=t.reopen_days - 1)
    land = list(Topic.objects.filter(code="land").values_list("id", flat=True))
    if not land:
        return []
    # Received on or after the day of the answer, and entered after it (a voice typed in late
    # about an earlier day is not a new one).
    after_answer = Q(
        issue__status__in=[IssueStatus.ANSWERED, IssueStatus.CLOSED],
        issue__answered_at__isnull=False,
        received_at__gt=F("issue__answered_at"),
        received_on__gte=TruncDate("issue__answered_at"),
    )
    second = Q(previous__isnull=False)
    rows = (
        Voice.objects.filter(topic_id__in=land, received_on__gte=start, received_on__lte=today)
        .filter(after_answer | second)
        .annotate(commune=_commune_of_voice())
        .values("commune", "topic_id", "issue_id")
        .annotate(
            new=Count("id", filter=after_answer),
            seconds=Count("id", filter=second & ~after_answer),
        )
        .order_by()
    )
    rows = list(rows)
    issues = _issues({row["issue_id"] for row in rows if row["issue_id"]})
    merged: dict[tuple[int, int, int | None], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        issue = issues.get(row["issue_id"]) if row["issue_id"] else None
        target: tuple[int, int, int | None]
        if issue is not None:
            target = (issue.unit_id, issue.topic_id, issue.pk)
        else:
            target = (row["commune"], row["topic_id"], None)
        merged[target][0] += row["new"]
        merged[target][1] += row["seconds"]
    found = []
    for (unit_id, topic_id, issue_id), (new, seconds) in merged.items():
        finding = rules.land_reopened(
            new_voices=new, second_complaints=seconds, levels=t.reopen_levels, days=t.reopen_days
        )
        if finding:
            found.append(
                Candidate(
                    AlertRule.LAND_REOPENED, unit_id, topic_id, issue_id, start, today, finding
                )
            )
    return found


# --- Writing ------------------------------------------------------------------------------------


def alert_link(alert: Alert) -> str:
    return reverse("alerts:detail", args=[alert.pk])


def responsible_bodies(alert: Alert, extra_body_ids: tuple[int, ...] = ()) -> list[Body]:
    """The commune's active bodies; from the caution level up also the province's mass
    mobilization commission and Front committee; and any body the voices were taken to."""
    unit = alert.unit
    query = Q(unit_id=unit.pk)
    if alert.level >= AlertLevel.CAUTION and unit.parent_id is not None:
        query |= Q(unit_id=unit.parent_id, kind__in=PROVINCE_BODY_KINDS)
    if extra_body_ids:
        query |= Q(pk__in=extra_body_ids)
    return list(Body.objects.active().filter(query).order_by("pk"))


def _tell(*, actor: Actor, alert: Alert, bodies: list[Body]) -> int:
    recipients = [
        m.user
        for m in Membership.objects.active()
        .holding(Capability.ACT)
        .filter(body__in=bodies)
        .select_related("user")
        .order_by("user_id")
    ]
    # Stored notifications are written once, in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(level)s alert: %(rule)s in %(unit)s") % {
            "level": alert.level_text(),
            "rule": alert.get_rule_display(),
            "unit": alert.unit.name,
        }
        text = alert.reason_text()
    created = notify(
        actor=actor,
        recipients=recipients,
        kind=NotificationKind.ALERT,
        title=title,
        body=text,
        link=alert_link(alert),
        dedup_key=f"alert:{alert.pk}:{alert.level}",
        obj=alert,
        unit=alert.unit,
    )
    return len(created)


def _event(
    *, actor: Actor, alert: Alert, action: str, from_status: str = "", note: str = ""
) -> None:
    AlertEvent.objects.create(
        alert=alert,
        actor=actor.user,
        action=action,
        level=alert.level,
        from_status=from_status,
        to_status=alert.status,
        note=note,
        reason=alert.reason if action in (EventAction.RAISED, EventAction.LEVEL_RAISED) else {},
    )


@transaction.atomic
def _write(
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
        _event(actor=actor, alert=active, action=EventAction.LEVEL_RAISED, from_status=from_status)
        audit_record(
            actor=actor,
            action="alert.level_raise",
            obj=active,
            unit=active.unit,
            changes={"level": [old_level, active.level], "status": [from_status, active.status]},
        )
        bodies = responsible_bodies(active, candidate.extra_body_ids)
        active.bodies.add(*bodies)
        return "level_raised", _tell(actor=actor, alert=active, bodies=bodies)
    recently_closed = Alert.objects.filter(
        key=candidate.key,
        status=AlertStatus.CLOSED,
        level__gte=finding.level,
        closed_at__date__gt=today - datetime.timedelta(days=cooldown),
    )
    if recently_closed.exists():
        return "suppressed", 0
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
    _event(actor=actor, alert=alert, action=EventAction.RAISED)
    audit_record(
        actor=actor,
        action="alert.raise",
        obj=alert,
        unit=alert.unit,
        changes={"rule": alert.rule, "level": alert.level, "reason": alert.reason},
    )
    bodies = responsible_bodies(alert, candidate.extra_body_ids)
    alert.bodies.add(*bodies)
    return "raised", _tell(actor=actor, alert=alert, bodies=bodies)


def alerts_scan(*, today: datetime.date | None = None, actor: Actor | None = None) -> ScanReport:
    """Run the four rules over the voices up to ``today`` and write the alerts they find.

    Safe to run more than once a day, and on two servers at once: one alert per rule × commune ×
    topic × issue stays active; a second run only raises its level or refreshes its numbers. An
    alert closed less than ``DANVAN_ALERTS_COOLDOWN_DAYS`` ago is not raised again at the same
    level or below.
    """
    today = today or timezone.localdate()
    actor = actor or Actor.system(ACTOR_LABEL)
    t = rules.thresholds()
    report = ScanReport(today=today)
    candidates = [
        *_surge_candidates(today, t),
        *_mass_candidates(today, t),
        *_skipping_candidates(today, t),
        *_land_candidates(today, t),
    ]
    report.found = len(candidates)
    for candidate in candidates:
        rule = str(candidate.rule)
        report.by_rule[rule] = report.by_rule.get(rule, 0) + 1
        try:
            try:
                outcome, notified = _write(
                    actor=actor, candidate=candidate, today=today, cooldown=t.cooldown_days
                )
            except IntegrityError:
                # Another scan raised the same alert first: this one now finds it active.
                outcome, notified = _write(
                    actor=actor, candidate=candidate, today=today, cooldown=t.cooldown_days
                )
        except Exception:
            logger.exception("Writing the alert %s failed", candidate.key)
            report.errors += 1
            continue
        report.notifications += notified
        if outcome == "raised":
            report.raised += 1
        elif outcome == "level_raised":
            report.levels_raised += 1
        elif outcome == "suppressed":
            report.suppressed += 1
        else:
            report.unchanged += 1
    logger.info("Alert scan: %s", report.as_dict())
    return report


@task()
def scan_alerts(day: str | None = None) -> dict[str, Any]:
    """The daily scan as a django-tasks task; ``day`` is an ISO date (default: today)."""
    return alerts_scan(today=datetime.date.fromisoformat(day) if day else None).as_dict()


# --- Officers acting on an alert -----------------------------------------------------------------


def _locked(alert: Alert, expected_version: int) -> Alert:
    fresh = Alert.objects.select_for_update().select_related("unit").get(pk=alert.pk)
    if fresh.version != expected_version:
        raise StaleAlertError(
            _(
                "Someone changed this alert after you opened it (it is now %(status)s, "
                "%(level)s). Read it again and try again."
            )
            % {"status": fresh.get_status_display(), "level": fresh.level_text()}
        )
    return fresh


def _may_act(actor: Actor, alert: Alert) -> None:
    if actor.user is not None and not can(actor.user, Capability.ACT, alert.unit):
        raise PermissionDenied(_("You may not act on this alert."))


@transaction.atomic
def alert_acknowledge(
    *, actor: Actor, alert: Alert, expected_version: int, note: str = ""
) -> Alert:
    """An officer of the unit says the alert has been seen and is being looked into."""
    _may_act(actor, alert)
    alert = _locked(alert, expected_version)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("Only an open alert can be acknowledged."))
    note = note.strip()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor.user
    alert.acknowledge_note = note
    alert.version += 1
    alert.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledge_note",
            "version",
            "updated_at",
        ]
    )
    _event(
        actor=actor,
        alert=alert,
        action=EventAction.ACKNOWLEDGED,
        from_status=AlertStatus.OPEN,
        note=note,
    )
    audit_record(
        actor=actor,
        action="alert.acknowledge",
        obj=alert,
        unit=alert.unit,
        changes={"status": [AlertStatus.OPEN, alert.status], "note": note},
    )
    return alert


@transaction.atomic
def alert_close(*, actor: Actor, alert: Alert, expected_version: int, note: str) -> Alert:
    """An officer closes the alert, saying what was done (the note is required)."""
    _may_act(actor, alert)
    note = note.strip()
    if not note:
        raise ValidationError(_("Say what was done before closing the alert."))
    alert = _locked(alert, expected_version)
    if alert.status not in ACTIVE_STATUSES:
        raise ValidationError(_("This alert is already closed."))
    from_status = alert.status
    alert.status = AlertStatus.CLOSED
    alert.closed_at = timezone.now()
    alert.closed_by = actor.user
    alert.close_note = note
    alert.version += 1
    alert.save(
        update_fields=["status", "closed_at", "closed_by", "close_note", "version", "updated_at"]
    )
    _event(actor=actor, alert=alert, action=EventAction.CLOSED, from_status=from_status, note=note)
    audit_record(
        actor=actor,
        action="alert.close",
        obj=alert,
        unit=alert.unit,
        changes={"status": [from_status, alert.status], "note": note},
    )
    return alert
