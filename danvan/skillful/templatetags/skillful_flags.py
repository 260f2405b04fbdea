"""``{% formalism_flags model as flags %}``: what ``skillful/_flags.html`` shows of a model's
formalism flags to the user reading the page (the model page, the scoring page)."""

from __future__ import annotations

import contextlib
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from danvan.skillful.checks import may_dismiss
from danvan.skillful.models import FormalismFlag, MobilizationModel

register = template.Library()


@register.simple_tag(takes_context=True)
def formalism_flags(context: template.Context, model: MobilizationModel) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    flags = list(
        FormalismFlag.objects.filter(model=model)
        .select_related("other__unit")
        .order_by("dismissed_at", "kind")
    )
    visible: set[int] = set()
    others = [f.other_id for f in flags if f.other_id is not None]
    if others and user is not None:
        visible = set(
            MobilizationModel.objects.visible_to(user)
            .filter(pk__in=others)
            .values_list("pk", flat=True)
        )
    links = {}
    for flag in flags:
        if flag.other is not None and flag.other_id in visible:
            # Without the registry's pages installed there is nothing to link to.
            with contextlib.suppress(NoReverseMatch):
                links[flag.other_id] = reverse("skillful:detail", args=[flag.other.code])
    return {
        "links": links,
        "active": [f for f in flags if f.dismissed_at is None],
        "dismissed": [f for f in flags if f.dismissed_at is not None],
        "may_dismiss": user is not None and may_dismiss(user, model),
        "here": request.get_full_path() if request is not None else "",
    }


@register.filter
def get_link(links: dict[int, str], key: int) -> str:
    return links.get(key, "")
