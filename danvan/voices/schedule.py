"""A case's due dates (thời hạn): every step's date computed with the rule set in force on the day
of receipt, which steps make the case due, and how a step may get more time.

The case services (``services_*.py``) store the schedule through these; the case page reads
``extension_ways_of`` to offer only the extensions the law allows.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from danvan.deadlines.engine import add_limit, compute_schedule, extension_ways
from danvan.deadlines.models import Complexity, TimeLimitRule
from danvan.deadlines.selectors import working_calendar
from danvan.voices.intake import NOT_DRIVING_DUE
from danvan.voices.models import Voice, VoiceDeadline

#: Steps that acceptance (thụ lý) completes.
DONE_BY_ACCEPTANCE = ("accept", "classify")

#: Steps that the answer completes, and that reopening the case opens again.
DONE_BY_ANSWER = ("resolve", "answer")


def refresh_due_on(voice: Voice) -> None:
    """The earliest due date among the steps the body still has to do."""
    pending = [
        d.due_on
        for d in voice.deadlines.all()
        if d.due_on is not None and d.done_on is None and d.step not in NOT_DRIVING_DUE
    ]
    voice.due_on = min(pending) if pending else None


def store_schedule(voice: Voice, *, extensions: dict[str, int] | None = None) -> None:
    """Compute every step's due date with the rules in force on the day of receipt; store them.

    ``extensions`` overrides the extensions stored on the steps (to grant one more)."""
    existing = {d.step: d for d in voice.deadlines.all()}
    granted = {d.step: d.extensions for d in existing.values() if d.extensions}
    granted.update(extensions or {})
    schedule = compute_schedule(
        kind=voice.kind,
        received=voice.received_on,
        accepted=voice.accepted_on,
        decided=voice.decided_on,
        remote=voice.is_remote,
        complexity=voice.complexity,
        joint=voice.is_joint,
        extensions=granted,
        rule_set=voice.rule_set,
    )
    voice.rule_set_id = schedule.rule_set_id
    for step in schedule.steps:
        row = existing.get(step.step)
        if row is None:
            VoiceDeadline.objects.create(
                voice=voice,
                step=step.step,
                due_on=step.due,
                counts_from=step.counts_from,
                citation=step.citation[:255],
            )
        elif row.due_on != step.due or row.extensions != step.extensions_granted:
            row.due_on = step.due
            row.extensions = step.extensions_granted
            row.save(update_fields=["due_on", "extensions"])
    refresh_due_on(voice)


def extension_ways_of(voice: Voice) -> dict[str, dict[str, str]]:
    """The open steps of the case that can get more time, each with the complexities that give
    it and how (``deadlines.engine.extension_ways``). The case page offers exactly these."""
    if voice.rule_set_id is None:
        return {}
    open_steps = {
        d.step: d.extensions
        for d in voice.deadlines.all()
        if d.due_on is not None and d.done_on is None and d.step not in NOT_DRIVING_DUE
    }
    ways = extension_ways(
        rule_set=voice.rule_set_id,
        kind=voice.kind,
        remote=voice.is_remote,
        complexity=voice.complexity,
        joint=voice.is_joint,
        granted=open_steps,
    )
    return {step: found for step, found in ways.items() if step in open_steps}


def no_extension_reason(ways: dict[str, str], extensions: int) -> str:
    """Why a step gets no more time: the complexities that would give it, or the law's limit."""
    if ways:
        labels = ", ".join(f"“{Complexity(level).label}”" for level in ways)
        return _("not for a case of this complexity; a case found %(levels)s gets more time.") % {
            "levels": labels
        }
    if extensions:
        return _("it has already been extended %(count)s time(s), as often as the law allows.") % {
            "count": extensions
        }
    return _("the law gives this step no extension.")


def coordination_reply_due(voice: Voice, asked_on: datetime.date) -> datetime.date | None:
    """The coordinating body's reply is due 15 days after it is asked (Decision 33/2017/QĐ-TTg
    Art. 12), as the case's rule set says; None where the rule set has no such limit."""
    rules = TimeLimitRule.objects.filter(rule_set_id=voice.rule_set_id, step="coordination_reply")
    rule = rules.filter(kind=voice.kind).first() or rules.first()
    if rule is None:
        return None
    amount = rule.amount_for(remote=voice.is_remote, complexity=voice.complexity)
    return add_limit(working_calendar(), asked_on, amount, rule.unit)


def second_complaint_deadline(first: Voice) -> datetime.date | None:
    """The last day to file a second complaint against ``first`` (Law on Complaints Art. 33)."""
    row = first.deadlines.filter(step="file_second_complaint").first()
    return row.due_on if row is not None else None
