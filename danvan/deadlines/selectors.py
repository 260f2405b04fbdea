"""Reads of the deadline rules, the calendar exceptions and the remote flag of a unit."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from danvan.deadlines.calendar import WorkingCalendar
from danvan.deadlines.errors import NoRuleSetError, UnknownUnitError
from danvan.deadlines.models import CalendarException, RuleSet
from danvan.units.models import AdministrativeUnit, UnitTier


def rule_set_for(received: datetime.date) -> RuleSet:
    """The rule set in force on ``received``: the latest one in force on or before that day."""
    rule_set = RuleSet.objects.in_force_on(received)
    if rule_set is None:
        raise NoRuleSetError(
            _("No rule set of time limits was in force on %(day)s.")
            % {"day": received.strftime("%d/%m/%Y")}
        )
    return rule_set


def working_calendar() -> WorkingCalendar:
    """The Vietnamese calendar with the administrators' exceptions (one query)."""
    return WorkingCalendar(dict(CalendarException.objects.values_list("day", "is_working_day")))


def unit_for_deadlines(code: str) -> AdministrativeUnit:
    """The commune (or village) whose remote flag decides the remote-area limits."""
    code = code.strip()
    unit = AdministrativeUnit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise UnknownUnitError(
            _("No administrative unit has the code “%(code)s”.") % {"code": code}
        )
    if unit.tier not in (UnitTier.COMMUNE, UnitTier.VILLAGE):
        raise UnknownUnitError(
            _(
                "%(name)s (%(code)s) is not a commune: give the code of a commune, ward or special zone."
            )
            % {"name": unit.name, "code": unit.code}
        )
    return unit


def unit_is_remote(unit: AdministrativeUnit) -> bool:
    """A village counts as remote when it or its commune is designated remote."""
    if unit.is_remote:
        return True
    return unit.tier == UnitTier.VILLAGE and unit.parent is not None and unit.parent.is_remote
