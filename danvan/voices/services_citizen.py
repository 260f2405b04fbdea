"""What the citizen does after the answer: rating it, and filing a second complaint against a
first-time decision (Law on Complaints Art. 33). The citizen does both on the status page with
only the tracking code; officers may file a second complaint from the case page.
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
from danvan.organizations.models import Body
from danvan.voices.models import Voice
from danvan.voices.schedule import second_complaint_deadline
from danvan.voices.services import transition, voice_submit

#: Scores of the citizen's satisfaction with the answer.
SATISFACTION_SCORES = range(1, 6)


@transaction.atomic
def voice_rate(
    *, actor: Actor, voice: Voice, expected_version: int, score: int, comment: str = ""
) -> Voice:
    """The citizen's rating of the published answer (1 to 5), given once, with the tracking code."""
    if score not in SATISFACTION_SCORES:
        raise ValidationError(_("Give a score from 1 to 5."))
    comment = comment.strip()
    if len(comment) > 2000:
        raise ValidationError(_("The comment is longer than 2000 characters."))

    def change(v: Voice) -> dict[str, Any]:
        if v.satisfaction is not None:
            raise ValidationError(_("This answer has already been rated."))
        v.satisfaction = score
        v.satisfaction_comment = comment
        return {"satisfaction": score}

    return transition(actor, voice, expected_version, "rate", change, note=comment)


def _check_second_complaint_allowed(first: Voice, day: datetime.date) -> None:
    if first.kind != VoiceKind.COMPLAINT_FIRST:
        raise ValidationError(_("Only a first complaint can be followed by a second complaint."))
    last_day = second_complaint_deadline(first)
    if last_day is not None and day > last_day:
        raise ValidationError(
            _("The time to file a second complaint ended on %(day)s (Law on Complaints Art. 33).")
            % {"day": last_day.strftime("%d/%m/%Y")}
        )
    if first.is_open:
        resolve = first.deadlines.filter(step="resolve").first()
        if resolve is None or resolve.due_on is None or resolve.due_on >= day:
            raise ValidationError(
                _(
                    "A second complaint can be filed once the first is decided, or once its time "
                    "limit has passed without a decision."
                )
            )
    if Voice.objects.filter(previous=first, kind=VoiceKind.COMPLAINT_SECOND).exists():
        raise ValidationError(_("A second complaint has already been filed against this decision."))


@transaction.atomic
def complaint_file_second(
    *,
    actor: Actor,
    first: Voice,
    expected_version: int,
    text: str,
    channel: str,
    received_on: datetime.date | None = None,
    receiving_body: Body | None = None,
    submission_key: str | None = None,
) -> Voice:
    """File a second complaint against the first-time decision (Law on Complaints Art. 33).

    The second complaint is a new case of kind ``complaint_second`` linked to the first, made by
    the same complainant; the first case gets an event pointing to it.
    """
    day = received_on or timezone.localdate()
    _check_second_complaint_allowed(first, day)
    created: dict[str, Voice] = {}

    def change(v: Voice) -> dict[str, Any]:
        second = voice_submit(
            actor=actor,
            kind=VoiceKind.COMPLAINT_SECOND,
            channel=channel,
            unit=v.unit,
            topic=v.topic,
            text=text,
            received_on=day,
            submitter_name=v.submitter_name,
            submitter_contact=v.submitter_contact,
            submitter_address=v.submitter_address,
            receiving_body=receiving_body,
            previous=v,
            submission_key=submission_key,
        )
        created["second"] = second
        return {"second_complaint": second.tracking_code}

    transition(actor, first, expected_version, "second_complaint", change)
    return created["second"]
