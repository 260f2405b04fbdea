"""``{% evaluation_panel model %}``: the evaluation part of a model's page."""

from __future__ import annotations

from typing import Any, cast

from django import template

from danvan.lib.users import Requester
from danvan.skillful.models import MobilizationModel
from danvan.skillful.selectors_evaluation import panel_context

register = template.Library()


@register.inclusion_tag("skillful/evaluation/_panel_body.html", takes_context=True)
def evaluation_panel(context: template.Context, model: MobilizationModel) -> dict[str, Any]:
    request = context.get("request")
    user = cast(Requester, getattr(request, "user", None) or context.get("user"))
    return {
        **panel_context(user, model),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
