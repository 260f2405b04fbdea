from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from danvan.lib.commands import add_date_argument, date_argument
from danvan.voices.urging import run_urging


class Command(BaseCommand):
    help = (
        "Remind the bodies of cases due soon, escalate overdue ones to the body above, and ask "
        "for a superior's report on overdue denunciations. Safe to run more than once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_urging(today=date_argument(options))
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
