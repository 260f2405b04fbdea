"""The rule sets, their rules and the calendar read once, for the schedules of many voices.

``compute_schedule`` reads the rule set in force, its rules and the calendar for every voice; a
spreadsheet import of thousands of rows spread over a year would repeat those reads thousands of
times. A ``Rulebook`` reads each once and gives the same schedules (``compute_schedule`` with the
rules it holds), computed once per distinct question.
"""

from __future__ import annotations

import datetime

from danvan.deadlines.engine import Schedule, compute_schedule
from danvan.deadlines.models import Complexity, RuleSet, TimeLimitRule
from danvan.deadlines.selectors import rule_set_for, working_calendar


class Rulebook:
    """Schedules from rules read once; valid for one task (a rule edited meanwhile is not seen)."""

    def __init__(self) -> None:
        self.calendar = working_calendar()
        self._rule_sets: list[RuleSet] | None = None
        self._in_force: dict[datetime.date, RuleSet] = {}
        self._rules: dict[int, list[TimeLimitRule]] = {}
        self._schedules: dict[tuple[str, datetime.date, bool, str, bool], Schedule] = {}

    def rule_set_for(self, received: datetime.date) -> RuleSet:
        """The rule set in force on ``received`` (``selectors.rule_set_for``), from one read."""
        found = self._in_force.get(received)
        if found is None:
            if self._rule_sets is None:
                self._rule_sets = list(RuleSet.objects.order_by("-effective_from"))
            # The one in force: the latest that took effect on or before that day.
            found = next((r for r in self._rule_sets if r.effective_from <= received), None)
            if found is None:
                found = rule_set_for(received)  # raises NoRuleSetError with its message
            self._in_force[received] = found
        return found

    def schedule(
        self,
        *,
        kind: str,
        received: datetime.date,
        remote: bool = False,
        complexity: str = Complexity.NORMAL,
        joint: bool = False,
    ) -> Schedule:
        """``compute_schedule`` of a voice just received, with the rules already read.

        Raises ``DeadlineError`` as ``compute_schedule`` does."""
        key = (kind, received, remote, str(complexity), joint)
        found = self._schedules.get(key)
        if found is None:
            rule_set = self.rule_set_for(received)
            rules = self._rules.get(rule_set.pk)
            if rules is None:
                rules = self._rules[rule_set.pk] = list(rule_set.rules.all())
            found = self._schedules[key] = compute_schedule(
                kind=kind,
                received=received,
                remote=remote,
                complexity=complexity,
                joint=joint,
                rule_set=rule_set,
                calendar=self.calendar,
                rules=rules,
            )
        return found
