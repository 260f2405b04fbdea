"""Demo councils, criteria sets and evaluations of the demo province's models (the evaluation
part fills it)."""

from __future__ import annotations

from danvan.audit.context import Actor


def seed_evaluations(actor: Actor, lines: list[str]) -> None:
    """Councils, criteria and scored evaluations for some of the demo models."""
