"""The one place where "who may see which records" is decided.

Every model whose records belong to a unit uses a ``ScopedQuerySet`` and names, in
``scope_path_lookup``, the lookup that reaches its unit's ``path``. Lists, pages, APIs and exports
call ``.visible_to(user)`` (or ``.visible_to(user, Capability.ACT)`` before changing something):
an officer sees records of their own units and of every unit below them, plus records filed under
units that were merged into those units. A user with no membership sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from danvan.accounts.roles import Capability


class ScopedQuerySet(models.QuerySet[Any]):
    #: The lookup from this model to ``AdministrativeUnit.path`` ("unit__path", "path", ...).
    scope_path_lookup: str = "unit__path"

    def visible_to(self, user: Any, capability: Capability | None = None) -> Self:
        from danvan.accounts.roles import Capability
        from danvan.accounts.scope import scope_for

        scope = scope_for(user, capability or Capability.VIEW)
        if scope.is_global:
            return self.all()
        if not scope.prefixes:
            return self.none()
        return self.filter(scope.q(self.scope_path_lookup))
