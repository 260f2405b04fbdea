"""Delete the expired ``Idempotency-Key`` records (run it daily from cron, like ``run_urging``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from danvan.api.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete the Idempotency-Key records older than DANVAN_IDEMPOTENCY_HOURS (24)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{purge_expired()} expired idempotency keys deleted.")
