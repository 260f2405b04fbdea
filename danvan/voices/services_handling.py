"""While a case is handled: asking other bodies to coordinate, recording their replies, and
giving a step more time as far as the law allows. Each action goes through
``services.transition``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.deadlines.engine import COMPLEXITY_ORDER, EXTENSION
from danvan.deadlines.models import Complexity
from danvan.organizations.models import Body
from danvan.voices.models import Coordination, Voice
from danvan.voices.schedule import (
    coordination_reply_due,
    extension_ways_of,
    no_extension_reason,
    refresh_due_on,
    store_schedule,
)
from danvan.voices.services import required_text, tell_body, transition


def _check_may_coordinate(voice: Voice, body: Body) -> None:
    if not body.is_active:
        raise ValidationError(_("%(body)s is no longer active.") % {"body": body.name})
    if not voice.unit.path.startswith(body.unit.path):
        # Its officers must be able to see the case to reply.
        raise ValidationError(
            _("%(body)s is not at the case's unit or above it.") % {"body": body.name}
        )
    if body.pk == voice.assignee_id:
        raise ValidationError(_("%(body)s is the responsible body itself.") % {"body": body.name})
    if Coordination.objects.filter(voice=voice, body=body, replied_at__isnull=True).exists():
        raise ValidationError(
            _("%(body)s has already been asked and has not replied yet.") % {"body": body.name}
        )


@transaction.atomic
def case_coordinate(
    *, actor: Actor, voice: Voice, expected_version: int, bodies: list[Body], request: str
) -> Voice:
    """Ask other bodies to coordinate; each reply gets its due date."""
    request = required_text(request, _("Say what the other bodies are asked to do."))
    if not bodies:
        raise ValidationError(_("Choose at least one body."))

    def change(v: Voice) -> dict[str, Any]:
        today = timezone.localdate()
        for body in bodies:
            _check_may_coordinate(v, body)
        due = coordination_reply_due(v, today)
        Coordination.objects.bulk_create(
            Coordination(voice=v, body=b, request=request, requested_by=actor.user, due_on=due)
            for b in bodies
        )
        v.deadlines.filter(step="coordinate", done_on__isnull=True).update(done_on=today)
        refresh_due_on(v)
        return {"bodies": [b.pk for b in bodies], "reply_due": due.isoformat() if due else None}

    asked = transition(actor, voice, expected_version, "coordinate", change, note=request)
    for body in bodies:
        tell_body(
            actor=actor,
            voice=asked,
            body=body,
            kind="coordination",
            title=_("%(body)s is asked to coordinate on case %(code)s"),
            body_text=request,
        )
    return asked


@transaction.atomic
def coordination_reply(
    *, actor: Actor, coordination: Coordination, expected_version: int, reply: str
) -> Voice:
    """Record a coordinating body's reply. Whoever may act on the case may record it; the
    coordinating bodies are at the case's unit or above, so their officers can."""
    reply = required_text(reply, _("The reply is empty."))
    locked = (
        Coordination.objects.select_for_update()
        .select_related("body__unit")
        .get(pk=coordination.pk)
    )
    if locked.replied_at is not None:
        raise ValidationError(_("This body has already replied."))

    def change(v: Voice) -> dict[str, Any]:
        locked.reply = reply
        locked.replied_at = timezone.now()
        locked.save(update_fields=["reply", "replied_at"])
        return {"coordination": locked.pk}

    return transition(
        actor,
        coordination.voice,
        expected_version,
        "coordination_reply",
        change,
        note=reply,
        body=locked.body,
    )


@transaction.atomic
def case_extend(
    *,
    actor: Actor,
    voice: Voice,
    expected_version: int,
    step: str,
    reason: str,
    complexity: str | None = None,
) -> Voice:
    """Give one step more time, only as far as the case's rule set allows.

    A denunciation may be extended once when complex and twice when especially complex (Law on
    Denunciations Art. 30); a first complaint found complex gets the longer limit of Art. 28 (45
    days instead of 30; 60 instead of 45 in remote areas), which is not an extension. The
    officer states the complexity with the extension; it can only be raised.
    """
    reason = required_text(reason, _("Say why the time limit is extended."))
    if complexity is not None and complexity not in Complexity.values:
        raise ValidationError(_("Unknown complexity."))

    def change(v: Voice) -> dict[str, Any]:
        row = v.deadlines.filter(step=step).first()
        if row is None or row.due_on is None:
            raise ValidationError(_("This case has no due date for that step to extend."))
        if row.done_on is not None:
            raise ValidationError(_("That step is already done."))
        before = row.due_on
        level = complexity or v.complexity
        if COMPLEXITY_ORDER.index(Complexity(level)) < COMPLEXITY_ORDER.index(
            Complexity(v.complexity)
        ):
            raise ValidationError(
                _("The case is already “%(complexity)s”: an extension cannot lower it.")
                % {"complexity": Complexity(v.complexity).label}
            )
        ways = extension_ways_of(v).get(step, {})
        way = ways.get(level)
        if way is None:
            raise ValidationError(
                _("The law allows no further extension of this step: %(reason)s")
                % {"reason": no_extension_reason(ways, row.extensions)}
            )
        v.complexity = level
        store_schedule(v, extensions={step: row.extensions + 1} if way == EXTENSION else None)
        row.refresh_from_db()
        return {
            "step": step,
            "due_on": [before.isoformat(), row.due_on.isoformat() if row.due_on else None],
            "extensions": row.extensions,
            "reason": reason,
        }

    return transition(actor, voice, expected_version, "extend", change, note=reason)
