"""The only way to read who made a denunciation (Law on Denunciations Art. 9.1.b and 56).

The identity lives in ``DenouncerIdentity``, apart from the case, encrypted. Pages, search, the
API, exports and the admin never join it; a person whose role grants
``Capability.VIEW_DENOUNCER_IDENTITY`` for the case's unit reads it here, and every read is
written to the audit log as a view of sensitive data.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from danvan.accounts.roles import Capability
from danvan.accounts.scope import can
from danvan.audit.context import Actor
from danvan.audit.services import audit_sensitive_view
from danvan.voices.models import DenouncerIdentity, Voice


def may_see_denouncer(*, user: object, voice: Voice) -> bool:
    return can(user, Capability.VIEW_DENOUNCER_IDENTITY, voice.unit)


def denouncer_identity(*, actor: Actor, voice: Voice) -> DenouncerIdentity | None:
    """The denouncer's identity for a permitted reader, audited; PermissionDenied for anyone else."""
    if actor.user is None or not may_see_denouncer(user=actor.user, voice=voice):
        raise PermissionDenied(_("The law protects the identity of the person who denounced."))
    identity = DenouncerIdentity.objects.filter(voice=voice).first()
    if identity is not None:
        audit_sensitive_view(
            actor=actor,
            obj=voice,
            fields=[
                "denouncer.name",
                "denouncer.contact",
                "denouncer.address",
                "denouncer.id_number",
            ],
            unit=voice.unit,
        )
    return identity
