from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from danvan.lib.commands import add_date_argument, date_argument
from danvan.reports.scheduling import run_report_drafts


class Command(BaseCommand):
    help = (
        "Draft the monthly and quarterly synthesis reports due today (the first working day "
        "after the period, or within a week of it) and tell the responsible officers. Run daily; "
        "safe to run more than once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)
        parser.add_argument(
            "--now",
            action="store_true",
            help="Draft in this process instead of queueing background tasks.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_argument(options) or timezone.localdate()
        due = run_report_drafts(today=today, inline=options["now"])
        verb = "drafted" if options["now"] else "queued"
        for item in due:
            self.stdout.write(f"{verb}: body {item.body_id}, period {item.period_code}")
        self.stdout.write(f"{len(due)} report(s) {verb}.")
