"""The actions the case page offers, their forms, and the service each one calls.

Which actions are offered follows the services' ``ALLOWED_FROM`` (through ``forms.CASE_ACTIONS``)
and what the case allows beyond its status (``applicable``); the services decide anyway. The page
itself is ``views_case.py``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy

from danvan.audit.context import Actor
from danvan.deadlines.models import Complexity, Step, VoiceKind
from danvan.lib.users import Requester
from danvan.voices.forms import (
    CASE_ACTIONS,
    AssignForm,
    CaseActionForm,
    CoordinateForm,
    CoordinationReplyForm,
    ExtendForm,
    ForwardForm,
    SetTopicForm,
)
from danvan.voices.models import Channel, Coordination, Voice, VoiceStatus
from danvan.voices.schedule import extension_ways_of
from danvan.voices.selectors import (
    assignable_bodies,
    bodies_above,
    case_topics,
    has_second_complaint,
    open_coordinations,
)
from danvan.voices.services_answer import (
    DECIDED_KINDS,
    case_answer,
    case_close,
    case_publish,
    case_reopen,
    decided_since_reopening,
)
from danvan.voices.services_citizen import complaint_file_second
from danvan.voices.services_handling import case_coordinate, case_extend, coordination_reply
from danvan.voices.services_routing import (
    case_accept,
    case_assign,
    case_forward,
    case_refuse,
    case_set_topic,
    may_accept,
)

#: The submit button of each action's form.
ACTION_BUTTONS = {
    "accept": gettext_lazy("Accept"),
    "refuse": gettext_lazy("Refuse"),
    "assign": gettext_lazy("Assign"),
    "forward": gettext_lazy("Forward"),
    "coordinate": gettext_lazy("Ask to coordinate"),
    "coordination_reply": gettext_lazy("Record the reply"),
    "extend": gettext_lazy("Extend"),
    "answer": gettext_lazy("Save the answer"),
    "publish": gettext_lazy("Publish the answer"),
    "close": gettext_lazy("Close the case"),
    "reopen": gettext_lazy("Reopen"),
    "second_complaint": gettext_lazy("File the second complaint"),
    "set_topic": gettext_lazy("Save the topic"),
}

#: Actions whose forms the case page shows unfolded.
COMMON_ACTIONS = frozenset({"accept", "refuse", "assign", "answer", "publish", "close"})

#: The heading of each action's card.
ACTION_TITLES = {
    "accept": gettext_lazy("Accept the case (thụ lý)"),
    "refuse": gettext_lazy("Refuse the case"),
    "assign": gettext_lazy("Assign to the responsible body"),
    "forward": gettext_lazy("Forward to the competent body"),
    "coordinate": gettext_lazy("Ask other bodies to coordinate"),
    "coordination_reply": gettext_lazy("Record a coordinating body's reply"),
    "extend": gettext_lazy("Extend a time limit"),
    "answer": gettext_lazy("Record the answer"),
    "publish": gettext_lazy("Publish the answer to the citizen"),
    "close": gettext_lazy("Close the case"),
    "reopen": gettext_lazy("Reopen the case"),
    "second_complaint": gettext_lazy("File a second complaint against this decision"),
    "set_topic": gettext_lazy("Change the topic"),
}


def step_label(step: str) -> str:
    return str(Step(step).label) if step in Step.values else step


def _extendable_steps(voice: Voice) -> list[tuple[str, str]]:
    """The open steps the law lets the case give more time, with the complexities that do."""
    choices = []
    for step, ways in extension_ways_of(voice).items():
        levels = ", ".join(str(Complexity(level).label) for level in ways)
        choices.append((step, f"{step_label(step)} ({levels})"))
    return choices


def _applicable(user: Requester, voice: Voice, action: str) -> bool:
    """Whether the case page offers ``action`` beyond its status (the services decide anyway)."""
    if action == "second_complaint":
        return voice.kind == VoiceKind.COMPLAINT_FIRST and not has_second_complaint(voice)
    if action == "coordination_reply":
        return open_coordinations(voice).exists()
    if action == "extend":
        return bool(_extendable_steps(voice))
    if action in ("accept", "refuse"):
        return may_accept(user, voice)
    if action == "close" and voice.kind in DECIDED_KINDS and voice.status != VoiceStatus.REFUSED:
        # Closed only once the decision or conclusion is issued (the decisions app's panel).
        return decided_since_reopening(voice)
    return True


def _form_choices(
    user: Requester, voice: Voice, form_class: type[CaseActionForm]
) -> dict[str, Any]:
    """What the action's form offers to choose from."""
    if form_class is AssignForm:
        return {"bodies": assignable_bodies(user, voice)}
    if form_class is ForwardForm or form_class is CoordinateForm:
        return {"bodies": bodies_above(voice).exclude(pk=voice.assignee_id or 0)}
    if form_class is CoordinationReplyForm:
        return {"coordinations": open_coordinations(voice)}
    if form_class is ExtendForm:
        return {"steps": _extendable_steps(voice), "complexity": voice.complexity}
    if form_class is SetTopicForm:
        return {"topics": case_topics(user, voice)}
    return {}


def _initial(voice: Voice, form_class: type[CaseActionForm]) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": voice.version}
    if form_class is AssignForm and voice.assignee_id:
        initial["body"] = voice.assignee_id
    if form_class is ExtendForm:
        initial["complexity"] = voice.complexity
    if form_class is SetTopicForm:
        # The classifier's suggestion is offered first; the officer confirms or corrects it.
        initial["topic"] = voice.suggested_topic_id or voice.topic_id
    return initial


def action_form(user: Requester, voice: Voice, action: str, data: Any = None) -> CaseActionForm:
    """The form of ``action`` on the case: bound to ``data`` (a POST), or with the case's values."""
    form_class = CASE_ACTIONS[action][0]
    kwargs = {"prefix": action, **_form_choices(user, voice, form_class)}
    if data is None:
        kwargs["initial"] = _initial(voice, form_class)
    return form_class(data, **kwargs)


def offered_actions(
    user: Requester, voice: Voice, *, bound: tuple[str, CaseActionForm] | None = None
) -> list[dict[str, Any]]:
    """The actions the case page shows, each with its form (``bound``: the one posted)."""
    offered: list[dict[str, Any]] = []
    for action, (_form_class, allowed_from) in CASE_ACTIONS.items():
        if voice.status not in allowed_from or not _applicable(user, voice, action):
            continue
        if bound is not None and bound[0] == action:
            form = bound[1]
        else:
            form = action_form(user, voice, action)
        offered.append(
            {
                "action": action,
                "form": form,
                "title": ACTION_TITLES[action],
                "button": ACTION_BUTTONS[action],
                # The everyday actions are unfolded; the rarer ones are one click away.
                "common": action in COMMON_ACTIONS,
            }
        )
    return offered


def perform(
    action: str, *, actor: Actor, voice: Voice, version: int, data: dict[str, Any]
) -> Voice:
    """Call the service of ``action`` with the form's cleaned ``data``."""
    common: dict[str, Any] = {"actor": actor, "voice": voice, "expected_version": version}
    if action == "accept":
        accepted_on: datetime.date = data["accepted_on"]
        return case_accept(**common, accepted_on=accepted_on)
    if action == "refuse":
        return case_refuse(**common, reason=data["reason"])
    if action == "assign":
        return case_assign(**common, body=data["body"])
    if action == "answer":
        return case_answer(**common, text=data["text"])
    if action == "publish":
        return case_publish(**common)
    if action == "close":
        return case_close(**common, note=data.get("note", ""))
    if action == "reopen":
        return case_reopen(**common, reason=data["reason"])
    if action == "forward":
        return case_forward(**common, body=data["body"], reason=data["reason"])
    if action == "coordinate":
        return case_coordinate(**common, bodies=list(data["bodies"]), request=data["request"])
    if action == "coordination_reply":
        coordination: Coordination = data["coordination"]
        return coordination_reply(
            actor=actor, coordination=coordination, expected_version=version, reply=data["reply"]
        )
    if action == "extend":
        return case_extend(
            **common, step=data["step"], reason=data["reason"], complexity=data["complexity"]
        )
    if action == "set_topic":
        return case_set_topic(**common, topic=data["topic"])
    if action == "second_complaint":
        return complaint_file_second(
            actor=actor,
            first=voice,
            expected_version=version,
            text=data["text"],
            channel=Channel.OFFICER,
            received_on=data["received_on"],
        )
    raise Http404
