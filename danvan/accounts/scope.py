"""The scope rule: the unit paths under which a user holds a capability, from their memberships.

``Scope``, ``scope_for``, ``can`` and the ``visible_to`` filter are in ``danvan.lib.scoping``,
which every app uses; ``membership_scope`` is the rule behind them, registered there as the
resolver by ``AccountsConfig.ready``. Nothing else calls it.
"""

from __future__ import annotations

from danvan.lib.roles import GLOBAL_ROLES, NOT_FOR_SUPERUSERS, Capability, role_has
from danvan.lib.scoping import EMPTY_SCOPE, Scope
from danvan.lib.users import Account
from danvan.organizations.models import Membership
from danvan.units.selectors import minimal_paths, paths_with_predecessors

__all__ = ["membership_scope"]


def membership_scope(user: Account, capability: Capability) -> Scope:
    """The scope in which an active, signed-in ``user`` holds ``capability``.

    ``lib.scoping.scope_for`` calls it once per user object and capability and keeps the answer."""
    if user.is_superuser and capability not in NOT_FOR_SUPERUSERS:
        return Scope(is_global=True)
    # One read of the memberships per user object, whatever capabilities a request asks for.
    rows = user.__dict__.get("_danvan_membership_rows")
    if rows is None:
        rows = list(
            Membership.objects.active().filter(user=user).values_list("role", "body__unit__path")
        )
        user.__dict__["_danvan_membership_rows"] = rows
    paths: set[str] = set()
    for role, path in rows:
        if not role_has(role, capability):
            continue
        if role in GLOBAL_ROLES:
            return Scope(is_global=True)
        paths.add(path)
    if not paths:
        return EMPTY_SCOPE
    # Capabilities held through the same memberships share one reading of the mergers.
    expanded: dict[frozenset[str], tuple[str, ...]] = user.__dict__.setdefault(
        "_danvan_expanded_paths", {}
    )
    key = frozenset(paths)
    if key not in expanded:
        expanded[key] = minimal_paths(paths_with_predecessors(paths))
    return Scope(prefixes=expanded[key])
