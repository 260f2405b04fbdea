"""Panels that apps above voices add to the case page, without voices importing them.

An app registers ``panel(request, voice) -> str`` (HTML, already escaped) in its
``AppConfig.ready``; the case page shows what each returns, in the order registered. The
decisions app shows a case's decision or conclusion this way. The mechanism is ``lib.panels``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.safestring import SafeString

from danvan.lib.panels import Panel, Panels
from danvan.voices.models import Voice

_CASE_PAGE: Panels[Voice] = Panels()


def register_case_panel(panel: Panel[Voice]) -> None:
    _CASE_PAGE.register(panel)


def case_panels(request: HttpRequest, voice: Voice) -> list[SafeString | str]:
    return _CASE_PAGE.render(request, voice)
