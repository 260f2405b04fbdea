"""The daily scan of the alerts: the counts, the rules run over them, and writing what they find.

``alerts_scan`` counts the voices with a few GROUP BY queries (one per rule, never one per
commune), runs the pure rules of ``rules.py`` over the counts, and hands each ``Candidate`` to
``raising.alert_write``: a new alert, or a higher level for the active alert of the same rule ×
commune × topic × issue. Each write is its own transaction with its event and audit row; the
responsible bodies' officers are notified (``notifying.py``).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict
from typing import Any

from django.db import IntegrityError
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_tasks import task

from danvan.alerts import rules
from danvan.alerts.models import AlertRule
from danvan.alerts.raising import Candidate, alert_write
from danvan.audit.context import Actor
from danvan.insight.models import Issue, IssueStatus
from danvan.units.models import UnitTier
from danvan.voices.models import OPEN_STATUSES, Topic, Voice

__all__ = ["ACTOR_LABEL", "ScanReport", "alerts_scan", "scan_alerts"]

logger = logging.getLogger(__name__)

ACTOR_LABEL = "alerts"


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


# --- The scan ---------------------------------------------------------------------------------


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
                outcome, notified = alert_write(
                    actor=actor, candidate=candidate, today=today, cooldown=t.cooldown_days
                )
            except IntegrityError:
                # Another scan raised the same alert first: this one now finds it active.
                outcome, notified = alert_write(
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
