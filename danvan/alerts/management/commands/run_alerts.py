from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from danvan.alerts.scan import alerts_scan
from danvan.lib.commands import add_date_argument, date_argument


class Command(BaseCommand):
    help = (
        "Scan the voices for hot spots (surges, mass complaints, complaints skipping levels, "
        "land disputes reopened), raise or raise the level of alerts and tell the responsible "
        "bodies. Safe to run more than once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_date_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        report = alerts_scan(today=date_argument(options))
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
