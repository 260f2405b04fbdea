"""The "Decision / Conclusion" panel of the case page (registered in ``apps.py``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from danvan.decisions.models import DecisionStatus
from danvan.decisions.selectors import decisions_of_case
from danvan.decisions.services import DECISION_KINDS, DRAFTABLE_FROM
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.voices.models import Voice
from danvan.voices.services_answer import decided_since_reopening


def case_panel(request: HttpRequest, voice: Voice) -> str:
    if voice.kind not in DECISION_KINDS:
        return ""
    decisions = list(decisions_of_case(request.user, voice))
    may_draft = (
        can(request.user, Capability.ACT, voice.unit)
        and voice.status in DRAFTABLE_FROM
        and not decided_since_reopening(voice)
        and not any(d.status != DecisionStatus.ISSUED for d in decisions)
    )
    get_token(request)
    return render_to_string(
        "decisions/_case_panel.html",
        {"voice": voice, "decisions": decisions, "may_draft": may_draft},
        request=request,
    )
