"""What the management commands share: the ``--date`` of the daily jobs run by hand
(``run_alerts``, ``run_urging``, ``run_report_drafts``), which run as if today were that day."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser


def add_date_argument(parser: CommandParser) -> None:
    parser.add_argument("--date", help="Run as if today were YYYY-MM-DD (default: today).")


def date_argument(options: dict[str, Any]) -> datetime.date | None:
    """The day given with ``--date``, or None when none was."""
    if not options["date"]:
        return None
    try:
        return datetime.date.fromisoformat(options["date"])
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from exc
