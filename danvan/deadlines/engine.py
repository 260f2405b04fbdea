"""The deadline engine: every step's due date for one voice, from the rules in force.

The one public entry point is ``compute_schedule``. The voices app calls it when a case is
received, accepted, decided or extended, and stores the due dates it returns on the case together
with ``Schedule.rule_set_id``; the calculator page and ``manage.py compute_deadlines`` call it too.

Counting (Civil Code 91/2015/QH13, Art. 144–148): the day of the event is not counted; a limit in
days ends at the end of its last day, moved to the next working day when that day is a weekend day
or a public holiday; a limit in working days counts working days only.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from danvan.deadlines.calendar import CalendarError, WorkingCalendar
from danvan.deadlines.errors import DeadlineError
from danvan.deadlines.models import (
    Complexity,
    Condition,
    Event,
    LimitUnit,
    RuleSet,
    Step,
    TimeLimitRule,
    VoiceKind,
)
from danvan.deadlines.selectors import rule_set_for, working_calendar


@dataclass(frozen=True)
class ScheduledStep:
    """One step of a case with its due date; ``due`` is None while its starting event is unknown
    (a step counted from acceptance, before the case is accepted)."""

    step: str
    due: datetime.date | None
    counts_from: str
    from_date: datetime.date | None
    limit: int
    unit: str
    citation: str
    applies_when: str = Condition.ALWAYS
    after_step: str = ""
    verify: bool = False
    configurable: bool = False
    notes: str = ""
    extensions_allowed: int = 0
    extensions_granted: int = 0
    extension_limit: int | None = None
    #: The due date after one, two, ... extensions (as many as the law allows the case).
    extended_due: tuple[datetime.date | None, ...] = ()

    @property
    def label(self) -> str:
        return str(Step(self.step).label)

    @property
    def unit_label(self) -> str:
        return str(LimitUnit(self.unit).label)

    @property
    def counts_from_label(self) -> str:
        if self.counts_from == Event.DUE and self.after_step:
            return _("the due date of “%(step)s”") % {"step": Step(self.after_step).label}
        return str(Event(self.counts_from).label)

    @property
    def condition_label(self) -> str:
        return (
            "" if self.applies_when == Condition.ALWAYS else str(Condition(self.applies_when).label)
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": self.step,
            "label": self.label,
            "due": _iso(self.due),
            "counts_from": self.counts_from,
        }
        if self.after_step:
            data["after_step"] = self.after_step
        data.update(
            {
                "from_date": _iso(self.from_date),
                "limit": self.limit,
                "unit": self.unit,
                "citation": self.citation,
                "applies_when": self.applies_when,
                "verify": self.verify,
                "configurable": self.configurable,
            }
        )
        if self.extensions_allowed:
            data.update(
                {
                    "extensions_allowed": self.extensions_allowed,
                    "extensions_granted": self.extensions_granted,
                    "extension_limit": self.extension_limit,
                    "extended_due": [_iso(d) for d in self.extended_due],
                }
            )
        if self.notes:
            data["notes"] = self.notes
        return data


@dataclass(frozen=True)
class Schedule:
    kind: str
    received: datetime.date
    accepted: datetime.date | None
    decided: datetime.date | None
    remote: bool
    complexity: str
    joint: bool
    rule_set_id: int
    rule_set_name: str
    rule_set_effective_from: datetime.date
    steps: tuple[ScheduledStep, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def kind_label(self) -> str:
        return str(VoiceKind(self.kind).label)

    @property
    def complexity_label(self) -> str:
        return str(Complexity(self.complexity).label)

    def step(self, code: str) -> ScheduledStep | None:
        return next((s for s in self.steps if s.step == code), None)

    def due(self, code: str) -> datetime.date | None:
        found = self.step(code)
        return found.due if found else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "received": _iso(self.received),
            "accepted": _iso(self.accepted),
            "decided": _iso(self.decided),
            "remote": self.remote,
            "complexity": self.complexity,
            "joint": self.joint,
            "rule_set": {
                "id": self.rule_set_id,
                "name": self.rule_set_name,
                "effective_from": _iso(self.rule_set_effective_from),
            },
            "steps": [s.as_dict() for s in self.steps],
            "notes": list(self.notes),
        }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def valid_kinds_text() -> str:
    return ", ".join(VoiceKind.values)


def compute_schedule(
    *,
    kind: str,
    received: datetime.date,
    accepted: datetime.date | None = None,
    decided: datetime.date | None = None,
    remote: bool = False,
    complexity: str = Complexity.NORMAL,
    joint: bool = False,
    extensions: Mapping[str, int] | None = None,
    limit_overrides: Mapping[str, int] | None = None,
    rule_set: RuleSet | None = None,
    calendar: WorkingCalendar | None = None,
    rules: Sequence[TimeLimitRule] | None = None,
) -> Schedule:
    """Every step's due date for a voice of ``kind`` received on ``received``.

    - ``accepted``: the day the case was accepted (thụ lý); steps counted from it have no date
      until it is known.
    - ``decided``: the day the complainant received the first-time decision (complaints).
    - ``remote``: the unit is remote, mountainous or especially difficult (vùng sâu, vùng xa).
    - ``joint``: the body leads a joint answer (voter recommendations: 50 days, coordination).
    - ``extensions``: extensions already granted, by step code, e.g. ``{"resolve": 1}``.
    - ``limit_overrides``: a body's own limit for the steps the law leaves to each body
      (``configurable`` rules), e.g. ``{"answer": 7}`` for reflections.
    - ``rule_set``: recompute with a stored rule set instead of the one in force on ``received``.
    - ``rules``: the rules of ``rule_set``, read already (any kinds): many schedules without a
      query each (``deadlines.rulebook.Rulebook``).

    Raises ``DeadlineError`` with a message for the officer when the input is wrong.
    """
    _check_input(
        kind=kind, received=received, accepted=accepted, decided=decided, complexity=complexity
    )
    extensions = dict(extensions or {})
    limit_overrides = dict(limit_overrides or {})
    rule_set = rule_set or rule_set_for(received)
    calendar = calendar or working_calendar()
    applicable = _applicable_rules(rule_set, rules, kind=kind, joint=joint)
    _check_overrides(applicable, extensions=extensions, limit_overrides=limit_overrides)
    steps = _schedule_steps(
        applicable,
        events={Event.RECEIVED: received, Event.ACCEPTED: accepted, Event.DECISION: decided},
        remote=remote,
        complexity=complexity,
        extensions=extensions,
        limit_overrides=limit_overrides,
        calendar=calendar,
    )
    return Schedule(
        kind=kind,
        received=received,
        accepted=accepted,
        decided=decided,
        remote=remote,
        complexity=complexity,
        joint=joint,
        rule_set_id=rule_set.pk,
        rule_set_name=rule_set.name,
        rule_set_effective_from=rule_set.effective_from,
        steps=steps,
        notes=tuple(_notes(kind, steps)),
    )


def _check_input(
    *,
    kind: str,
    received: datetime.date,
    accepted: datetime.date | None,
    decided: datetime.date | None,
    complexity: str,
) -> None:
    """Raise ``DeadlineError`` for an unknown kind or complexity, or dates out of order."""
    if kind not in VoiceKind.values:
        raise DeadlineError(
            _("Unknown kind of voice “%(kind)s”. Valid kinds: %(kinds)s.")
            % {"kind": kind, "kinds": valid_kinds_text()}
        )
    if complexity not in Complexity.values:
        raise DeadlineError(
            _("Unknown complexity “%(value)s”. Valid values: %(values)s.")
            % {"value": complexity, "values": ", ".join(Complexity.values)}
        )
    if accepted is not None and accepted < received:
        raise DeadlineError(_("The acceptance date cannot be before the date of receipt."))
    if decided is not None and decided < (accepted or received):
        raise DeadlineError(
            _("The decision date cannot be before the date of receipt or of acceptance.")
        )


def _applicable_rules(
    rule_set: RuleSet, rules: Sequence[TimeLimitRule] | None, *, kind: str, joint: bool
) -> list[TimeLimitRule]:
    """The rules of ``kind`` in ``rule_set`` (read now unless ``rules`` are given) that apply to a
    case answered jointly or not, in their order."""
    if rules is None:
        of_kind = list(rule_set.rules.filter(kind=kind).order_by("position", "id"))
    else:
        of_kind = sorted((r for r in rules if r.kind == kind), key=lambda r: (r.position, r.pk))
    if joint and not any(r.applies_when == Condition.JOINT for r in of_kind):
        raise DeadlineError(
            _("A joint answer only exists for: %(kinds)s.")
            % {"kinds": ", ".join(_kinds_with_joint_rules(rule_set)) or "—"}
        )
    return [r for r in of_kind if _applies(r, joint=joint)]


def _schedule_steps(
    applicable: list[TimeLimitRule],
    *,
    events: Mapping[str, datetime.date | None],
    remote: bool,
    complexity: str,
    extensions: Mapping[str, int],
    limit_overrides: Mapping[str, int],
    calendar: WorkingCalendar,
) -> tuple[ScheduledStep, ...]:
    """Each rule's step with its due date, counted from ``events`` or from the due date of the
    step it follows; in the order of ``applicable``."""
    computed: dict[int, ScheduledStep] = {}
    due_by_step: dict[str, datetime.date | None] = {}
    # Limits counted from another step's due date come after the steps they count from.
    ordered = [r for r in applicable if r.counts_from != Event.DUE] + [
        r for r in applicable if r.counts_from == Event.DUE
    ]
    try:
        for rule in ordered:
            if rule.counts_from == Event.DUE:
                start = due_by_step.get(rule.after_step)
            else:
                start = events[rule.counts_from]
            scheduled = _schedule_step(
                rule,
                start=start,
                remote=remote,
                complexity=complexity,
                granted=extensions.get(rule.step, 0),
                override=limit_overrides.get(rule.step),
                calendar=calendar,
            )
            computed[rule.pk] = scheduled
            due_by_step[rule.step] = scheduled.due
    except CalendarError as exc:
        raise DeadlineError(str(exc)) from exc
    return tuple(computed[r.pk] for r in applicable)


def _applies(rule: TimeLimitRule, *, joint: bool) -> bool:
    if rule.applies_when == Condition.JOINT:
        return joint
    if rule.applies_when == Condition.OWN_COMPETENCE:
        return not joint
    # "Forward if not competent" is shown always: the officer decides competence within it.
    return True


def _kinds_with_joint_rules(rule_set: RuleSet) -> list[str]:
    return sorted(
        set(rule_set.rules.filter(applies_when=Condition.JOINT).values_list("kind", flat=True))
    )


def _check_overrides(
    rules: list[TimeLimitRule], *, extensions: dict[str, int], limit_overrides: dict[str, int]
) -> None:
    by_step = {r.step: r for r in rules}
    for step, count in extensions.items():
        if step not in by_step:
            raise DeadlineError(
                _("This kind of voice has no step “%(step)s” to extend.") % {"step": step}
            )
        if count < 0:
            raise DeadlineError(_("The number of extensions cannot be negative."))
    for step, amount in limit_overrides.items():
        rule = by_step.get(step)
        if rule is None or not rule.configurable:
            raise DeadlineError(
                _("The law fixes the limit of “%(step)s”: a body cannot set its own.")
                % {"step": step}
            )
        if amount < 1:
            raise DeadlineError(_("A time limit is at least one day."))


def add_limit(
    calendar: WorkingCalendar, start: datetime.date, amount: int, unit: str
) -> datetime.date:
    if unit == LimitUnit.WORKING_DAYS:
        return calendar.add_working_days(start, amount)
    return calendar.add_calendar_days_with_rollover(start, amount)


def _schedule_step(
    rule: TimeLimitRule,
    *,
    start: datetime.date | None,
    remote: bool,
    complexity: str,
    granted: int,
    override: int | None,
    calendar: WorkingCalendar,
) -> ScheduledStep:
    amount = (
        override if override is not None else rule.amount_for(remote=remote, complexity=complexity)
    )
    allowed = rule.extensions_allowed(complexity)
    if granted > allowed:
        raise DeadlineError(
            _(
                "“%(step)s” may be extended at most %(allowed)s time(s) for a case of this "
                "complexity; %(granted)s were given."
            )
            % {"step": Step(rule.step).label, "allowed": allowed, "granted": granted}
        )
    chain: list[datetime.date | None] = [None] * (allowed + 1)
    if start is not None:
        chain[0] = add_limit(calendar, start, amount, rule.unit)
        for i in range(1, allowed + 1):
            previous = chain[i - 1]
            assert previous is not None and rule.extension_amount is not None
            # Each extension runs from the end of the limit it extends.
            chain[i] = add_limit(calendar, previous, rule.extension_amount, rule.unit)
    return ScheduledStep(
        step=rule.step,
        due=chain[granted],
        counts_from=rule.counts_from,
        after_step=rule.after_step,
        from_date=start,
        limit=amount,
        unit=rule.unit,
        citation=rule.citation,
        applies_when=rule.applies_when,
        verify=rule.verify,
        configurable=rule.configurable,
        notes=rule.notes,
        extensions_allowed=allowed,
        extensions_granted=granted,
        extension_limit=rule.extension_amount if allowed else None,
        extended_due=tuple(chain[1:]),
    )


#: Complexities from the least to the most complex: an extension never lowers the complexity.
COMPLEXITY_ORDER = (Complexity.NORMAL, Complexity.COMPLEX, Complexity.ESPECIALLY_COMPLEX)

#: How a step gets more time: one more extension of its limit (a denunciation, Law on
#: Denunciations Art. 30), or the longer limit the law sets for a complex case (a first complaint:
#: 45 days instead of 30, Law on Complaints Art. 28), which is not counted as an extension.
EXTENSION = "extension"
LONGER_LIMIT = "longer_limit"


def extension_ways(
    *,
    rule_set: RuleSet | int,
    kind: str,
    remote: bool,
    complexity: str,
    joint: bool = False,
    granted: Mapping[str, int] | None = None,
) -> dict[str, dict[str, str]]:
    """For each step of ``kind`` that can be given more time: the complexities, from the case's
    own one up, that give it (``EXTENSION`` or ``LONGER_LIMIT``). A step the law gives no more
    time at any complexity is absent. ``granted``: the extensions each step has had."""
    granted = granted or {}
    start = COMPLEXITY_ORDER.index(Complexity(complexity))
    rules = TimeLimitRule.objects.filter(
        rule_set_id=rule_set if isinstance(rule_set, int) else rule_set.pk, kind=kind
    ).order_by("position", "id")
    ways: dict[str, dict[str, str]] = {}
    for rule in rules:
        if not _applies(rule, joint=joint):
            continue
        base = rule.amount_for(remote=remote, complexity=complexity)
        found: dict[str, str] = {}
        outcomes: set[tuple[int, int]] = set()
        for level in COMPLEXITY_ORDER[start:]:
            amount = rule.amount_for(remote=remote, complexity=level)
            allowed = rule.extensions_allowed(level)
            if (amount, allowed) in outcomes:
                continue  # a complaint knows no "especially complex": the complex limit
            outcomes.add((amount, allowed))
            if amount > base:
                found[level] = LONGER_LIMIT
            elif allowed > granted.get(rule.step, 0):
                found[level] = EXTENSION
        if found:
            ways[rule.step] = found
    return ways


def _notes(kind: str, steps: tuple[ScheduledStep, ...]) -> list[str]:
    notes: list[str] = []
    if kind == VoiceKind.OPINION:
        notes.append(
            _(
                "The law sets no time limit for an opinion or aspiration: it is synthesized "
                "into the periodic report on the situation of the people."
            )
        )
    elif not steps:
        notes.append(_("The rule set has no time limit for this kind of voice."))
    if any(s.due is None and s.counts_from == Event.ACCEPTED for s in steps):
        notes.append(
            _("Steps counted from acceptance get a due date once the acceptance date is known.")
        )
    if any(s.due is None and s.counts_from == Event.DECISION for s in steps):
        notes.append(
            _("Steps counted from the decision get a due date once the decision date is known.")
        )
    if any(s.applies_when == Condition.NOT_COMPETENT for s in steps):
        notes.append(
            _("Forwarding applies only when the receiving body is not competent to handle it.")
        )
    return notes
