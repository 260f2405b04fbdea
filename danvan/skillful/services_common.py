"""What every service of the app shares: acting on a model needs ``Capability.ACT`` on its unit
(``require_act``; a command or job acting without a person may do anything), a change locks the
model's row and compares the version the officer saw (``model_lock``, ``StaleModelError``), and
refusals are collected by field (``add_error``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.skillful.models import (
    MobilizationModel,
    ModelStatus,
)
from danvan.units.models import AdministrativeUnit

MAX_TEXT = 10_000


#: Statuses in which the registration and the indicators may still change.
EDITABLE = (ModelStatus.REGISTERED, ModelStatus.UNDER_WAY)


class StaleModelError(ValidationError):
    """Someone else changed the model since this officer loaded it."""


def province_code(unit: AdministrativeUnit) -> str:
    return unit.path.strip("/").split("/")[0]


def require_act(actor: Actor, unit: AdministrativeUnit) -> None:
    if actor.user is not None and not can(actor.user, Capability.ACT, unit):
        raise PermissionDenied(
            _("You may not register or change models of %(unit)s.") % {"unit": unit.name}
        )


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def model_lock(model: MobilizationModel, expected_version: int | None) -> MobilizationModel:
    locked = (
        # Lock only the model's row (PostgreSQL refuses FOR UPDATE on an outer join's side).
        MobilizationModel.objects.select_for_update(of=("self",))
        .select_related("unit", "period", "period__province", "lead_body", "lead_body__unit")
        .get(pk=model.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleModelError(
            _(
                "Someone else changed this model while you were looking at it. Reload it and try again."
            )
        )
    return locked
