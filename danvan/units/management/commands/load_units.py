from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from danvan.audit.context import Actor
from danvan.units.services import units_load_national


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes of the 2025 structure (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = units_load_national(actor=Actor.system("load_units"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Units: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
