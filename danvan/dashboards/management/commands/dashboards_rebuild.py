"""Recompute the dashboards' facts and buckets from the voices (after units moved, or to check)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from danvan.dashboards import sql
from danvan.dashboards.models import Bucket, VoiceFact


class Command(BaseCommand):
    help = "Recompute the dashboards' facts and buckets from the voices."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            sql.rebuild(connection)
        if connection.vendor == "postgresql":
            # The visibility map, so that the dashboards' queries read the index alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE dashboards_bucket")
        self.stdout.write(
            f"{VoiceFact.objects.count()} voices, {Bucket.objects.count()} buckets "
            f"in {time.perf_counter() - started:.1f} s"
        )
