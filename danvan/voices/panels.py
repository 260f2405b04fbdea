"""Panels that apps above voices add to the case page, without voices importing them.

An app registers ``panel(request, voice) -> str`` (HTML, already escaped) in its
``AppConfig.ready``; the case page shows what each returns, in the order registered. The
decisions app shows a case's decision or conclusion this way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

from danvan.voices.models import Voice

CasePanel = Callable[[HttpRequest, Voice], SafeString | str]

_PANELS: list[CasePanel] = []


def register_case_panel(panel: CasePanel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def case_panels(request: HttpRequest, voice: Voice) -> list[Any]:
    return [html for panel in _PANELS if (html := panel(request, voice))]
