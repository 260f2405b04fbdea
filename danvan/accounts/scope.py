"""Compute a user's scope: the unit paths under which they hold a capability."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from danvan.accounts.roles import GLOBAL_ROLES, NOT_FOR_SUPERUSERS, Capability, role_has


@dataclass(frozen=True)
class Scope:
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


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one ("/40/17329/" under "/40/")."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def _with_predecessors(paths: set[str]) -> set[str]:
    """Add the paths of units merged into any unit under ``paths`` (repeatedly, for chains)."""
    from danvan.units.models import UnitSuccession

    result = set(paths)
    frontier = set(paths)
    for _depth in range(5):  # chains of mergers are short; stop on cycles
        if not frontier:
            break
        query = Q()
        for prefix in frontier:
            query |= Q(successor__path__startswith=prefix)
        found = set(
            UnitSuccession.objects.filter(query).values_list("predecessor__path", flat=True)
        )
        frontier = {p for p in found if not any(p.startswith(r) for r in result)}
        result |= frontier
    return result


def scope_for(user: Any, capability: Capability) -> Scope:
    """The scope in which ``user`` holds ``capability``; cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cache: dict[Capability, Scope] = user.__dict__.setdefault("_danvan_scope_cache", {})
    if capability in cache:
        return cache[capability]

    from danvan.organizations.models import Membership

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
                expanded[key] = _minimal(_with_predecessors(paths))
            scope = Scope(prefixes=expanded[key])
        else:
            scope = EMPTY_SCOPE
    cache[capability] = scope
    return scope


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
