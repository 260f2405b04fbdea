"""``manage.py reap_tasks``: retry or fail the background work a dead worker left running.

Every worker started with ``manage.py run_worker`` already does this every minute; run it from
cron (every few minutes) where workers are plain ``db_worker``s or may all be down.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from danvan.lib.worker import reap


class Command(BaseCommand):
    help = "Retry or fail the import jobs and tasks whose worker has stopped"

    def handle(self, *args: Any, **options: Any) -> None:
        reap()
