"""Emulation periods (giai đoạn thi đua) and their yearly rounds (đợt thi đua hằng năm): a national
period is an administrator's, a province's one its provincial staff's (``MANAGE_BODIES``, like its
criteria sets). Every service takes ``actor=`` and writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.skillful.models import EmulationPeriod, EmulationRound
from danvan.skillful.services_common import add_error
from danvan.units.models import AdministrativeUnit, UnitTier


def _dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _require_period_manager(actor: Actor, province: AdministrativeUnit | None) -> None:
    """A province's periods are managed by its provincial staff (``MANAGE_BODIES``, like its
    criteria sets); national ones by an administrator."""
    if actor.user is None:
        return
    if province is None:
        if not actor.user.is_superuser:
            raise PermissionDenied(_("Only an administrator may create a national period."))
    elif not can(actor.user, Capability.MANAGE_BODIES, province):
        raise PermissionDenied(
            _("You may not manage the emulation periods of %(unit)s.") % {"unit": province.name}
        )


@transaction.atomic
def period_create(
    *,
    actor: Actor,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    province: AdministrativeUnit | None = None,
    yearly_rounds: bool = False,
) -> EmulationPeriod:
    """An emulation period (giai đoạn thi đua), national or of one province. It may not overlap
    another period of the same province (or another national one). With ``yearly_rounds``, one
    round for each year it spans, from its first to its last day within that year."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        add_error(errors, "name", _("Give the period a name."))
    elif len(name) > 80:
        add_error(errors, "name", _("The name is longer than 80 characters."))
    if ends_on <= starts_on:
        add_error(errors, "ends_on", _("The period must end after it starts."))
    if province is not None and province.tier != UnitTier.PROVINCE:
        add_error(errors, "province", _("A period belongs to a province or to the whole country."))
    if errors:
        raise ValidationError(errors)
    _require_period_manager(actor, province)
    if province is not None:
        # Periods of one province are created one at a time (the overlap check then holds).
        AdministrativeUnit.objects.select_for_update().filter(pk=province.pk).first()
    overlapping = (
        EmulationPeriod.objects.filter(province=province)
        .filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "starts_on": [
                    _("It overlaps the period %(name)s (%(start)s to %(end)s).")
                    % {
                        "name": overlapping.name,
                        "start": _dmy(overlapping.starts_on),
                        "end": _dmy(overlapping.ends_on),
                    }
                ]
            }
        )
    period = EmulationPeriod.objects.create(
        name=name, starts_on=starts_on, ends_on=ends_on, province=province
    )
    rounds = []
    if yearly_rounds:
        rounds = EmulationRound.objects.bulk_create(
            EmulationRound(
                period=period,
                year=year,
                starts_on=max(starts_on, datetime.date(year, 1, 1)),
                ends_on=min(ends_on, datetime.date(year, 12, 31)),
            )
            for year in range(starts_on.year, ends_on.year + 1)
        )
    audit_record(
        actor=actor,
        action="skillful.period_create",
        obj=period,
        unit=province,
        changes={
            "starts_on": str(starts_on),
            "ends_on": str(ends_on),
            "rounds": [r.year for r in rounds],
        },
    )
    return period


@transaction.atomic
def round_add(
    *,
    actor: Actor,
    period: EmulationPeriod,
    year: int,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> EmulationRound:
    """A yearly round of ``period``: its days default to the year's within the period, must lie
    within the period, and may not overlap another round; one round a year."""
    # Lock only the period's row (PostgreSQL refuses FOR UPDATE on an outer join's side).
    locked = (
        EmulationPeriod.objects.select_for_update(of=("self",))
        .select_related("province")
        .get(pk=period.pk)
    )
    _require_period_manager(actor, locked.province)
    errors: dict[str, list[str]] = {}
    if not (locked.starts_on.year <= year <= locked.ends_on.year):
        add_error(
            errors,
            "year",
            _("The round's year must be a year of the period (%(first)s–%(last)s).")
            % {"first": locked.starts_on.year, "last": locked.ends_on.year},
        )
        raise ValidationError(errors)
    starts_on = starts_on or max(locked.starts_on, datetime.date(year, 1, 1))
    ends_on = ends_on or min(locked.ends_on, datetime.date(year, 12, 31))
    if ends_on < starts_on:
        add_error(errors, "ends_on", _("The round cannot end before it starts."))
    for field_name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not (locked.starts_on <= day <= locked.ends_on):
            add_error(
                errors,
                field_name,
                _("The round must lie within its period (%(start)s to %(end)s).")
                % {"start": _dmy(locked.starts_on), "end": _dmy(locked.ends_on)},
            )
    if locked.rounds.filter(year=year).exists():
        add_error(
            errors, "year", _("The period already has a round for %(year)s.") % {"year": year}
        )
    else:
        clash = (
            locked.rounds.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
            .order_by("year")
            .first()
        )
        if clash is not None:
            add_error(
                errors,
                "starts_on",
                _("It overlaps the round of %(year)s (%(start)s to %(end)s).")
                % {
                    "year": clash.year,
                    "start": _dmy(clash.starts_on),
                    "end": _dmy(clash.ends_on),
                },
            )
    if errors:
        raise ValidationError(errors)
    created = EmulationRound.objects.create(
        period=locked, year=year, starts_on=starts_on, ends_on=ends_on
    )
    audit_record(
        actor=actor,
        action="skillful.round_add",
        obj=locked,
        unit=locked.province,
        changes={"year": year, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return created
