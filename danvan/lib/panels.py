"""Panels: how an app adds a section to a page of an app below it, without that app importing it.

The lower app owns a ``Panels`` for its page and shows what its panels return; an app above
registers a panel, ``panel(request, obj) -> str`` (HTML, already escaped), in its
``AppConfig.ready``. The case page (``voices.panels``) and the unit page (``units.panels``) use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.http import HttpRequest
from django.utils.safestring import SafeString

T = TypeVar("T")

Panel = Callable[[HttpRequest, T], SafeString | str]


class Panels(Generic[T]):
    """The panels registered for one page, in the order registered (each once)."""

    def __init__(self) -> None:
        self._panels: list[Panel[T]] = []

    def register(self, panel: Panel[T]) -> None:
        if panel not in self._panels:
            self._panels.append(panel)

    def render(self, request: HttpRequest, obj: T) -> list[SafeString | str]:
        """The non-empty HTML of every panel for ``obj``."""
        return [html for panel in self._panels if (html := panel(request, obj))]
