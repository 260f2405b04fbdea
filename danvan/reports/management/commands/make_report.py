from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.organizations.models import Body
from danvan.reports.documents import report_preview
from danvan.reports.models import ReportFormat
from danvan.reports.periods import PeriodError, parse_period
from danvan.units.models import AdministrativeUnit


class Command(BaseCommand):
    help = (
        "Write the synthesis report (báo cáo tình hình nhân dân) of a unit and period as a draft "
        "DOCX without a number. Nothing is stored. PERIOD: 2026-10, 2026-Q3, 2026-H1, 2026 or "
        "2026-07-01..2026-09-15."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Unit code (e.g. 40 or 17329).")
        parser.add_argument("--period", required=True, help="2026-10, 2026-Q3, 2026-H1, 2026…")
        parser.add_argument("--format", choices=ReportFormat.values, default=ReportFormat.PARTY)
        parser.add_argument("--out", required=True, help="Where to write the .docx file.")
        parser.add_argument(
            "--body",
            type=int,
            help="Id of the issuing body (default: the unit's usual issuer for the format).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            unit = AdministrativeUnit.objects.get(code=options["unit"])
        except AdministrativeUnit.DoesNotExist:
            raise CommandError(f"No unit with code {options['unit']!r}.") from None
        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        body = None
        if options["body"]:
            body = Body.objects.filter(pk=options["body"], unit=unit).first()
            if body is None:
                raise CommandError(f"No body {options['body']} in unit {unit.code}.")
        try:
            document = report_preview(unit=unit, period=period, fmt=options["format"], body=body)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        out = Path(options["out"])
        try:
            out.write_bytes(document)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from None
        self.stdout.write(
            f"{out}: {unit.name}, {period.code}, {options['format']}, "
            f"{len(document):,} bytes in {time.perf_counter() - started:.2f} s"
        )
