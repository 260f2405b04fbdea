"""The one place where "who may see which records" is decided.

Every model whose records belong to a unit uses a ``ScopedQuerySet`` and names, in
``scope_path_lookup``, the lookup that reaches its unit's ``path``. Lists, pages, APIs and exports
call ``.visible_to(user)`` (or ``.visible_to(user, Capability.ACT)`` before changing something):
an officer sees records of their own units and of every unit below them, plus records filed under
units that were merged into those units. A user with no membership sees nothing.

This module holds the mechanism: a ``Scope`` of unit paths, the queryset filter, and ``scope_for``
and ``can``, which every app calls. The rule that computes a user's scope from their memberships
is ``danvan.accounts.scope.membership_scope``, which sits above units and organizations;
``accounts`` registers it here when the app is ready (``register_scope_resolver``), so ``lib`` and
the apps below ``accounts`` never import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from danvan.lib.roles import Capability
from danvan.lib.users import Account, Requester


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

#: ``(user, capability) -> Scope``: the rule, set by ``register_scope_resolver``.
ScopeResolver = Callable[[Account, Capability], Scope]
_resolver: ScopeResolver | None = None

#: Attributes a resolver may cache on a user object; ``forget_scope`` drops them all.
SCOPE_CACHE = "_danvan_scope_cache"
USER_CACHES = (SCOPE_CACHE, "_danvan_membership_rows", "_danvan_expanded_paths")


def register_scope_resolver(resolver: ScopeResolver) -> None:
    """Set the rule that computes a user's scope (``accounts`` does, when ready).

    It is called with the user and the capability asked for, once per user object and capability:
    ``scope_for`` keeps the answer on the user object."""
    global _resolver
    _resolver = resolver


def scope_for(user: Requester | None, capability: Capability) -> Scope:
    """The scope in which ``user`` holds ``capability``; cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cache: dict[Capability, Scope] = user.__dict__.setdefault(SCOPE_CACHE, {})
    if capability not in cache:
        if _resolver is None:
            raise ImproperlyConfigured(
                "No scope resolver: danvan.accounts must be in INSTALLED_APPS."
            )
        cache[capability] = _resolver(user, capability)
    return cache[capability]


def can(user: Requester | None, capability: Capability, unit: Any | None = None) -> bool:
    """Whether ``user`` holds ``capability`` for ``unit`` (or anywhere, when ``unit`` is None)."""
    scope = scope_for(user, capability)
    if unit is None:
        return not scope.is_empty
    return scope.covers(unit.path)


def scope_pin(user: Requester, capability: Capability, scope: Scope) -> None:
    """Use ``scope`` for ``user``'s ``capability`` from now on, on this user object: a background
    job works within the scope its requester had when asking, not the one they have when it runs."""
    user.__dict__.setdefault(SCOPE_CACHE, {})[capability] = scope


def forget_scope(user: Requester) -> None:
    """Drop the cached scope, after the user's memberships changed."""
    for key in USER_CACHES:
        user.__dict__.pop(key, None)


class ScopedQuerySet(models.QuerySet[Any]):
    #: The lookup from this model to ``AdministrativeUnit.path`` ("unit__path", "path", ...).
    scope_path_lookup: str = "unit__path"

    def visible_to(self, user: Requester | None, capability: str | None = None) -> Self:
        """The records under the units where ``user`` holds ``capability`` (default: view)."""
        scope = scope_for(user, Capability(capability) if capability else Capability.VIEW)
        if scope.is_global:
            return self.all()
        if not scope.prefixes:
            return self.none()
        return self.filter(scope.q(self.scope_path_lookup))
