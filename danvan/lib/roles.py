"""Named roles and what each may do. ``docs/roles.md`` describes them for people.

A role is held through a membership of a body (``organizations.Membership``); its capabilities
apply to the body's unit and every unit below it. ``system_admin`` applies everywhere.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    PROVINCIAL_STAFF = "provincial_staff", _("Provincial staff")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    VILLAGE_MEMBER = "village_member", _("Village group member")
    LEADER = "leader", _("Reviewer / leader")
    OBSERVER = "observer", _("Read-only observer")


class Capability(StrEnum):
    VIEW = "view"  # see records of the unit and below
    ACT = "act"  # create records and act on them (accept, assign, answer, ...)
    MANAGE_UNITS = "manage_units"  # add villages and residential groups, import them
    MANAGE_BODIES = "manage_bodies"  # add bodies and memberships
    APPROVE = "approve"  # approve and sign (reports, evaluations)
    VIEW_AUDIT = "view_audit"  # browse the audit log
    VIEW_PERSONAL_DATA = "view_personal_data"  # contact details of officers and citizens
    # Who denounced (Law on Denunciations Art. 9, 56): only the leaders who resolve it.
    VIEW_DENOUNCER_IDENTITY = "view_denouncer_identity"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Administrators run the system; the law does not make them privy to who denounced whom.
    Role.SYSTEM_ADMIN: frozenset(Capability) - {Capability.VIEW_DENOUNCER_IDENTITY},
    Role.PROVINCIAL_STAFF: frozenset(
        {
            Capability.VIEW,
            Capability.ACT,
            Capability.MANAGE_UNITS,
            Capability.MANAGE_BODIES,
            Capability.VIEW_PERSONAL_DATA,
        }
    ),
    Role.COMMUNE_OFFICER: frozenset(
        {Capability.VIEW, Capability.ACT, Capability.MANAGE_UNITS, Capability.VIEW_PERSONAL_DATA}
    ),
    Role.VILLAGE_MEMBER: frozenset({Capability.VIEW, Capability.ACT}),
    Role.LEADER: frozenset(
        {
            Capability.VIEW,
            Capability.ACT,
            Capability.APPROVE,
            Capability.VIEW_AUDIT,
            Capability.VIEW_PERSONAL_DATA,
            Capability.VIEW_DENOUNCER_IDENTITY,
        }
    ),
    Role.OBSERVER: frozenset({Capability.VIEW}),
}

#: Roles whose scope is the whole system, whatever body they are held through.
GLOBAL_ROLES = frozenset({Role.SYSTEM_ADMIN})


#: Capabilities a superuser does not get just by being one: they need a role that grants them.
NOT_FOR_SUPERUSERS = frozenset({Capability.VIEW_DENOUNCER_IDENTITY})


def role_has(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
