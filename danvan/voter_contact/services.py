"""Writes to voter contact sessions. Recommendations become voices through ``voice_submit``."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.models import VoiceKind
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Body
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.importing.parse import VoiceImportReport, VoiceImportRow
from danvan.voices.importing.write import voices_import
from danvan.voices.models import Channel, Topic, Voice
from danvan.voices.services import voice_submit
from danvan.voter_contact.models import SessionRecommendation, VoterContactSession


def _check_can_act(actor: Actor, unit: AdministrativeUnit) -> None:
    if actor.user is not None and not can(actor.user, Capability.ACT, unit):
        raise PermissionDenied(
            _("You may not record voter contact sessions of %(unit)s.") % {"unit": unit.name}
        )


@transaction.atomic
def session_create(
    *,
    actor: Actor,
    title: str,
    date: datetime.date,
    unit: AdministrativeUnit,
    place: str = "",
    organizing_body: Body | None = None,
    deputies: str = "",
    notes: str = "",
) -> VoterContactSession:
    """Record a voter contact session held (or planned) in a commune or a province."""
    _check_can_act(actor, unit)
    title = title.strip()
    errors: list[str] = []
    if not title:
        errors.append(_("The title is empty."))
    if not unit.is_current or unit.tier not in (UnitTier.COMMUNE, UnitTier.PROVINCE):
        errors.append(_("Choose a current commune, ward or province."))
    if organizing_body is not None:
        if not organizing_body.is_active:
            errors.append(_("This body is no longer active."))
        elif not unit.path.startswith(organizing_body.unit.path):
            errors.append(_("The organizing body must be at the session's unit or above it."))
    if errors:
        raise ValidationError(errors)
    session = VoterContactSession.objects.create(
        title=title,
        date=date,
        place=place.strip(),
        unit=unit,
        organizing_body=organizing_body,
        deputies=deputies.strip(),
        notes=notes.strip(),
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="voter_contact.session_create",
        obj=session,
        unit=unit,
        changes={"title": title, "date": date.isoformat()},
    )
    return session


def _check_recommendation_unit(session: VoterContactSession, unit: AdministrativeUnit) -> None:
    if not unit.path.startswith(session.unit.path):
        raise ValidationError(
            _("%(unit)s is not in %(session_unit)s, where the session was held.")
            % {"unit": unit.name, "session_unit": session.unit.name}
        )


@transaction.atomic
def session_add_recommendation(
    *,
    actor: Actor,
    session: VoterContactSession,
    text: str,
    topic: Topic,
    unit: AdministrativeUnit,
    joint: bool = False,
    submitter_name: str = "",
    submitter_contact: str = "",
    submitter_address: str = "",
    import_fingerprint: str | None = None,
) -> SessionRecommendation:
    """Record one recommendation voters raised at the session, as a voice received that day.

    ``joint``: the answering body leads a joint answer (50 days rather than 40).
    """
    _check_can_act(actor, session.unit)
    if session.date > timezone.localdate():
        raise ValidationError(
            _("Recommendations can be recorded from the day of the session, %(date)s.")
            % {"date": session.date.strftime("%d/%m/%Y")}
        )
    _check_recommendation_unit(session, unit)
    voice = voice_submit(
        actor=actor,
        kind=VoiceKind.VOTER_RECOMMENDATION,
        channel=Channel.VOTER_CONTACT,
        unit=unit,
        topic=topic,
        text=text,
        received_on=session.date,
        submitter_name=submitter_name,
        submitter_contact=submitter_contact,
        submitter_address=submitter_address,
        receiving_body=session.organizing_body,
        joint=joint,
        import_fingerprint=import_fingerprint,
    )
    recommendation = SessionRecommendation.objects.create(session=session, voice=voice, joint=joint)
    audit_record(
        actor=actor,
        action="voter_contact.recommendation_add",
        obj=recommendation,
        unit=session.unit,
        changes={"session": session.pk, "voice": voice.tracking_code, "joint": joint},
    )
    return recommendation


def session_import_recommendations(
    *,
    actor: Actor,
    session: VoterContactSession,
    rows: list[VoiceImportRow],
    only_valid: bool = False,
) -> VoiceImportReport:
    """Import a spreadsheet of the session's recommendations, all or nothing, like any import."""
    _check_can_act(actor, session.unit)

    def submit(row: VoiceImportRow, key: str) -> Voice:
        assert row.unit is not None and row.topic is not None
        return session_add_recommendation(
            actor=actor,
            session=session,
            text=row.text,
            topic=row.topic,
            unit=row.unit,
            joint=row.joint,
            submitter_name=row.name,
            submitter_contact=row.contact,
            submitter_address=row.address,
            import_fingerprint=key,
        ).voice

    return voices_import(
        actor=actor,
        rows=rows,
        only_valid=only_valid,
        submit=submit,
        key_prefix=f"voter-contact-{session.pk}",
    )
