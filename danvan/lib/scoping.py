"""The one place where "who may see which records" is decided.

Every model whose records belong to a unit uses a ``ScopedQuerySet`` and names, in
``scope_path_lookup``, the lookup that reaches its unit's ``path``. Lists, pages, APIs and exports
call ``.visible_to(user)`` (or ``.visible_to(user, Capability.ACT)`` before changing something):
an officer sees records of their own units and of every unit below them, plus records filed under
units that were merged into those units. A user with no membership sees nothing.

This module holds the mechanism (a ``Scope`` of unit paths and the queryset filter); the rule that
computes a user's scope from their memberships is ``danvan.accounts.scope.scope_for``, which sits
above units and organizations. ``accounts`` registers it here when the app is ready
(``register_scope_resolver``), so ``lib`` and the models below ``accounts`` never import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """Where a user holds a capability: everywhere, or under these unit paths."""

    is_global: bool = False
    #: Unit paths: the user's units, plus units merged into them (predecessors).
    prefixes: tuple[str, ...] = field(default_factory=tuple)

    def q(self, path_lookup: str) -> Q:
        query = Q()
        for prefix in self.prefixes:
            query |= Q(**{f"{path_lookup}__startswith": prefix})
        return query

    def covers(self, path: str) -> bool:
        return self.is_global or any(path.startswith(p) for p in self.prefixes)

    @property
    def is_empty(self) -> bool:
        return not self.is_global and not self.prefixes


EMPTY_SCOPE = Scope()

#: ``(user, capability or None for "view") -> Scope``; set by ``register_scope_resolver``.
#: A capability is an ``accounts.roles.Capability``, a ``StrEnum``: ``str`` here.
ScopeResolver = Callable[[Any, str | None], Scope]
_resolver: ScopeResolver | None = None


def register_scope_resolver(resolver: ScopeResolver) -> None:
    """Set the function ``visible_to`` asks for a user's scope (``accounts`` does, when ready).

    It is called with the user and the capability asked for, ``None`` meaning the capability to
    view."""
    global _resolver
    _resolver = resolver


class ScopedQuerySet(models.QuerySet[Any]):
    #: The lookup from this model to ``AdministrativeUnit.path`` ("unit__path", "path", ...).
    scope_path_lookup: str = "unit__path"

    def visible_to(self, user: Any, capability: str | None = None) -> Self:
        """The records under the units where ``user`` holds ``capability`` (default: view)."""
        if _resolver is None:
            raise ImproperlyConfigured(
                "No scope resolver: danvan.accounts must be in INSTALLED_APPS."
            )
        scope = _resolver(user, capability)
        if scope.is_global:
            return self.all()
        if not scope.prefixes:
            return self.none()
        return self.filter(scope.q(self.scope_path_lookup))
