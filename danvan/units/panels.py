"""Panels that apps above units add to a unit's page, without units importing them.

An app registers ``panel(request, unit) -> str`` (HTML, already escaped) in its
``AppConfig.ready``; the unit page shows what each returns, in the order registered. The
organizations app lists the bodies on the unit this way. The mechanism is ``lib.panels``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.safestring import SafeString

from danvan.lib.panels import Panel, Panels
from danvan.units.models import AdministrativeUnit

_UNIT_PAGE: Panels[AdministrativeUnit] = Panels()


def register_unit_panel(panel: Panel[AdministrativeUnit]) -> None:
    _UNIT_PAGE.register(panel)


def unit_panels(request: HttpRequest, unit: AdministrativeUnit) -> list[SafeString | str]:
    return _UNIT_PAGE.render(request, unit)
