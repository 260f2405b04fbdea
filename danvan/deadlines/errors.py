"""Why a schedule could not be computed. The messages are meant for the officer."""

from __future__ import annotations


class DeadlineError(ValueError):
    """Bad input to the deadline engine: an unknown kind, dates in the wrong order, ..."""


class NoRuleSetError(DeadlineError):
    """No rule set was in force on the day the voice was received."""


class UnknownUnitError(DeadlineError):
    """The unit code does not name a commune (or a village below one)."""
