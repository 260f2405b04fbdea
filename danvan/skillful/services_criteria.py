"""Criteria sets (bộ tiêu chí) and evaluation councils (hội đồng): what a model is scored against
and who scores it. Provincial staff (``MANAGE_BODIES``) manage both; every service takes
``actor=`` and writes its audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import clean_name
from danvan.skillful.models import (
    Council,
    CriteriaSet,
    Criterion,
    EmulationPeriod,
    GradeThreshold,
    Level,
)
from danvan.skillful.services_evaluation import level_label
from danvan.units.models import AdministrativeUnit, UnitTier


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: Decimal
    max_score: int = 10
    description: str = ""


@dataclass(frozen=True)
class GradeSpec:
    name: str
    min_score: Decimal
    recognizes: bool = True


def _locked_error() -> ValidationError:
    return ValidationError(
        _(
            "The criteria cannot be changed after scoring began: once a council member has given "
            "a score, the criteria, weights and grades of this set are frozen."
        ),
        code="criteria_locked",
    )


def _require_province_staff(actor: Actor, province: AdministrativeUnit) -> None:
    if province.tier != UnitTier.PROVINCE:
        raise ValidationError(_("Criteria sets belong to a province."))
    if actor.user is not None and not can(actor.user, Capability.MANAGE_BODIES, province):
        raise PermissionDenied(
            _("You may not manage the criteria sets of %(unit)s.") % {"unit": province.name}
        )


def _check_specs(criteria: list[CriterionSpec], grades: list[GradeSpec]) -> None:
    errors: list[str] = []
    if not criteria:
        errors.append(_("Give at least one criterion."))
    names: set[str] = set()
    for spec in criteria:
        name = clean_name(spec.name)
        if not name:
            errors.append(_("Every criterion needs a name."))
            continue
        if name.casefold() in names:
            errors.append(_("The criterion “%(name)s” is given twice.") % {"name": name})
        names.add(name.casefold())
        if spec.weight is None or spec.weight <= 0:
            errors.append(_("The weight of “%(name)s” must be above zero.") % {"name": name})
        elif spec.weight >= 1000:
            errors.append(_("The weight of “%(name)s” is too large.") % {"name": name})
        if not 1 <= spec.max_score <= 1000:
            errors.append(
                _("The highest score of “%(name)s” must be between 1 and 1000.") % {"name": name}
            )
    if not grades:
        errors.append(_("Give at least one grade with the score it starts from."))
    grade_names: set[str] = set()
    minimums: set[Decimal] = set()
    for grade in grades:
        name = clean_name(grade.name)
        if not name:
            errors.append(_("Every grade needs a name."))
            continue
        if name.casefold() in grade_names:
            errors.append(_("The grade “%(name)s” is given twice.") % {"name": name})
        grade_names.add(name.casefold())
        if grade.min_score is None or not 0 <= grade.min_score <= 100:
            errors.append(
                _("The grade “%(name)s” must start from a score between 0 and 100.")
                % {"name": name}
            )
        elif grade.min_score in minimums:
            errors.append(
                _("Two grades start from the same score %(score)s.") % {"score": grade.min_score}
            )
        else:
            minimums.add(grade.min_score)
    if errors:
        raise ValidationError(errors)


def _write_specs(
    criteria_set: CriteriaSet, criteria: list[CriterionSpec], grades: list[GradeSpec]
) -> None:
    Criterion.objects.bulk_create(
        Criterion(
            criteria_set=criteria_set,
            name=clean_name(spec.name),
            description=spec.description.strip(),
            weight=spec.weight,
            max_score=spec.max_score,
            order=index,
        )
        for index, spec in enumerate(criteria)
    )
    GradeThreshold.objects.bulk_create(
        GradeThreshold(
            criteria_set=criteria_set,
            name=clean_name(grade.name),
            min_score=grade.min_score,
            recognizes=grade.recognizes,
        )
        for grade in grades
    )


def _specs_summary(criteria: list[CriterionSpec], grades: list[GradeSpec]) -> dict[str, Any]:
    return {
        "criteria": [[clean_name(c.name), str(c.weight), c.max_score] for c in criteria],
        "grades": [[clean_name(g.name), str(g.min_score), g.recognizes] for g in grades],
    }


@transaction.atomic
def criteria_set_create(
    *,
    actor: Actor,
    province: AdministrativeUnit,
    period: EmulationPeriod,
    level: str,
    name: str,
    criteria: list[CriterionSpec],
    grades: list[GradeSpec],
) -> CriteriaSet:
    """A province's criteria for one period and level (bộ tiêu chí), with its grades."""
    _require_province_staff(actor, province)
    name = clean_name(name)
    if not name:
        raise ValidationError(_("Give the criteria set a name."))
    if level not in Level.values:
        raise ValidationError(_("Unknown level."))
    if period.province_id is not None and period.province_id != province.pk:
        raise ValidationError(_("This emulation period belongs to another province."))
    _check_specs(criteria, grades)
    if CriteriaSet.objects.filter(province=province, period=period, level=level).exists():
        raise ValidationError(
            _("%(province)s already has a criteria set for %(period)s at the %(level)s level.")
            % {"province": province.name, "period": period.name, "level": level_label(level)}
        )
    criteria_set = CriteriaSet.objects.create(
        province=province, period=period, level=level, name=name
    )
    _write_specs(criteria_set, criteria, grades)
    audit_record(
        actor=actor,
        action="skillful.criteria_set.create",
        obj=criteria_set,
        unit=province,
        changes={"period": period.pk, "level": level, **_specs_summary(criteria, grades)},
    )
    return criteria_set


@transaction.atomic
def criteria_set_update(
    *,
    actor: Actor,
    criteria_set: CriteriaSet,
    name: str,
    criteria: list[CriterionSpec],
    grades: list[GradeSpec],
) -> CriteriaSet:
    """Replace the criteria and grades of a set not yet used for scoring."""
    locked = (
        CriteriaSet.objects.select_for_update(of=("self",))
        .select_related("province")
        .get(pk=criteria_set.pk)
    )
    _require_province_staff(actor, locked.province)
    if locked.locked_at is not None:
        raise _locked_error()
    name = clean_name(name)
    if not name:
        raise ValidationError(_("Give the criteria set a name."))
    _check_specs(criteria, grades)
    locked.criteria.all().delete()
    locked.grades.all().delete()
    _write_specs(locked, criteria, grades)
    locked.name = name
    locked.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action="skillful.criteria_set.update",
        obj=locked,
        unit=locked.province,
        changes={"name": name, **_specs_summary(criteria, grades)},
    )
    return locked


def _require_manage(actor: Actor, unit: AdministrativeUnit) -> None:
    if actor.user is not None and not can(actor.user, Capability.MANAGE_BODIES, unit):
        raise PermissionDenied(
            _("You may not manage the councils of %(unit)s.") % {"unit": unit.name}
        )


def _check_council(unit: AdministrativeUnit, level: str, members: list[User]) -> None:
    errors: list[str] = []
    if level not in Level.values:
        errors.append(_("Unknown level."))
    elif unit.tier != level:
        errors.append(
            _("A council at %(unit)s evaluates at the %(tier)s, not the %(level)s level.")
            % {
                "unit": unit.name,
                "tier": unit.get_tier_display(),
                "level": level_label(level),
            }
        )
    if not unit.is_current:
        errors.append(_("Choose a current unit."))
    if not members:
        errors.append(_("A council needs at least one member."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def council_create(
    *,
    actor: Actor,
    unit: AdministrativeUnit,
    level: str,
    period: EmulationPeriod,
    name: str,
    members: Iterable[User],
) -> Council:
    """An evaluation council (hội đồng) at a unit for a period."""
    _require_manage(actor, unit)
    name = clean_name(name)
    member_list = list(members)
    if not name:
        raise ValidationError(_("Give the council a name."))
    _check_council(unit, level, member_list)
    council = Council.objects.create(name=name, unit=unit, level=level, period=period)
    council.members.set(member_list)
    audit_record(
        actor=actor,
        action="skillful.council.create",
        obj=council,
        unit=unit,
        changes={
            "level": level,
            "period": period.pk,
            "members": sorted(m.get_username() for m in member_list),
        },
    )
    return council


@transaction.atomic
def council_update(
    *, actor: Actor, council: Council, name: str, members: Iterable[User]
) -> Council:
    """Rename a council or change its members. Scores already given stay as they were."""
    locked = (
        Council.objects.select_for_update(of=("self",)).select_related("unit").get(pk=council.pk)
    )
    _require_manage(actor, locked.unit)
    name = clean_name(name)
    member_list = list(members)
    if not name:
        raise ValidationError(_("Give the council a name."))
    _check_council(locked.unit, locked.level, member_list)
    before = sorted(m.get_username() for m in locked.members.all())
    locked.name = name
    locked.save(update_fields=["name"])
    locked.members.set(member_list)
    audit_record(
        actor=actor,
        action="skillful.council.update",
        obj=locked,
        unit=locked.unit,
        changes={"name": name, "members": [before, sorted(m.get_username() for m in member_list)]},
    )
    return locked
