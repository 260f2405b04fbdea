from typing import Any

from django.apps import AppConfig
from django.db import connections, transaction
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_sqlite_triggers(using: str = "default", **kwargs: Any) -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table (any AlterField or
    constraint change on ``voices_voice``): the dashboards would then count nothing new, and
    "overdue now" would read 0. After every migrate, put them back and recount what was written
    without them. PostgreSQL alters tables in place and keeps its triggers."""
    from danvan.dashboards import sql

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = connection.introspection.table_names()
    if "voices_voice" not in tables or "dashboards_bucket" not in tables:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dashboards_%'"
        )
        (found,) = cursor.fetchone()
    if found < len(sql.uninstall_statements(connection)):
        with transaction.atomic(using=using):
            sql.rebuild(connection)


class DashboardsConfig(AppConfig):
    name = "danvan.dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        post_migrate.connect(_restore_sqlite_triggers, sender=self)
