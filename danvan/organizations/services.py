"""Writes to bodies and memberships."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability, Role
from danvan.lib.scoping import can, forget_scope
from danvan.lib.text import clean_name, fold
from danvan.organizations.models import BODY_KIND_TIERS, Body, BodyKind, Membership
from danvan.units.models import AdministrativeUnit


def _require(actor: Actor, capability: Capability, unit: AdministrativeUnit) -> None:
    if actor.user is not None and not can(actor.user, capability, unit):
        raise PermissionDenied(_("You may not manage bodies of %(unit)s.") % {"unit": unit.name})


@transaction.atomic
def body_create(
    *,
    actor: Actor,
    unit: AdministrativeUnit,
    kind: str,
    name: str,
    short_name: str = "",
    parent: Body | None = None,
    member_organization: str = "",
) -> Body:
    _require(actor, Capability.MANAGE_BODIES, unit)
    name = clean_name(name)
    errors: list[str] = []
    if kind not in BodyKind.values:
        errors.append(_("Unknown kind of body."))
    elif unit.tier not in BODY_KIND_TIERS[kind]:
        errors.append(
            _("A %(kind)s cannot sit at the level of %(unit)s.")
            % {"kind": BodyKind(kind).label, "unit": unit.name}
        )
    if not unit.is_current:
        errors.append(_("%(unit)s no longer exists (it was merged).") % {"unit": unit.name})
    if kind == BodyKind.FRONT_MEMBER_ORGANIZATION and not member_organization:
        errors.append(_("Say which member organization this is."))
    if not name:
        errors.append(_("The name is empty."))
    if parent is not None and not unit.path.startswith(parent.unit.path):
        errors.append(_("The superior body must be at the same unit or above."))
    if errors:
        raise ValidationError(errors)
    if Body.objects.filter(unit=unit, name=name).exists():
        raise ValidationError(
            _("%(unit)s already has a body named “%(name)s”.") % {"unit": unit.name, "name": name}
        )
    body = Body.objects.create(
        unit=unit,
        kind=kind,
        name=name,
        name_folded=fold(name),
        short_name=short_name.strip(),
        parent=parent,
        member_organization=member_organization,
    )
    audit_record(actor=actor, action="body.create", obj=body, unit=unit, changes={"kind": kind})
    return body


@transaction.atomic
def membership_add(
    *, actor: Actor, user: AbstractUser, body: Body, role: str, position: str = ""
) -> Membership:
    _require(actor, Capability.MANAGE_BODIES, body.unit)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if role == Role.SYSTEM_ADMIN and actor.user is not None and not actor.user.is_superuser:
        raise PermissionDenied(_("Only a system administrator may appoint another."))
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user_id=user.pk, body=body, role=role, position=position.strip()
            )
    except IntegrityError as exc:
        raise ValidationError(_("This officer is already a member of this body.")) from exc
    audit_record(
        actor=actor,
        action="membership.add",
        obj=membership,
        unit=body.unit,
        changes={"user": str(user), "role": role},
    )
    forget_scope(user)
    return membership


@transaction.atomic
def membership_end(*, actor: Actor, membership: Membership) -> Membership:
    _require(actor, Capability.MANAGE_BODIES, membership.body.unit)
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit_record(
            actor=actor, action="membership.end", obj=membership, unit=membership.body.unit
        )
        forget_scope(membership.user)
    return membership
