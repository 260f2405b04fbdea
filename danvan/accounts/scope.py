"""Compute a user's scope: the unit paths under which they hold a capability.

``Scope`` itself and the ``visible_to`` filter are in ``danvan.lib.scoping``; ``scope_for`` is the
rule, registered there as the resolver by ``AccountsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from danvan.accounts.roles import GLOBAL_ROLES, NOT_FOR_SUPERUSERS, Capability, role_has
from danvan.lib.scoping import EMPTY_SCOPE, Scope
from danvan.organizations.models import Membership
from danvan.units.selectors import minimal_paths, paths_with_predecessors

__all__ = [
    "EMPTY_SCOPE",
    "Scope",
    "can",
    "forget_scope",
    "scope_for",
    "scope_pin",
    "visible_scope",
]


def scope_for(user: Any, capability: Capability) -> Scope:
    """The scope in which ``user`` holds ``capability``; cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cache: dict[Capability, Scope] = user.__dict__.setdefault("_danvan_scope_cache", {})
    if capability in cache:
        return cache[capability]

    if user.is_superuser and capability not in NOT_FOR_SUPERUSERS:
        scope = Scope(is_global=True)
    else:
        # One read of the memberships per user object, whatever capabilities a request asks for.
        rows = user.__dict__.get("_danvan_membership_rows")
        if rows is None:
            rows = list(
                Membership.objects.active()
                .filter(user=user)
                .values_list("role", "body__unit__path")
            )
            user.__dict__["_danvan_membership_rows"] = rows
        paths: set[str] = set()
        is_global = False
        for role, path in rows:
            if not role_has(role, capability):
                continue
            if role in GLOBAL_ROLES:
                is_global = True
                break
            paths.add(path)
        if is_global:
            scope = Scope(is_global=True)
        elif paths:
            # Capabilities held through the same memberships share one reading of the mergers.
            expanded: dict[frozenset[str], tuple[str, ...]] = user.__dict__.setdefault(
                "_danvan_expanded_paths", {}
            )
            key = frozenset(paths)
            if key not in expanded:
                expanded[key] = minimal_paths(paths_with_predecessors(paths))
            scope = Scope(prefixes=expanded[key])
        else:
            scope = EMPTY_SCOPE
    cache[capability] = scope
    return scope


def visible_scope(user: Any, capability: str | None) -> Scope:
    """The scope ``ScopedQuerySet.visible_to`` filters on (``None``: the capability to view)."""
    return scope_for(user, Capability(capability) if capability else Capability.VIEW)


def scope_pin(user: Any, capability: Capability, scope: Scope) -> None:
    """Use ``scope`` for ``user``'s ``capability`` from now on, on this user object: a background
    job works within the scope its requester had when asking, not the one they have when it runs."""
    user.__dict__.setdefault("_danvan_scope_cache", {})[capability] = scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope, after the user's memberships changed."""
    for key in ("_danvan_scope_cache", "_danvan_membership_rows", "_danvan_expanded_paths"):
        user.__dict__.pop(key, None)


def can(user: Any, capability: Capability, unit: Any | None = None) -> bool:
    """Whether ``user`` holds ``capability`` for ``unit`` (or anywhere, when ``unit`` is None)."""
    scope = scope_for(user, capability)
    if unit is None:
        return not scope.is_empty
    return scope.covers(unit.path)
