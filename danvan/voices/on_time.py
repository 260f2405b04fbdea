"""Answered on time (trả lời đúng hạn): the one definition of the rule.

A voice is **answered on time** when it has an answer (``answered_at``) whose day, in the local
time zone (``settings.TIME_ZONE``), is on or before its **due date in force**; a voice with no
due date at all (an opinion) is on time once answered. Not answered is not on time.

The due date in force is the earliest due date of its answer steps (``ANSWER_STEPS``: the answer
of a reflection or a recommendation, the resolution of a complaint or a denunciation), as
extended, done or not; a voice with none is measured against its own ``due_on``.

The same rule in three forms, kept equal by ``dashboards/tests/test_on_time_rule.py`` on SQLite
and PostgreSQL:

- ``answered_on_time(voice)``: one voice, in Python (prefetch ``deadlines`` for many);
- ``answered_on_time_q()``: a ``Q`` over ``Voice`` querysets;
- the dashboards' triggers (``danvan.dashboards.sql``), which build their SQL from
  ``ANSWER_STEPS`` and ``on_time_sql`` and record the verdict on the voice's fact when the answer
  is given. A case reopened keeps that verdict until it is answered again; the one known
  difference (a strict xfail there): answered late, reopened and extended before a new answer,
  the fact still says late, while this rule on the stored voice (and ``sql.rebuild``) measures
  the old answer against the extended due date.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.conf import settings
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import IsNull, LessThanOrEqual
from django.utils import timezone

from danvan.deadlines.models import Step
from danvan.voices.models import VoiceDeadline

__all__ = [
    "ANSWER_STEPS",
    "answered_in_time",
    "answered_on_time",
    "answered_on_time_q",
    "due_in_force",
    "due_in_force_expression",
    "on_time_sql",
]

#: The steps whose due date an answer is measured against.
ANSWER_STEPS: tuple[str, ...] = (Step.ANSWER.value, Step.RESOLVE.value)


def answered_in_time(answered_on: datetime.date | None, due: datetime.date | None) -> bool:
    """The rule itself, on the answer's local day and the due date in force."""
    return answered_on is not None and (due is None or answered_on <= due)


def due_in_force(voice: Any) -> datetime.date | None:
    """The earliest due date of the voice's answer steps, else its own ``due_on``."""
    dues = [d.due_on for d in voice.deadlines.all() if d.step in ANSWER_STEPS and d.due_on]
    return min(dues) if dues else voice.due_on


def answered_on_time(voice: Any) -> bool:
    """Whether ``voice`` was answered on or before its due date in force."""
    if voice.answered_at is None:
        return False
    return answered_in_time(timezone.localdate(voice.answered_at), due_in_force(voice))


def due_in_force_expression() -> Coalesce:
    """``due_in_force`` as an expression over ``Voice`` rows."""
    steps = (
        VoiceDeadline.objects.filter(voice=OuterRef("pk"), step__in=ANSWER_STEPS)
        .order_by()
        .values("voice")
        .annotate(due=Min("due_on"))
        .values("due")
    )
    return Coalesce(Subquery(steps), F("due_on"))


def answered_on_time_q() -> Q:
    """``answered_on_time`` as a filter over ``Voice`` querysets."""
    due = due_in_force_expression()
    answered_on = TruncDate("answered_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return Q(answered_at__isnull=False) & (
        Q(IsNull(due, True)) | Q(LessThanOrEqual(answered_on, due))
    )


def on_time_sql(*, answered_at: str, answered_on: str, due: str) -> str:
    """The rule as a SQL expression worth 1 or 0, for the triggers: ``answered_at`` the answer's
    column, ``answered_on`` its local day and ``due`` the due date in force, in the dialect at
    hand (both databases read the same CASE)."""
    return (
        f"CASE WHEN {answered_at} IS NOT NULL AND ({due} IS NULL OR {answered_on} <= {due}) "
        "THEN 1 ELSE 0 END"
    )
