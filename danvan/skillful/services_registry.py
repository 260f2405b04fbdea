"""Writes of the registry: emulation periods, registering and editing models (đăng ký mô hình),
their indicators and yearly reports, evidence, and adopting an honored model elsewhere.

Every service takes ``actor=`` and writes its audit row in the same transaction. Acting on a
model needs ``Capability.ACT`` on its unit (a command or job acting without a person may do
anything). A change to a model locks its row and compares the version the officer saw.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.organizations.models import Body
from danvan.skillful.checks import check_model
from danvan.skillful.models import (
    PARTS,
    Commendation,
    EmulationPeriod,
    Holder,
    Indicator,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.models import Field as ModelField
from danvan.skillful.services_common import MAX_TEXT, add_error, province_code, require_act
from danvan.units.models import AdministrativeUnit, UnitTier

MAX_INDICATORS = 20

#: The level a model registered at a unit of each tier has.
LEVEL_OF_TIER: dict[str, str] = {
    UnitTier.VILLAGE: Level.VILLAGE,
    UnitTier.COMMUNE: Level.COMMUNE,
    UnitTier.PROVINCE: Level.PROVINCE,
}


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    unit_of_measure: str
    baseline: Decimal
    target: Decimal


@dataclass(frozen=True)
class CommendationInput:
    decision_number: str
    decided_on: datetime.date
    issuer: str
    title: str
    level: str = ""


# --- What a model of a unit may have: bodies, periods ---------------------------------------------


def bodies_for(unit: AdministrativeUnit) -> Any:
    """Active bodies at ``unit`` or above it: those that may lead or partner its models."""
    parts = unit.path.strip("/").split("/")
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        Body.objects.filter(is_active=True, unit__path__in=paths)
        .select_related("unit")
        .order_by("-unit__path", "name")
    )


def periods_for(unit: AdministrativeUnit) -> Any:
    """The periods a model of ``unit`` may belong to: national ones and its province's."""
    return EmulationPeriod.objects.filter(
        Q(province__isnull=True) | Q(province__code=province_code(unit))
    )


def period_by_years(unit: AdministrativeUnit, text: str) -> EmulationPeriod | None:
    """The period named like "2021-2025" or "2021–2025" for ``unit``'s province."""
    years = re.findall(r"\d{4}", text)
    if len(years) != 2:
        return None
    first, last = int(years[0]), int(years[1])
    matches = [p for p in periods_for(unit) if p.starts_on.year == first and p.ends_on.year == last]
    # A province's own period wins over a national one of the same years.
    matches.sort(key=lambda p: p.province_id is None)
    return matches[0] if matches else None


# --- Registering ----------------------------------------------------------------------------------


def registration_errors(
    *,
    unit: AdministrativeUnit,
    values: dict[str, Any],
    partner_bodies: Sequence[Body],
    require_parts: bool = True,
) -> dict[str, list[str]]:
    """Check one registration's values (cleaned in place); the errors by field."""
    errors: dict[str, list[str]] = {}
    _check_texts(errors, values, require_parts=require_parts)
    _check_unit(errors, unit, values.get("level"))
    _check_period(errors, unit, values)
    _check_bodies(errors, unit, values.get("lead_body"), partner_bodies)
    return errors


def _check_texts(
    errors: dict[str, list[str]], values: dict[str, Any], *, require_parts: bool
) -> None:
    """The name, the parts of the form, the field and the holder (with the person's name)."""
    for key in ("name", "person_name", *PARTS):
        values[key] = str(values.get(key) or "").strip()
    if not values["name"]:
        add_error(errors, "name", _("Give the model a name."))
    elif len(values["name"]) > 255:
        add_error(errors, "name", _("The name is longer than 255 characters."))
    for part in PARTS:
        if len(values[part]) > MAX_TEXT:
            add_error(
                errors, part, _("This part is longer than %(max)s characters.") % {"max": MAX_TEXT}
            )
        elif require_parts and not values[part]:
            add_error(errors, part, _("This part of the registration form is required."))
    if values.get("field") not in ModelField.values:
        add_error(errors, "field", _("Choose one of the four fields."))
    if values.get("holder") not in Holder.values:
        add_error(errors, "holder", _("Say whether the model is a collective or an individual."))
    elif values["holder"] == Holder.INDIVIDUAL:
        if not values["person_name"]:
            add_error(errors, "person_name", _("An individual model needs the person's name."))
        elif len(values["person_name"]) > 150:
            add_error(errors, "person_name", _("The name is longer than 150 characters."))
    else:
        values["person_name"] = ""
        values["person_consents_to_publication"] = False


def _check_unit(errors: dict[str, list[str]], unit: AdministrativeUnit, level: Any) -> None:
    """The unit still exists and is of a tier that registers models, at its own level."""
    if unit.valid_to is not None:
        add_error(errors, NON_FIELD_ERRORS, _("%(unit)s no longer exists.") % {"unit": unit.name})
    expected = LEVEL_OF_TIER.get(unit.tier)
    if expected is None:
        add_error(
            errors, NON_FIELD_ERRORS, _("Models are registered at a province, commune or village.")
        )
    elif level != expected:
        add_error(
            errors,
            "level",
            _("A model of %(unit)s is at the “%(level)s” level.")
            % {"unit": unit.name, "level": Level(expected).label},
        )


def _check_period(
    errors: dict[str, list[str]], unit: AdministrativeUnit, values: dict[str, Any]
) -> None:
    """The period is national or the unit's province's; the yearly round and the start lie in it."""
    period: EmulationPeriod | None = values.get("period")
    year = values.get("year")
    starts_on: datetime.date | None = values.get("starts_on")
    ends_on: datetime.date | None = values.get("ends_on")
    if period is None:
        add_error(errors, "period", _("Choose the emulation period."))
    else:
        if period.province is not None and period.province.code != province_code(unit):
            add_error(errors, "period", _("This period belongs to another province."))
        rounds = sorted(period.rounds.values_list("year", flat=True))
        if not isinstance(year, int) or not (period.starts_on.year <= year <= period.ends_on.year):
            add_error(
                errors,
                "year",
                _("The yearly round must be a year of the period (%(first)s–%(last)s).")
                % {"first": period.starts_on.year, "last": period.ends_on.year},
            )
        elif rounds and year not in rounds:
            add_error(
                errors,
                "year",
                _("%(period)s has no round for %(year)s; its rounds are %(rounds)s.")
                % {
                    "period": period.name,
                    "year": year,
                    "rounds": ", ".join(str(r) for r in rounds),
                },
            )
        if starts_on is None:
            add_error(errors, "starts_on", _("Give the day the model starts."))
        elif not (period.starts_on <= starts_on <= period.ends_on):
            add_error(
                errors,
                "starts_on",
                _("The model must start within the period (%(start)s to %(end)s).")
                % {
                    "start": period.starts_on.strftime("%d/%m/%Y"),
                    "end": period.ends_on.strftime("%d/%m/%Y"),
                },
            )
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        add_error(errors, "ends_on", _("The model cannot end before it starts."))


def _check_bodies(
    errors: dict[str, list[str]],
    unit: AdministrativeUnit,
    lead: Body | None,
    partner_bodies: Sequence[Body],
) -> None:
    """The lead and partner bodies are active and at the unit or above it."""
    if lead is None:
        add_error(errors, "lead_body", _("Choose the lead body."))
    for field_name, bodies in (
        ("lead_body", [lead] if lead else []),
        ("partner_bodies", partner_bodies),
    ):
        for body in bodies:
            if not body.is_active:
                add_error(
                    errors, field_name, _("%(body)s is no longer active.") % {"body": body.name}
                )
            elif not unit.path.startswith(body.unit.path):
                add_error(
                    errors,
                    field_name,
                    _("%(body)s is not at %(unit)s or above it.")
                    % {"body": body.name, "unit": unit.name},
                )


def clean_indicators(indicators: Sequence[IndicatorInput]) -> list[IndicatorInput]:
    cleaned: list[IndicatorInput] = []
    if len(indicators) > MAX_INDICATORS:
        raise ValidationError(
            _("A model can declare at most %(max)s indicators.") % {"max": MAX_INDICATORS}
        )
    for item in indicators:
        name = item.name.strip()
        unit = item.unit_of_measure.strip()
        if not name or not unit:
            raise ValidationError(_("Each indicator needs a name and a unit of measure."))
        if len(name) > 200 or len(unit) > 40:
            raise ValidationError(_("An indicator's name or unit of measure is too long."))
        try:
            baseline, target = Decimal(item.baseline), Decimal(item.target)
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationError(_("Baseline and target must be numbers.")) from None
        if baseline < 0 or target < 0 or max(baseline, target) >= Decimal("1e12"):
            raise ValidationError(_("Baseline and target must be numbers from 0 up."))
        if target == baseline:
            raise ValidationError(
                _("The target of “%(name)s” is its baseline: nothing would change.")
                % {"name": name}
            )
        cleaned.append(IndicatorInput(name, unit, baseline, target))
    return cleaned


def _next_code(unit: AdministrativeUnit, year: int) -> str:
    """The next "MH-<province>-<year>-<seq>"; the caller holds the lock on the province row."""
    prefix = f"MH-{province_code(unit)}-{year}-"
    last = (
        MobilizationModel.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def _create_model(
    *,
    actor: Actor,
    unit: AdministrativeUnit,
    values: dict[str, Any],
    partner_bodies: Sequence[Body],
    indicators: Sequence[IndicatorInput],
    status: str = ModelStatus.REGISTERED,
    origin: MobilizationModel | None = None,
    require_parts: bool = True,
    action: str = "skillful.model_register",
) -> MobilizationModel:
    require_act(actor, unit)
    errors = registration_errors(
        unit=unit, values=values, partner_bodies=partner_bodies, require_parts=require_parts
    )
    try:
        checked = clean_indicators(indicators)
    except ValidationError as exc:
        add_error(errors, NON_FIELD_ERRORS, exc.messages[0])
        checked = []
    if errors:
        raise ValidationError(errors)
    # Codes are numbered per province and year: one registration at a time per province takes
    # the next number (the province row is the lock; a savepoint retries a rare clash anyway).
    AdministrativeUnit.objects.select_for_update().filter(code=province_code(unit)).first()
    model = _new_model(actor=actor, unit=unit, values=values, status=status, origin=origin)
    _save_with_code(model, unit, values["year"])
    _add_bodies_and_indicators(model, values["lead_body"], partner_bodies, checked)
    audit_record(
        actor=actor,
        action=action,
        obj=model,
        unit=unit,
        changes={
            "code": model.code,
            "field": model.field,
            "level": model.level,
            "status": model.status,
            "origin": origin.code if origin else None,
            "indicators": len(checked),
        },
    )
    return model


def _new_model(
    *,
    actor: Actor,
    unit: AdministrativeUnit,
    values: dict[str, Any],
    status: str,
    origin: MobilizationModel | None,
) -> MobilizationModel:
    """The model the checked ``values`` describe, not saved yet (it has no code)."""
    return MobilizationModel(
        unit=unit,
        name=values["name"],
        holder=values["holder"],
        field=values["field"],
        level=values["level"],
        current_level=values["level"],
        period=values["period"],
        year=values["year"],
        lead_body=values["lead_body"],
        person_name=values["person_name"],
        person_consents_to_publication=bool(values.get("person_consents_to_publication")),
        starts_on=values["starts_on"],
        ends_on=values.get("ends_on"),
        status=status,
        origin=origin,
        created_by=actor.user,
        **{part: values[part] for part in PARTS},
    )


def _save_with_code(model: MobilizationModel, unit: AdministrativeUnit, year: int) -> None:
    """Save a new model under the next code of its province and year; the caller holds the
    province row's lock, and a savepoint retries a rare clash anyway."""
    for attempt in range(3):
        model.code = _next_code(unit, year)
        try:
            with transaction.atomic():
                model.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise


def _add_bodies_and_indicators(
    model: MobilizationModel,
    lead: Body,
    partner_bodies: Sequence[Body],
    indicators: Sequence[IndicatorInput],
) -> None:
    partners = {b.pk for b in partner_bodies if b.pk != lead.pk}
    if partners:
        model.partner_bodies.set(partners)
    Indicator.objects.bulk_create(
        Indicator(
            model=model,
            name=i.name,
            unit_of_measure=i.unit_of_measure,
            baseline=i.baseline,
            target=i.target,
            order=n,
        )
        for n, i in enumerate(indicators)
    )


@transaction.atomic
def model_register(
    *,
    actor: Actor,
    unit: AdministrativeUnit,
    name: str,
    holder: str,
    field: str,
    level: str,
    period: EmulationPeriod,
    year: int,
    lead_body: Body,
    starts_on: datetime.date,
    situation: str,
    goals: str,
    content: str,
    area_and_target: str,
    forces: str,
    resources: str,
    expected_outputs: str,
    sustainability: str,
    ends_on: datetime.date | None = None,
    partner_bodies: Sequence[Body] = (),
    person_name: str = "",
    person_consents_to_publication: bool = False,
    indicators: Sequence[IndicatorInput] = (),
) -> MobilizationModel:
    """Register a model with the ten parts of the registration form and its indicators."""
    values = {
        k: v
        for k, v in locals().items()
        if k not in ("actor", "unit", "partner_bodies", "indicators")
    }
    model = _create_model(
        actor=actor,
        unit=unit,
        values=values,
        partner_bodies=list(partner_bodies),
        indicators=list(indicators),
    )
    check_model(model)
    return model


@transaction.atomic
def model_record_existing(
    *,
    actor: Actor,
    unit: AdministrativeUnit,
    values: dict[str, Any],
    partner_bodies: Sequence[Body] = (),
    indicators: Sequence[IndicatorInput] = (),
    status: str = ModelStatus.REGISTERED,
    commendation: CommendationInput | None = None,
) -> MobilizationModel:
    """A model that existed before Dân Vận (an imported list, the demo), with the status it had
    reached and, when honored, its commendation decision. Parts left empty in old lists stay
    empty; everything else is checked as at registration."""
    if status not in ModelStatus.values:
        raise ValidationError(_("Unknown status."))
    if (commendation is not None) != (status == ModelStatus.HONORED):
        raise ValidationError(
            _("An honored model needs its commendation decision, and only an honored one has one.")
        )
    if commendation is not None and not (
        commendation.decision_number.strip()
        and commendation.issuer.strip()
        and commendation.title.strip()
    ):
        raise ValidationError(
            _("A commendation needs its decision number, the body that issued it and its form.")
        )
    model = _create_model(
        actor=actor,
        unit=unit,
        values=dict(values),
        partner_bodies=list(partner_bodies),
        indicators=list(indicators),
        status=status,
        require_parts=False,
        action="skillful.model_record_existing",
    )
    if commendation is not None:
        Commendation.objects.create(
            model=model,
            level=commendation.level or model.level,
            decision_number=commendation.decision_number.strip()[:60],
            decided_on=commendation.decided_on,
            issuer=commendation.issuer.strip()[:200],
            title=commendation.title.strip()[:200],
        )
    return model


# --- Replication ----------------------------------------------------------------------------------


@transaction.atomic
def model_adopt(
    *,
    actor: Actor,
    origin: MobilizationModel,
    unit: AdministrativeUnit,
    lead_body: Body,
    period: EmulationPeriod | None = None,
    year: int | None = None,
    starts_on: datetime.date | None = None,
    name: str = "",
) -> MobilizationModel:
    """Adopt an honored model at ``unit`` (nhân rộng): a new registration linked to its origin,
    with the origin's parts and indicators copied (the baselines start at 0: the adopter measures
    its own), all editable while it is registered."""
    origin = MobilizationModel.objects.select_related("period").get(pk=origin.pk)
    if origin.status != ModelStatus.HONORED:
        raise ValidationError(_("Only an honored model can be adopted."))
    if unit.pk == origin.unit_id:
        raise ValidationError(_("A unit cannot adopt its own model."))
    if MobilizationModel.objects.filter(origin=origin, unit=unit).exists():
        raise ValidationError(_("%(unit)s has already adopted this model.") % {"unit": unit.name})
    today = timezone.localdate()
    if period is None:
        candidates = [p for p in periods_for(unit) if p.starts_on <= today <= p.ends_on]
        if not candidates:
            raise ValidationError({"period": [_("Choose the emulation period.")]})
        period = candidates[0]
    start = starts_on or min(max(today, period.starts_on), period.ends_on)
    values: dict[str, Any] = {
        "name": name.strip() or origin.name,
        "holder": Holder.COLLECTIVE,
        "field": origin.field,
        "level": LEVEL_OF_TIER.get(unit.tier, ""),
        "period": period,
        "year": year if year is not None else start.year,
        "lead_body": lead_body,
        "starts_on": start,
        "ends_on": None,
        **{part: getattr(origin, part) for part in PARTS},
    }
    indicators = [
        IndicatorInput(i.name, i.unit_of_measure, Decimal(0), i.target)
        for i in origin.indicators.all()
        if i.target > 0
    ]
    adopted = _create_model(
        actor=actor,
        unit=unit,
        values=values,
        partner_bodies=[],
        indicators=indicators,
        origin=origin,
        action="skillful.model_adopt",
    )
    check_model(adopted)
    return adopted
