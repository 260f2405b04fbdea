"""``{% active_alerts_panel unit %}``: the active alerts in a unit, for pages of other apps (the
dashboard), read within the viewer's scope."""

from __future__ import annotations

from typing import Any

from django import template

from danvan.alerts.selectors import active_alerts

register = template.Library()

#: Alerts shown on the panel; the list page has them all.
PANEL_SIZE = 10


@register.inclusion_tag("alerts/_panel.html", takes_context=True)
def active_alerts_panel(context: Any, unit: Any = None) -> dict[str, Any]:
    request = context["request"]
    alerts = list(
        active_alerts(request.user, unit).select_related("unit", "topic")[: PANEL_SIZE + 1]
    )
    return {
        "alerts": alerts[:PANEL_SIZE],
        "more": len(alerts) > PANEL_SIZE,
        "unit": unit,
    }
