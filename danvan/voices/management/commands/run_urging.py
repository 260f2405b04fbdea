from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.voices.urging import run_urging


class Command(BaseCommand):
    help = (
        "Remind the bodies of cases due soon, escalate overdue ones to the body above, and ask "
        "for a superior's report on overdue denunciations. Safe to run more than once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as if today were YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from exc
        report = run_urging(today=today)
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
