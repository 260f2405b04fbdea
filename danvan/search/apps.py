from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_index(using: str = "default", **kwargs: Any) -> None:
    """After every ``migrate``: a later migration that rebuilt a SQLite table dropped its
    triggers with it; put them back and refill the index (see ``schema``)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if (
        not MigrationRecorder(connection)
        .migration_qs.filter(app="search", name="0001_search_index")
        .exists()
    ):
        return  # not migrated this far (or migrated back): nothing to keep
    from danvan.search.schema import ensure_installed

    ensure_installed(connection)


class SearchConfig(AppConfig):
    name = "danvan.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        post_migrate.connect(_ensure_index, sender=self, dispatch_uid="search_ensure_index")
