"""``manage.py check_models``: recompute the formalism flags of every model (run nightly)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from danvan.skillful.checks import check_all


class Command(BaseCommand):
    help = "Recompute the formalism flags of every Skillful Mass Mobilization model."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = check_all()
        elapsed = time.perf_counter() - started
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(report.by_kind.items()))
        self.stdout.write(
            f"{report.models} models checked in {elapsed:.1f} s: {report.raised} flags raised, "
            f"{report.updated} updated, {report.removed} removed. Standing: {kinds or 'none'}."
        )
