"""What the audit log's action codes mean to a person, and whose address it must not show.

The codes (``voice.accept``, ``report.issue``) are written by the services of every app. Each app
says what its codes mean in a module ``<app>/audit_actions.py`` holding

- ``ACTIONS``: ``{code: translatable label}``, and optionally
- ``protected_addresses(user, entries) -> set[int]``: the ids among ``entries`` whose IP address
  and browser must not be shown to ``user`` (a denouncer's address identifies them: Law on
  Denunciations Art. 9.1.b).

The audit app reads those modules when they are first needed; it imports no feature app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from danvan.lib.users import Requester

MODULE = "audit_actions"

#: The audit app's own codes.
ACTIONS: dict[str, str | Promise] = {
    "sensitive.view": _("Viewed personal data"),
}

AddressGuard = Callable[["Requester | None", list[Any]], set[int]]


@cache
def _modules() -> tuple[Any, ...]:
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.{MODULE}"
        if config.name.startswith("danvan.") and find_spec(name) is not None:
            found.append(import_module(name))
    return tuple(found)


@cache
def labels() -> dict[str, str | Promise]:
    """Every known code with its label."""
    result: dict[str, str | Promise] = dict(ACTIONS)
    for module in _modules():
        result.update(getattr(module, "ACTIONS", {}))
    return result


def action_label(code: str) -> str:
    """The label of ``code``; an unknown code (written by an older version) is shown as it is."""
    label = labels().get(code)
    return str(label) if label is not None else code


def protected_addresses(user: Requester | None, entries: Iterable[Any]) -> set[int]:
    """The ids of ``entries`` whose address and browser ``user`` may not see."""
    rows = list(entries)
    hidden: set[int] = set()
    for module in _modules():
        guard: AddressGuard | None = getattr(module, "protected_addresses", None)
        if guard is not None:
            hidden |= guard(user, rows)
    return hidden
