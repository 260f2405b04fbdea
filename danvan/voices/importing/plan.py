"""Planning a bulk import: each checked row goes through the intake steps ``voice_submit`` takes
(``voices.intake``), reading the rule sets, the calendar and the units once for the whole file,
and becomes the records to write (``PlannedVoice``); a row ``voice_submit`` would refuse gets the
same errors. Also: which rows were imported before (``imported_before``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.deadlines.models import VoiceKind
from danvan.deadlines.rulebook import Rulebook
from danvan.voices.importing.parse import VoiceImportRow
from danvan.voices.intake import (
    IntakeSchedule,
    intake_errors,
    intake_schedule,
    intake_voice_fields,
    units_remote,
)
from danvan.voices.models import Voice


@dataclass
class PlannedVoice:
    """The records of one row, ready to write (``importing.write``)."""

    row: VoiceImportRow
    #: The voice's columns by attribute name (``unit_id``), personal data still in clear.
    values: dict[str, Any]
    #: Its ``VoiceDeadline`` fields, step by step (``intake.deadline_fields``).
    deadlines: tuple[dict[str, Any], ...]
    #: A denouncer's identity (``DenouncerIdentity`` fields), kept apart from the case.
    identity: dict[str, str] | None


class _Schedules:
    """The intake schedules by (kind, date of receipt, remote): many rows of a file share one,
    and a file spread over a year has thousands of distinct ones, from rules read once."""

    def __init__(self) -> None:
        self.rulebook = Rulebook()
        self.found: dict[tuple[str, datetime.date, bool], IntakeSchedule] = {}

    def get(self, kind: str, received: datetime.date, remote: bool) -> IntakeSchedule:
        key = (kind, received, remote)
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = intake_schedule(
                kind=kind, received_on=received, remote=remote, rulebook=self.rulebook
            )
        return found


def bulk_plan(
    *, actor: Actor, rows: list[VoiceImportRow], keys: dict[int, str], channel: str
) -> list[PlannedVoice]:
    """Check each row as ``voice_submit`` would and plan its records; a refused row gets errors.

    ``rows`` have their unit and topic resolved (``voices_validate``); ``keys`` maps ``id(row)``
    to its fingerprint."""
    today = timezone.localdate()
    # The remote flags as stored now, not as the caller's copies of the units remember them.
    remote_of = units_remote(r.unit.pk for r in rows if r.unit is not None)
    schedules = _Schedules()
    user_id = actor.user.pk if actor.user is not None else None
    planned: list[PlannedVoice] = []
    for row in rows:
        unit, topic, received = row.unit, row.topic, row.received_on
        assert unit is not None and topic is not None and received is not None
        remote = remote_of[unit.pk]
        text = row.text.strip()
        errors = intake_errors(
            kind=row.kind,
            text=text,
            received_on=received,
            today=today,
            unit=unit,
            topic=topic,
            named=bool(row.name.strip()),
        )
        if not errors:
            try:
                schedule = schedules.get(row.kind, received, remote)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            row.errors.extend(errors)
            continue
        values, identity = intake_voice_fields(
            kind=row.kind,
            channel=channel,
            text=text,
            received_on=received,
            remote=remote,
            schedule=schedule,
            name=row.name,
            contact=row.contact,
            address=row.address,
        )
        values.update(
            unit_id=unit.pk,
            topic_id=topic.pk,
            import_fingerprint=keys[id(row)],
            created_by_id=user_id,
        )
        planned.append(
            PlannedVoice(row=row, values=values, deadlines=schedule.deadlines, identity=identity)
        )
    return planned


def imported_before(keys: list[str]) -> dict[str, tuple[str, str]]:
    """(kind, tracking code) of the voices that already have one of the fingerprints ``keys``."""
    connection = connections[router.db_for_read(Voice)]
    if connection.vendor == "postgresql":  # one array parameter instead of 100,000
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT import_fingerprint, kind, tracking_code FROM voices_voice "
                "WHERE import_fingerprint = ANY(%s)",
                [keys],
            )
            return {key: (kind, code) for key, kind, code in cursor.fetchall()}
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(keys), 500):
        for key, kind, code in Voice.objects.filter(
            import_fingerprint__in=keys[start : start + 500]
        ).values_list("import_fingerprint", "kind", "tracking_code"):
            found[key] = (kind, code)
    return found


def already_imported(kind: str, code: str) -> str:
    """The error of a row imported before. A denunciation's tracking code is never shown: whoever
    holds it follows the case, and the denouncer must stay protected (Law on Denunciations)."""
    if kind == VoiceKind.DENUNCIATION:
        return _("Already imported: the same as a denunciation received earlier.")
    return _("Already imported (tracking code %(code)s).") % {"code": code}
