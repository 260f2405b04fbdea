"""``manage.py run_worker``: django-tasks-db's ``db_worker`` that survives a lost database.

The same options as ``db_worker``; the worker is ``danvan.lib.worker.Worker`` (it reconnects
after a lost database, queues again the tasks it was cut off from, and runs the reapers every
minute), and the default ``--worker-id`` is the host and the queues, the same at every start, so
that the tasks a killed worker left running are taken up by the one started in its place. Two
workers of the same queues on one host need distinct ``--worker-id``s.

    manage.py run_worker --queue-name people --no-reload        # imports and exports
    manage.py run_worker --queue-name batch,default --no-reload # analysis, drafts, the rest
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from danvan.lib.worker import Worker, default_worker_id


class Command(db_worker.Command):
    help = "Run a background worker that survives a lost database (django-tasks-db's db_worker)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str | None,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or default_worker_id(queue_name),
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
