"""Who handles a case: accepting (thụ lý) or refusing it, assigning it to the responsible body,
forwarding it to the competent one, and filing it under the right topic. Each action goes
through ``services.transition`` (the case locked, the version checked, an event and an audit row).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import scope_for
from danvan.lib.users import Requester
from danvan.organizations.models import Body, Membership
from danvan.voices.hooks import topic_corrected
from danvan.voices.intake import province_of
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.schedule import DONE_BY_ACCEPTANCE, refresh_due_on, store_schedule
from danvan.voices.services import required_text, tell_body, transition


def may_accept(user: Requester | None, voice: Voice) -> bool:
    """Whether ``user`` may accept or refuse the case (thụ lý). Once forwarded, the case is the
    competent body's to accept or refuse: only that body's officers (and a system administrator)
    may, not the body that forwarded it. ``user`` None is the system itself (imports, the demo)."""
    if voice.status != VoiceStatus.FORWARDED or voice.assignee_id is None or user is None:
        return True
    # A global role (not a path in the scope) may accept anywhere; others through the body.
    if scope_for(user, Capability.ACT).is_global:
        return True
    return (
        Membership.objects.active()
        .holding(Capability.ACT)
        .filter(user=user, body_id=voice.assignee_id)
        .exists()
    )


def _check_may_accept(actor: Actor, voice: Voice) -> None:
    if not may_accept(actor.user, voice):
        raise PermissionDenied(
            _("This case was forwarded to %(body)s: its officers accept or refuse it.")
            % {"body": voice.assignee}
        )


@transaction.atomic
def case_accept(
    *, actor: Actor, voice: Voice, expected_version: int, accepted_on: datetime.date | None = None
) -> Voice:
    """Accept the case for handling (thụ lý); the steps counted from acceptance get their dates."""
    day = accepted_on or timezone.localdate()

    def change(v: Voice) -> dict[str, Any]:
        _check_may_accept(actor, v)
        if day < v.received_on:
            raise ValidationError(_("The acceptance date cannot be before the date of receipt."))
        if day > timezone.localdate():
            raise ValidationError(_("The acceptance date cannot be in the future."))
        v.accepted_on = day
        store_schedule(v)
        v.deadlines.filter(step__in=DONE_BY_ACCEPTANCE).update(done_on=day)
        refresh_due_on(v)
        return {"accepted_on": day.isoformat()}

    return transition(actor, voice, expected_version, "accept", change)


@transaction.atomic
def case_refuse(*, actor: Actor, voice: Voice, expected_version: int, reason: str) -> Voice:
    reason = required_text(reason, _("Say why the case is refused: the citizen will read it."))

    def change(v: Voice) -> dict[str, Any]:
        _check_may_accept(actor, v)
        v.refusal_reason = reason
        v.due_on = None
        return {}

    return transition(actor, voice, expected_version, "refuse", change, note=reason)


def _check_body_above(voice: Voice, body: Body, message: str) -> None:
    if not voice.unit.path.startswith(body.unit.path):
        raise ValidationError(message)


@transaction.atomic
def case_assign(*, actor: Actor, voice: Voice, expected_version: int, body: Body) -> Voice:
    """Give the case to the body responsible for acting on it."""
    if not body.is_active:
        raise ValidationError(_("This body is no longer active."))

    def change(v: Voice) -> dict[str, Any]:
        _check_body_above(
            v, body, _("The responsible body must be at the case's unit or above it.")
        )
        previous = v.assignee_id
        v.assignee = body
        return {"assignee": [previous, body.pk]}

    assigned = transition(actor, voice, expected_version, "assign", change, body=body)
    tell_body(
        actor=actor,
        voice=assigned,
        body=body,
        kind="case_received",
        title=_("Case %(code)s is assigned to %(body)s"),
        body_text=_("Due on %(due)s.") % {"due": assigned.due_on.strftime("%d/%m/%Y")}
        if assigned.due_on
        else "",
    )
    return assigned


@transaction.atomic
def case_forward(
    *, actor: Actor, voice: Voice, expected_version: int, body: Body, reason: str
) -> Voice:
    """Hand the case to the competent body when this one is not competent.

    The competent body accepts or refuses it anew; the steps counted from acceptance wait for
    that. A denouncer's identity is never part of what is handed over: it stays in
    ``DenouncerIdentity``, which only the roles the law permits can open (Law on Denunciations
    Art. 9.1.b).
    """
    reason = required_text(reason, _("Say why the case goes to another body."))

    def change(v: Voice) -> dict[str, Any]:
        if not body.is_active:
            raise ValidationError(_("This body is no longer active."))
        _check_body_above(v, body, _("The body must be at the case's unit or above it."))
        if v.assignee_id == body.pk:
            raise ValidationError(_("The case is already with this body."))
        previous = v.assignee_id
        v.assignee = body
        v.accepted_on = None
        today = timezone.localdate()
        v.deadlines.filter(step="forward", done_on__isnull=True).update(done_on=today)
        v.deadlines.filter(step__in=DONE_BY_ACCEPTANCE).update(done_on=None)
        store_schedule(v)
        return {"assignee": [previous, body.pk]}

    forwarded = transition(
        actor, voice, expected_version, "forward", change, note=reason, body=body
    )
    tell_body(
        actor=actor,
        voice=forwarded,
        body=body,
        kind="case_received",
        title=_("Case %(code)s is forwarded to %(body)s, to accept or refuse"),
        body_text=reason,
    )
    return forwarded


@transaction.atomic
def case_set_topic(*, actor: Actor, voice: Voice, expected_version: int, topic: Topic) -> Voice:
    """File the case under another topic. The correction is kept for the topic classifier to
    learn from (insight keeps it as a ``TopicLabel``, through ``voices.hooks``), with the topic it
    had suggested."""
    if topic.province is not None and topic.province.code != province_of(voice.unit):
        raise ValidationError(_("This topic belongs to another province."))
    if not topic.is_active:
        raise ValidationError(_("This topic is no longer in use."))

    def change(v: Voice) -> dict[str, Any]:
        before = v.topic_id
        v.topic = topic
        topic_corrected(v, topic, actor.user)
        return {"topic": [before, topic.pk]}

    return transition(actor, voice, expected_version, "set_topic", change)
