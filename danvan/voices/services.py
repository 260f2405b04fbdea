"""Writes to voices: taking a voice in (``voice_submit``) and what every case action shares.

Every case action locks the case, checks the version the officer saw, records a timeline event
and an audit row in the same transaction (``transition``), from the statuses ``ALLOWED_FROM``
allows. The actions themselves, by what they are about:

- ``services_routing``: accept or refuse (thụ lý), assign, forward, correct the topic;
- ``services_handling``: coordination with other bodies, extensions of a time limit;
- ``services_answer``: answer, publish, the issued decision, close, reopen;
- ``services_citizen``: the citizen's rating, a second complaint;
- ``services_topics``: a province's own topics.

The due dates they store are computed in ``schedule.py``."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.models import Complexity
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.notifications.services import notify
from danvan.organizations.models import Body, Membership
from danvan.units.models import AdministrativeUnit
from danvan.voices.intake import (
    intake_errors,
    intake_insert,
    intake_record,
    intake_schedule,
    intake_voice_fields,
    tracking_code_new,
    units_remote,
)
from danvan.voices.models import Topic, Voice, VoiceEvent, VoiceStatus

#: The statuses each case action may start from. Pages read it to offer only possible actions.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    # A forwarded case is accepted or refused again, by the competent body.
    "accept": (VoiceStatus.RECEIVED, VoiceStatus.FORWARDED),
    "refuse": (VoiceStatus.RECEIVED, VoiceStatus.FORWARDED),
    "assign": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "forward": (VoiceStatus.RECEIVED, VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "coordinate": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "coordination_reply": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED, VoiceStatus.ANSWERED),
    "extend": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "answer": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED, VoiceStatus.ANSWERED),
    "publish": (VoiceStatus.ANSWERED,),
    # The issued decision on a complaint or conclusion on a denunciation answers the case, also
    # after a free-text answer was published.
    "decide": (
        VoiceStatus.ACCEPTED,
        VoiceStatus.ASSIGNED,
        VoiceStatus.ANSWERED,
        VoiceStatus.PUBLISHED,
    ),
    "close": (VoiceStatus.PUBLISHED, VoiceStatus.REFUSED, VoiceStatus.ANSWERED),
    "reopen": (VoiceStatus.CLOSED, VoiceStatus.PUBLISHED),
    "rate": (VoiceStatus.PUBLISHED, VoiceStatus.CLOSED),
    # Correcting the topic is filing, not a decision: allowed whatever the case's state.
    "set_topic": tuple(VoiceStatus.values),
    # Once decided, or while still open after its time limit has passed (checked by the service).
    "second_complaint": (
        VoiceStatus.PUBLISHED,
        VoiceStatus.CLOSED,
        VoiceStatus.ANSWERED,
        VoiceStatus.ACCEPTED,
        VoiceStatus.ASSIGNED,
    ),
}


#: The status each action leads to; the others keep the status, or their change sets it (reopen).
LEADS_TO: dict[str, str] = {
    "accept": VoiceStatus.ACCEPTED,
    "refuse": VoiceStatus.REFUSED,
    "assign": VoiceStatus.ASSIGNED,
    "forward": VoiceStatus.FORWARDED,
    "answer": VoiceStatus.ANSWERED,
    "publish": VoiceStatus.PUBLISHED,
    "decide": VoiceStatus.PUBLISHED,
    "close": VoiceStatus.CLOSED,
}

#: The actions the citizen sees on the public timeline; the other notes stay internal.
PUBLIC_ACTIONS = frozenset(
    {
        "accept",
        "refuse",
        "assign",
        "forward",
        "extend",
        "publish",
        "decide",
        "close",
        "reopen",
        "second_complaint",
    }
)


class StaleCaseError(ValidationError):
    """Another officer changed the case since this one loaded it."""


class CaseStateError(ValidationError):
    """The action cannot be taken in the case's current status (the API answers 409)."""


@transaction.atomic
def voice_submit(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    unit: AdministrativeUnit,
    topic: Topic,
    text: str,
    received_on: datetime.date | None = None,
    is_anonymous: bool = False,
    submitter_name: str = "",
    submitter_contact: str = "",
    submitter_address: str = "",
    submitter_id_number: str = "",
    receiving_body: Body | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    complexity: str = Complexity.NORMAL,
    joint: bool = False,
    previous: Voice | None = None,
    submission_key: str | None = None,
    import_fingerprint: str | None = None,
) -> Voice:
    """Take in a voice from any channel, through the intake steps (``intake.py``), which the
    spreadsheet import takes too.

    ``submission_key`` is a key the server made (the citizens' form's one-time token, the demo
    data): a retried call with the same key returns the first voice, with ``replayed`` set.
    Clients' keys never come here: the API keeps them per client (``danvan.api.idempotency``).
    ``import_fingerprint``: a spreadsheet row's (``fingerprint.py``); a row imported before is
    refused.
    """
    if submission_key:
        existing = Voice.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            existing.replayed = True
            return existing
    today = timezone.localdate()
    received_on = received_on or today
    text = text.strip()
    errors = intake_errors(
        kind=kind,
        text=text,
        received_on=received_on,
        today=today,
        unit=unit,
        topic=topic,
        named=not is_anonymous and bool(submitter_name.strip()),
        joint=joint,
        latitude=latitude,
        longitude=longitude,
    )
    if errors:
        raise ValidationError(errors)
    remote = units_remote([unit.pk])[unit.pk]
    schedule = intake_schedule(
        kind=kind, received_on=received_on, remote=remote, complexity=complexity, joint=joint
    )
    fields, identity = intake_voice_fields(
        kind=kind,
        channel=channel,
        text=text,
        received_on=received_on,
        remote=remote,
        schedule=schedule,
        is_anonymous=is_anonymous,
        complexity=complexity,
        joint=joint,
        name=submitter_name,
        contact=submitter_contact,
        address=submitter_address,
        id_number=submitter_id_number,
    )
    voice = Voice(
        **fields,
        tracking_code=tracking_code_new(),
        unit=unit,
        topic=topic,
        latitude=latitude,
        longitude=longitude,
        receiving_body=receiving_body,
        previous=previous,
        submission_key=submission_key or None,
        import_fingerprint=import_fingerprint or None,
        created_by=actor.user,
    )
    raced = intake_insert(
        voice, submission_key=submission_key, import_fingerprint=import_fingerprint
    )
    if raced is not None:
        return raced
    intake_record(voice, actor=actor, schedule=schedule, identity=identity)
    return voice


def required_text(value: str, message: str) -> str:
    """``value`` stripped; refused with ``message`` (the reason the citizen or a colleague will
    read) when nothing is left."""
    value = value.strip()
    if not value:
        raise ValidationError(message)
    return value


def transition(
    actor: Actor,
    voice: Voice,
    expected_version: int,
    action: str,
    change: Callable[[Voice], dict[str, Any]],
    *,
    note: str = "",
    body: Body | None = None,
) -> Voice:
    """Take ``action`` on the case: lock it, check the actor may act, the version they saw and
    the status (``ALLOWED_FROM``); ``change`` edits the locked row and returns what the audit row
    adds. The status becomes ``LEADS_TO[action]`` (or what ``change`` set); a timeline event
    (public for ``PUBLIC_ACTIONS``) and an audit row are written in the same transaction."""
    locked = Voice.objects.select_for_update().select_related("unit").get(pk=voice.pk)
    if actor.user is not None and not can(actor.user, Capability.ACT, locked.unit):
        raise PermissionDenied(_("You may not act on this case."))
    if locked.version != expected_version:
        raise StaleCaseError(
            _(
                "Someone else changed this case while you were looking at it. Reload it and try again."
            )
        )
    if locked.status not in ALLOWED_FROM[action]:
        raise CaseStateError(
            _("This cannot be done while the case is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    from_status = locked.status
    before = {f.attname: getattr(locked, f.attname) for f in locked._meta.concrete_fields}
    details = change(locked)
    if action in LEADS_TO:
        locked.status = LEADS_TO[action]
    locked.version += 1
    changed = [name for name, value in before.items() if getattr(locked, name) != value]
    locked.save(update_fields=[*changed, "updated_at"])
    VoiceEvent.objects.create(
        voice=locked,
        actor=actor.user,
        action=action,
        from_status=from_status,
        to_status=locked.status,
        body=body,
        note=note,
        is_public=action in PUBLIC_ACTIONS,
    )
    audit_record(
        actor=actor,
        action=f"voice.{action}",
        obj=locked,
        unit=locked.unit,
        changes={"status": [from_status, locked.status], **details},
    )
    return locked


def case_link(voice: Voice) -> str:
    """Where a notification about ``voice`` points: the officers' case page."""
    return reverse("voices:case", args=[voice.tracking_code])


def tell_body(
    *, actor: Actor, voice: Voice, body: Body, kind: str, title: str, body_text: str
) -> None:
    """Notify the officers of ``body`` who may act (in the app, and by email after the commit).
    ``title`` names the case and the body with ``%(code)s`` and ``%(body)s``."""
    members = (
        Membership.objects.active()
        .holding(Capability.ACT)
        .filter(body=body)
        .select_related("user")
        .order_by("user_id")
    )
    notify(
        actor=actor,
        recipients=[
            m.user for m in members if m.user_id != (actor.user.pk if actor.user else None)
        ],
        kind=kind,
        title=title % {"code": voice.tracking_code, "body": body.name},
        body=body_text,
        link=case_link(voice),
        obj=voice,
        unit=voice.unit,
    )
