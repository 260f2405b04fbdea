"""Answering a case and ending it: the answer, its publication to the citizen, the decision or
conclusion the head issues (``case_decide``), closing, and reopening. Each action goes through
``services.transition``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.deadlines.models import VoiceKind
from danvan.voices.models import Voice, VoiceStatus
from danvan.voices.schedule import DONE_BY_ANSWER, store_schedule
from danvan.voices.services import required_text, transition

#: Kinds answered by a document the head of the competent body signs: a decision on a complaint
#: (Law on Complaints 2011 Art. 31, 40) or a conclusion on a denunciation (Law on Denunciations
#: 2018 Art. 35). Such a case is closed only once that document is issued (``case_decide``).
DECIDED_KINDS = frozenset(
    {VoiceKind.COMPLAINT_FIRST, VoiceKind.COMPLAINT_SECOND, VoiceKind.DENUNCIATION}
)


def _complete_answer_steps(voice: Voice, day: datetime.date) -> None:
    voice.deadlines.filter(done_on__isnull=True, step__in=DONE_BY_ANSWER).update(done_on=day)


@transaction.atomic
def case_answer(*, actor: Actor, voice: Voice, expected_version: int, text: str) -> Voice:
    """Record the answer. The citizen sees it only once it is published."""
    text = required_text(text, _("The answer is empty."))

    def change(v: Voice) -> dict[str, Any]:
        v.answer_text = text
        v.answered_at = timezone.now()
        _complete_answer_steps(v, timezone.localdate())
        v.due_on = None
        return {}

    return transition(actor, voice, expected_version, "answer", change)


@transaction.atomic
def case_publish(*, actor: Actor, voice: Voice, expected_version: int) -> Voice:
    def change(v: Voice) -> dict[str, Any]:
        v.published_at = timezone.now()
        # The decision reaches the citizen today: the time for a second complaint runs from it.
        v.decided_on = max(timezone.localdate(), v.accepted_on or v.received_on)
        store_schedule(v)
        v.due_on = None
        return {"decided_on": v.decided_on.isoformat()}

    return transition(actor, voice, expected_version, "publish", change)


@transaction.atomic
def case_close(*, actor: Actor, voice: Voice, expected_version: int, note: str = "") -> Voice:
    def change(v: Voice) -> dict[str, Any]:
        if (
            v.kind in DECIDED_KINDS
            and v.status != VoiceStatus.REFUSED
            and not decided_since_reopening(v)
        ):
            raise ValidationError(
                _(
                    "A complaint or denunciation is closed only once the decision or conclusion "
                    "on it, approved by the head of the body, is issued."
                )
            )
        v.closed_at = timezone.now()
        v.due_on = None
        return {}

    return transition(actor, voice, expected_version, "close", change, note=note)


def decided_since_reopening(voice: Voice) -> bool:
    """Whether an issued decision answered the case after it was last reopened."""
    last: dict[str, int] = {}
    for action, pk in voice.events.filter(action__in=["decide", "reopen"]).values_list(
        "action", "pk"
    ):
        last[action] = max(pk, last.get(action, 0))
    return last.get("decide", 0) > last.get("reopen", 0)


@transaction.atomic
def case_decide(
    *,
    actor: Actor,
    voice: Voice,
    expected_version: int,
    text: str,
    decided_on: datetime.date,
    reference: str,
) -> Voice:
    """The issued decision or conclusion answers the case and is published to the citizen.

    Called by the app that keeps the documents (``danvan.decisions``) when the head issues one:
    ``text`` is its public content (never a denouncer's identity), ``reference`` its number and
    symbol. The time for a second complaint runs from ``decided_on`` (Law on Complaints Art. 33).
    """
    if voice.kind not in DECIDED_KINDS:
        raise ValidationError(_("Only complaints and denunciations are answered by a decision."))
    text = required_text(text, _("The answer is empty."))

    def change(v: Voice) -> dict[str, Any]:
        v.answer_text = text
        now = timezone.now()
        v.answered_at = v.answered_at or now
        v.published_at = now
        _complete_answer_steps(v, decided_on)
        v.decided_on = max(decided_on, v.accepted_on or v.received_on)
        store_schedule(v)
        v.due_on = None
        return {"decided_on": v.decided_on.isoformat(), "reference": reference}

    return transition(actor, voice, expected_version, "decide", change, note=reference)


@transaction.atomic
def case_reopen(*, actor: Actor, voice: Voice, expected_version: int, reason: str) -> Voice:
    reason = required_text(reason, _("Say why the case is reopened."))

    def change(v: Voice) -> dict[str, Any]:
        v.closed_at = None
        # Decided on the locked row, not on the caller's copy, which may be stale.
        if v.accepted_on is None:
            v.status = VoiceStatus.RECEIVED  # a refused case is accepted or refused anew
        else:
            v.status = VoiceStatus.ASSIGNED if v.assignee_id else VoiceStatus.ACCEPTED
        # The answer is to be given again: its step is open once more, with the limit the law
        # set from acceptance (reopening does not start a new one), so the case is due again.
        v.deadlines.filter(step__in=DONE_BY_ANSWER).update(done_on=None)
        store_schedule(v)
        return {"due_on": v.due_on.isoformat() if v.due_on else None}

    return transition(actor, voice, expected_version, "reopen", change, note=reason)
