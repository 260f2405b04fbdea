from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.deadlines.engine import compute_schedule, valid_kinds_text
from danvan.deadlines.errors import DeadlineError
from danvan.deadlines.models import Complexity, Step, VoiceKind
from danvan.deadlines.selectors import unit_for_deadlines, unit_is_remote


def _date(option: str, value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{option}: “{value}” is not a date in the form YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Print every step's due date of a voice as JSON, from the legal time limits in force on "
        "the day it was received."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help=f"One of: {valid_kinds_text()}.")
        parser.add_argument("--received", required=True, help="Day of receipt, YYYY-MM-DD.")
        parser.add_argument("--accepted", help="Day of acceptance (thụ lý), YYYY-MM-DD.")
        parser.add_argument(
            "--decided",
            help="Day the complainant received the first decision, YYYY-MM-DD (complaints).",
        )
        parser.add_argument(
            "--unit", help="Commune code of the 2025 list (e.g. 17329): its remote flag applies."
        )
        parser.add_argument(
            "--remote", action="store_true", help="The unit is a remote area (instead of --unit)."
        )
        parser.add_argument("--complex", action="store_true", help="A complex case.")
        parser.add_argument(
            "--especially-complex", action="store_true", help="An especially complex case."
        )
        parser.add_argument(
            "--joint",
            action="store_true",
            help="The body leads a joint answer (voter recommendations).",
        )
        parser.add_argument(
            "--extensions",
            type=int,
            default=0,
            help="Extensions of the resolution already granted (denunciations).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind not in VoiceKind.values:
            raise CommandError(f"Unknown kind “{kind}”. Valid kinds: {valid_kinds_text()}.")
        received = _date("received", options["received"])
        assert received is not None
        accepted = _date("accepted", options["accepted"])
        decided = _date("decided", options["decided"])
        if options["unit"] and options["remote"]:
            raise CommandError("Give --unit or --remote, not both.")
        if options["complex"] and options["especially_complex"]:
            raise CommandError("Give --complex or --especially-complex, not both.")
        if options["extensions"] < 0:
            raise CommandError("--extensions cannot be negative.")
        complexity = (
            Complexity.ESPECIALLY_COMPLEX
            if options["especially_complex"]
            else Complexity.COMPLEX
            if options["complex"]
            else Complexity.NORMAL
        )
        unit = None
        remote = bool(options["remote"])
        try:
            if options["unit"]:
                unit = unit_for_deadlines(options["unit"])
                remote = unit_is_remote(unit)
            schedule = compute_schedule(
                kind=kind,
                received=received,
                accepted=accepted,
                decided=decided,
                remote=remote,
                complexity=complexity,
                joint=options["joint"],
                extensions={Step.RESOLVE.value: options["extensions"]}
                if options["extensions"]
                else None,
            )
        except DeadlineError as exc:
            raise CommandError(str(exc)) from exc

        data = schedule.as_dict()
        output: dict[str, Any] = {}
        for key, value in data.items():
            output[key] = value
            if key == "remote":
                output["unit"] = (
                    {"code": unit.code, "name": unit.name, "is_remote": remote} if unit else None
                )
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
