"""Taking in a voice (tiếp nhận): the steps of every channel, written once.

``services.voice_submit`` takes in one voice (the citizens' form, the officers' pages, the API, a
voter contact session); the spreadsheet import (``importing.plan`` and ``importing.write``) takes
in thousands at once and batches the reads and writes. Both go through these steps, so that a rule
changed here changes both (``tests/test_bulk.py`` checks they store the same records):

1. ``intake_errors``: what makes a voice unacceptable (kind, content, date, unit, topic, name).
2. ``units_remote``: the unit it is routed to, and whether it counts as remote, as stored now.
3. ``intake_schedule``: every step's due date from the deadlines rule set in force on the day of
   receipt, and the case's own due date.
4. ``intake_voice_fields`` (with ``intake_sender``): what the case stores; a denouncer's
   identity apart from it.
5. ``tracking_code_new`` and ``intake_insert``: the case's tracking code, and its row.
6. ``intake_record``: its due dates (``deadline_fields``), its "submit" event
   (``submit_event_fields``), its audit row (``intake_audit``; ``intake_audit_batch`` for a
   batch) and ``analyse_on_commit``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.engine import compute_schedule
from danvan.deadlines.errors import DeadlineError
from danvan.deadlines.models import Complexity, VoiceKind
from danvan.deadlines.rulebook import Rulebook
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.hooks import voices_received
from danvan.voices.models import (
    DenouncerIdentity,
    Topic,
    Voice,
    VoiceDeadline,
    VoiceEvent,
    VoiceStatus,
)
from danvan.voices.tracking import new_tracking_code

MAX_TEXT = 10_000

#: Kinds that the law does not let anyone raise anonymously (Law on Complaints Art. 8; Law on
#: Denunciations Art. 25: an anonymous denunciation is not handled as a denunciation).
NAMED_KINDS = frozenset(
    {VoiceKind.COMPLAINT_FIRST, VoiceKind.COMPLAINT_SECOND, VoiceKind.DENUNCIATION}
)

#: Steps whose dates are stored but that do not make the case due: forwarding applies only when
#: the body is not competent, the second complaint is the citizen's own limit, and the report to
#: the superior only arises once the case is overdue.
NOT_DRIVING_DUE = frozenset({"forward", "file_second_complaint", "superior_report"})

#: The units a voice is received in: a commune (ward, special zone) or one of its villages.
INTAKE_TIERS = (UnitTier.COMMUNE, UnitTier.VILLAGE)


def province_of(unit: AdministrativeUnit) -> str:
    """The code of the unit's province (the first code of its path)."""
    return unit.path.strip("/").split("/")[0]


def intake_errors(
    *,
    kind: str,
    text: str,
    received_on: datetime.date,
    today: datetime.date,
    unit: AdministrativeUnit,
    topic: Topic,
    named: bool,
    joint: bool = False,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> list[str]:
    """Why the voice cannot be taken in; empty when it can. ``text`` is stripped already;
    ``named``: the sender gave a name and did not ask to stay anonymous."""
    errors: list[str] = []
    if kind not in VoiceKind.values:
        errors.append(_("Unknown kind of voice."))
    if not text:
        errors.append(_("The content is empty."))
    elif len(text) > MAX_TEXT:
        errors.append(_("The content is longer than %(max)s characters.") % {"max": MAX_TEXT})
    if received_on > today:
        errors.append(_("The date of receipt cannot be in the future."))
    if not unit.is_current or unit.tier not in INTAKE_TIERS:
        errors.append(_("Choose a current commune, ward, village or residential group."))
    if topic.province is not None and topic.province.code != province_of(unit):
        errors.append(_("This topic belongs to another province."))
    if kind in NAMED_KINDS and not named:
        errors.append(
            _(
                "A complaint or denunciation needs the name of the person who makes it. "
                "Without a name, send it as a reflection."
            )
        )
    if joint and kind != VoiceKind.VOTER_RECOMMENDATION:
        errors.append(_("Only a voter recommendation can have a joint answer."))
    errors.extend(_coordinate_errors(latitude, longitude))
    return errors


def _coordinate_errors(latitude: Decimal | None, longitude: Decimal | None) -> list[str]:
    if (latitude is None) != (longitude is None):
        return [_("Give both latitude and longitude, or neither.")]
    if (
        latitude is not None
        and longitude is not None
        and not (
            Decimal(-90) <= latitude <= Decimal(90) and Decimal(-180) <= longitude <= Decimal(180)
        )
    ):
        return [_("The coordinates are outside the Earth.")]
    return []


def units_remote(unit_ids: Iterable[int]) -> dict[int, bool]:
    """Whether each unit counts as remote (a village when its commune is), as stored now, not as
    the caller's copy of the unit remembers it. One query for any number of units."""
    return {
        pk: bool(remote or (tier == UnitTier.VILLAGE and parent_remote))
        for pk, tier, remote, parent_remote in AdministrativeUnit.objects.filter(
            pk__in=set(unit_ids)
        ).values_list("pk", "tier", "is_remote", "parent__is_remote")
    }


@dataclass(frozen=True)
class IntakeSchedule:
    """The due dates of a voice just received, ready to store."""

    rule_set_id: int
    #: Each step's ``VoiceDeadline`` fields (``deadline_fields``); shared: never change them.
    deadlines: tuple[dict[str, Any], ...]
    #: The case's due date: the earliest of the steps that drive it.
    due_on: datetime.date | None


def intake_schedule(
    *,
    kind: str,
    received_on: datetime.date,
    remote: bool,
    complexity: str = Complexity.NORMAL,
    joint: bool = False,
    rulebook: Rulebook | None = None,
) -> IntakeSchedule:
    """Every step's due date with the rules in force on the day of receipt, known before the
    voice is written (one INSERT, no UPDATE after). ``rulebook``: rules read once for many voices.

    Raises ``ValidationError`` with the deadline engine's message when no schedule can be made."""
    try:
        if rulebook is None:
            schedule = compute_schedule(
                kind=kind, received=received_on, remote=remote, complexity=complexity, joint=joint
            )
        else:
            schedule = rulebook.schedule(
                kind=kind, received=received_on, remote=remote, complexity=complexity, joint=joint
            )
    except DeadlineError as exc:
        raise ValidationError(str(exc)) from exc
    driving = [s.due for s in schedule.steps if s.due is not None and s.step not in NOT_DRIVING_DUE]
    return IntakeSchedule(
        rule_set_id=schedule.rule_set_id,
        deadlines=tuple(
            deadline_fields(
                step=s.step, due_on=s.due, counts_from=s.counts_from, citation=s.citation
            )
            for s in schedule.steps
        ),
        due_on=min(driving) if driving else None,
    )


def deadline_fields(
    *, step: str, due_on: datetime.date | None, counts_from: str, citation: str
) -> dict[str, Any]:
    """A ``VoiceDeadline``'s fields for one step of the schedule."""
    return {"step": step, "due_on": due_on, "counts_from": counts_from, "citation": citation[:255]}


def intake_sender(
    *,
    kind: str,
    is_anonymous: bool,
    name: str,
    contact: str,
    address: str,
    id_number: str = "",
) -> tuple[dict[str, str], dict[str, str] | None]:
    """The sender's fields on the case, and a denouncer's identity (``DenouncerIdentity``'s
    fields) or None: a denouncer's identity never sits on the case itself."""
    name, contact, address = name.strip(), contact.strip(), address.strip()
    hidden = is_anonymous or kind == VoiceKind.DENUNCIATION
    on_case = {
        "submitter_name": "" if hidden else name,
        "submitter_contact": "" if hidden else contact,
        "submitter_address": "" if hidden else address,
    }
    identity = None
    if kind == VoiceKind.DENUNCIATION:
        identity = {
            "name": name,
            "contact": contact,
            "address": address,
            "id_number": id_number.strip(),
        }
    return on_case, identity


def intake_voice_fields(
    *,
    kind: str,
    channel: str,
    text: str,
    received_on: datetime.date,
    remote: bool,
    schedule: IntakeSchedule,
    is_anonymous: bool = False,
    complexity: str = Complexity.NORMAL,
    joint: bool = False,
    name: str = "",
    contact: str = "",
    address: str = "",
    id_number: str = "",
) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The fields of a received voice that intake decides (the caller adds its unit, topic,
    tracking code and author), and a denouncer's identity, kept apart (``intake_sender``)."""
    sender, identity = intake_sender(
        kind=kind,
        is_anonymous=is_anonymous,
        name=name,
        contact=contact,
        address=address,
        id_number=id_number,
    )
    fields = {
        "kind": kind,
        "channel": channel,
        "text": text,
        "received_on": received_on,
        "is_anonymous": is_anonymous,
        **sender,
        "is_remote": remote,
        "complexity": str(complexity),
        "is_joint": joint,
        "rule_set_id": schedule.rule_set_id,
        "due_on": schedule.due_on,
    }
    return fields, identity


def tracking_code_new(used: set[str] | None = None) -> str:
    """A fresh tracking code, not one of ``used`` (the codes given in this run, to which it is
    added). One already in the database, about once in a million at a million voices, fails the
    insert: the caller retries with a new code."""
    code = new_tracking_code()
    if used is not None:
        while code in used:
            code = new_tracking_code()
        used.add(code)
    return code


def submit_event_fields(actor: Actor) -> dict[str, Any]:
    """The "submit" event every received voice starts its timeline with (public)."""
    return {
        "actor_id": actor.user.pk if actor.user is not None else None,
        "action": "submit",
        "to_status": VoiceStatus.RECEIVED.value,
        "is_public": True,
    }


def intake_audit(*, actor: Actor, voice: Voice, unit: AdministrativeUnit) -> None:
    """The audit row of one received voice."""
    audit_record(
        actor=actor,
        action="voice.submit",
        obj=voice,
        unit=unit,
        changes={"kind": voice.kind, "channel": voice.channel},
    )


def intake_audit_batch(*, actor: Actor, channel: str, voice_ids: list[int]) -> None:
    """One audit row for a batch of voices received together (a spreadsheet import)."""
    audit_record(
        actor=actor,
        action="voice.submit_batch",
        changes={"channel": channel, "count": len(voice_ids), "voices": voice_ids},
    )


def intake_record(
    voice: Voice, *, actor: Actor, schedule: IntakeSchedule, identity: dict[str, str] | None
) -> None:
    """The records of one voice just inserted: a denouncer's identity, every step's due date,
    the "submit" event and the audit row; then its analysis, on commit. (The bulk path writes
    the same records in batches, with one audit row per batch.)"""
    if identity is not None:
        DenouncerIdentity.objects.create(voice=voice, **identity)
    VoiceDeadline.objects.bulk_create(VoiceDeadline(voice=voice, **d) for d in schedule.deadlines)
    VoiceEvent.objects.create(voice=voice, **submit_event_fields(actor))
    intake_audit(actor=actor, voice=voice, unit=voice.unit)
    analyse_on_commit([voice.pk])


def analyse_on_commit(voice_ids: list[int]) -> None:
    """Once the voices are saved, suggest their topic and match them into issues (background):
    the apps registered in ``voices.hooks`` (insight) do it on commit."""
    voices_received(voice_ids)


def intake_insert(
    voice: Voice, *, submission_key: str | None = None, import_fingerprint: str | None = None
) -> Voice | None:
    """Insert one received voice, with a new tracking code on the rare collision of random codes.

    Returns the voice a concurrent retry of the same submission (``submission_key``) saved
    first, or None once ``voice`` is saved. Raises ``ValidationError`` when a concurrent import
    of the same row (``import_fingerprint``) won."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                voice.save()
            return None
        except IntegrityError:
            if submission_key:
                # Two retries of one submission raced; the other one won.
                raced = Voice.objects.filter(submission_key=submission_key).first()
                if raced is not None:
                    raced.replayed = True
                    return raced
            if (
                import_fingerprint
                and Voice.objects.filter(import_fingerprint=import_fingerprint).exists()
            ):
                # A concurrent import of the same row won. Its tracking code is not given: it
                # may be a denunciation's.
                raise ValidationError(
                    _("Already imported: the same as a voice received earlier.")
                ) from None
            if attempt == 2 or not Voice.objects.filter(tracking_code=voice.tracking_code).exists():
                raise
            voice.tracking_code = tracking_code_new()
    raise AssertionError("unreachable")  # pragma: no cover
