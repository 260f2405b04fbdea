"""The only way to read who made a denunciation (Law on Denunciations Art. 9.1.b and 56).

The identity lives in ``DenouncerIdentity``, apart from the case, encrypted. Pages, search, the
API, exports and the admin never join it; a person whose role grants
``Capability.VIEW_DENOUNCER_IDENTITY`` for the case's unit reads it here, saying why, and every
read is written to the audit log under its own action, ``voice.identity_reveal``, with the reason.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.users import Requester
from danvan.voices.models import DenouncerIdentity, Voice


def may_see_denouncer(*, user: Requester | None, voice: Voice) -> bool:
    return can(user, Capability.VIEW_DENOUNCER_IDENTITY, voice.unit)


#: The audit action of a reading of the identity.
IDENTITY_REVEAL = "voice.identity_reveal"
#: A reason shorter than this says nothing ("xem", "ok").
REASON_MIN_CHARS = 10


def denouncer_identity(*, actor: Actor, voice: Voice, reason: str) -> DenouncerIdentity | None:
    """The denouncer's identity for a permitted reader who says why, audited with the reason;
    PermissionDenied for anyone else, ValidationError without a reason."""
    if actor.user is None or not may_see_denouncer(user=actor.user, voice=voice):
        raise PermissionDenied(_("The law protects the identity of the person who denounced."))
    reason = " ".join(reason.split())[:500]
    if len(reason) < REASON_MIN_CHARS:
        raise ValidationError(
            _(
                "Say why you need to see the identity (at least %(min)s characters): the reason "
                "is kept in the audit log."
            )
            % {"min": REASON_MIN_CHARS}
        )
    identity = DenouncerIdentity.objects.filter(voice=voice).first()
    if identity is not None:
        audit_record(
            actor=actor,
            action=IDENTITY_REVEAL,
            obj=voice,
            unit=voice.unit,
            changes={
                "fields": [
                    "denouncer.name",
                    "denouncer.contact",
                    "denouncer.address",
                    "denouncer.id_number",
                ],
                "reason": reason,
            },
            sensitive_view=True,
        )
    return identity
