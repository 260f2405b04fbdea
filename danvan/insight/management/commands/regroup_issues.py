from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.insight.regroup import regroup


class Command(BaseCommand):
    help = (
        "Group every voice into issues again from scratch, commune by commune, in N processes "
        "(PostgreSQL; SQLite uses one). Issues an officer confirmed, merged or split are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--processes", type=int, default=2)
        parser.add_argument("--threshold", type=float, help="Default: the learned threshold.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["processes"] < 1:
            raise CommandError("--processes must be at least 1.")
        threshold = options.get("threshold")
        if threshold is not None and not 0 < threshold < 1:
            raise CommandError("--threshold must be between 0 and 1.")
        report = regroup(processes=options["processes"], threshold=threshold)
        self.stdout.write(json.dumps(report.__dict__, indent=2, default=str))
