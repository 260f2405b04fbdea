"""``{% case_panels voice %}``: the panels other apps registered for the case page (``panels.py``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from danvan.voices.models import Voice
from danvan.voices.panels import case_panels as registered_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panels(context: dict[str, Any], voice: Voice) -> SafeString:
    request = context["request"]
    return format_html_join("\n", "{}", ((html,) for html in registered_panels(request, voice)))
