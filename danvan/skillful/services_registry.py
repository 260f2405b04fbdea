"""Writes of the registry: emulation periods, registering and editing models (đăng ký mô hình),
their indicators and yearly reports, evidence, and adopting an honored model elsewhere.

Every service takes ``actor=`` and writes its audit row in the same transaction. Acting on a
model needs ``Capability.ACT`` on its unit (a command or job acting without a person may do
anything). A change to a model locks its row and compares the version the officer saw.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Body
from danvan.skillful.models import (
    Commendation,
    EmulationPeriod,
    EmulationRound,
    Evidence,
    Holder,
    Indicator,
    IndicatorReport,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.models import (
    Field as ModelField,
)
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.attachments import JPEG, PDF, PNG, WEBP, CheckedAttachment, attachment_check

MAX_TEXT = 10_000
MAX_EVIDENCE = 30
MAX_INDICATORS = 20

#: The ten parts of the registration form (name, then these nine), in the form's order.
PARTS = (
    "situation",
    "goals",
    "content",
    "area_and_target",
    "forces",
    "resources",
    "expected_outputs",
    "sustainability",
)

#: The level a model registered at a unit of each tier has.
LEVEL_OF_TIER: dict[str, str] = {
    UnitTier.VILLAGE: Level.VILLAGE,
    UnitTier.COMMUNE: Level.COMMUNE,
    UnitTier.PROVINCE: Level.PROVINCE,
}

#: Statuses in which the registration and the indicators may still change.
EDITABLE = (ModelStatus.REGISTERED, ModelStatus.UNDER_WAY)

#: "2026", "2026-H1" (half year), "2026-Q3" (quarter).
PERIOD_LABEL = re.compile(r"^(\d{4})(?:-(?:H[12]|Q[1-4]))?$")

_EXTENSION = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}


class StaleModelError(ValidationError):
    """Someone else changed the model since this officer loaded it."""


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


def _recheck(model: MobilizationModel) -> None:
    """Recompute the model's formalism flags now, so the page after the change shows them."""
    from danvan.skillful.checks import check_model

    check_model(model)


def province_code(unit: AdministrativeUnit) -> str:
    return unit.path.strip("/").split("/")[0]


def _require_act(actor: Actor, unit: AdministrativeUnit) -> None:
    if actor.user is not None and not can(actor.user, Capability.ACT, unit):
        raise PermissionDenied(
            _("You may not register or change models of %(unit)s.") % {"unit": unit.name}
        )


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# --- Periods --------------------------------------------------------------------------------------


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
        _add(errors, "name", _("Give the period a name."))
    elif len(name) > 80:
        _add(errors, "name", _("The name is longer than 80 characters."))
    if ends_on <= starts_on:
        _add(errors, "ends_on", _("The period must end after it starts."))
    if province is not None and province.tier != UnitTier.PROVINCE:
        _add(errors, "province", _("A period belongs to a province or to the whole country."))
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
        _add(
            errors,
            "year",
            _("The round's year must be a year of the period (%(first)s–%(last)s).")
            % {"first": locked.starts_on.year, "last": locked.ends_on.year},
        )
        raise ValidationError(errors)
    starts_on = starts_on or max(locked.starts_on, datetime.date(year, 1, 1))
    ends_on = ends_on or min(locked.ends_on, datetime.date(year, 12, 31))
    if ends_on < starts_on:
        _add(errors, "ends_on", _("The round cannot end before it starts."))
    for field_name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not (locked.starts_on <= day <= locked.ends_on):
            _add(
                errors,
                field_name,
                _("The round must lie within its period (%(start)s to %(end)s).")
                % {"start": _dmy(locked.starts_on), "end": _dmy(locked.ends_on)},
            )
    if locked.rounds.filter(year=year).exists():
        _add(errors, "year", _("The period already has a round for %(year)s.") % {"year": year})
    else:
        clash = (
            locked.rounds.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
            .order_by("year")
            .first()
        )
        if clash is not None:
            _add(
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
    from django.db.models import Q

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
    for key in ("name", "person_name", *PARTS):
        values[key] = str(values.get(key) or "").strip()
    if not values["name"]:
        _add(errors, "name", _("Give the model a name."))
    elif len(values["name"]) > 255:
        _add(errors, "name", _("The name is longer than 255 characters."))
    for part in PARTS:
        if len(values[part]) > MAX_TEXT:
            _add(
                errors, part, _("This part is longer than %(max)s characters.") % {"max": MAX_TEXT}
            )
        elif require_parts and not values[part]:
            _add(errors, part, _("This part of the registration form is required."))
    if values.get("field") not in ModelField.values:
        _add(errors, "field", _("Choose one of the four fields."))
    if values.get("holder") not in Holder.values:
        _add(errors, "holder", _("Say whether the model is a collective or an individual."))
    elif values["holder"] == Holder.INDIVIDUAL:
        if not values["person_name"]:
            _add(errors, "person_name", _("An individual model needs the person's name."))
        elif len(values["person_name"]) > 150:
            _add(errors, "person_name", _("The name is longer than 150 characters."))
    else:
        values["person_name"] = ""
        values["person_consents_to_publication"] = False

    if unit.valid_to is not None:
        _add(errors, NON_FIELD_ERRORS, _("%(unit)s no longer exists.") % {"unit": unit.name})
    expected = LEVEL_OF_TIER.get(unit.tier)
    if expected is None:
        _add(
            errors, NON_FIELD_ERRORS, _("Models are registered at a province, commune or village.")
        )
    elif values.get("level") != expected:
        _add(
            errors,
            "level",
            _("A model of %(unit)s is at the “%(level)s” level.")
            % {"unit": unit.name, "level": Level(expected).label},
        )

    period: EmulationPeriod | None = values.get("period")
    year = values.get("year")
    starts_on: datetime.date | None = values.get("starts_on")
    ends_on: datetime.date | None = values.get("ends_on")
    if period is None:
        _add(errors, "period", _("Choose the emulation period."))
    else:
        if period.province is not None and period.province.code != province_code(unit):
            _add(errors, "period", _("This period belongs to another province."))
        rounds = sorted(period.rounds.values_list("year", flat=True))
        if not isinstance(year, int) or not (period.starts_on.year <= year <= period.ends_on.year):
            _add(
                errors,
                "year",
                _("The yearly round must be a year of the period (%(first)s–%(last)s).")
                % {"first": period.starts_on.year, "last": period.ends_on.year},
            )
        elif rounds and year not in rounds:
            _add(
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
            _add(errors, "starts_on", _("Give the day the model starts."))
        elif not (period.starts_on <= starts_on <= period.ends_on):
            _add(
                errors,
                "starts_on",
                _("The model must start within the period (%(start)s to %(end)s).")
                % {
                    "start": period.starts_on.strftime("%d/%m/%Y"),
                    "end": period.ends_on.strftime("%d/%m/%Y"),
                },
            )
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        _add(errors, "ends_on", _("The model cannot end before it starts."))

    lead: Body | None = values.get("lead_body")
    if lead is None:
        _add(errors, "lead_body", _("Choose the lead body."))
    for field_name, bodies in (
        ("lead_body", [lead] if lead else []),
        ("partner_bodies", partner_bodies),
    ):
        for body in bodies:
            if not body.is_active:
                _add(errors, field_name, _("%(body)s is no longer active.") % {"body": body.name})
            elif not unit.path.startswith(body.unit.path):
                _add(
                    errors,
                    field_name,
                    _("%(body)s is not at %(unit)s or above it.")
                    % {"body": body.name, "unit": unit.name},
                )
    return errors


def _clean_indicators(indicators: Sequence[IndicatorInput]) -> list[IndicatorInput]:
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
    _require_act(actor, unit)
    errors = registration_errors(
        unit=unit, values=values, partner_bodies=partner_bodies, require_parts=require_parts
    )
    try:
        checked = _clean_indicators(indicators)
    except ValidationError as exc:
        _add(errors, NON_FIELD_ERRORS, exc.messages[0])
        checked = []
    if errors:
        raise ValidationError(errors)
    # Codes are numbered per province and year: one registration at a time per province takes
    # the next number (the province row is the lock; a savepoint retries a rare clash anyway).
    AdministrativeUnit.objects.select_for_update().filter(code=province_code(unit)).first()
    model = MobilizationModel(
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
    for attempt in range(3):
        model.code = _next_code(unit, values["year"])
        try:
            with transaction.atomic():
                model.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
    lead = values["lead_body"]
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
        for n, i in enumerate(checked)
    )
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
    _recheck(model)
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


#: What ``model_update`` may change; the unit, level and period are the registration's identity.
UPDATABLE = frozenset(
    {
        "name",
        "holder",
        "field",
        "year",
        "lead_body",
        "starts_on",
        "ends_on",
        "person_name",
        "person_consents_to_publication",
        *PARTS,
    }
)


def _lock(model: MobilizationModel, expected_version: int | None) -> MobilizationModel:
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


@transaction.atomic
def model_update(
    *,
    actor: Actor,
    model: MobilizationModel,
    expected_version: int,
    partner_bodies: Sequence[Body] | None = None,
    **changes: Any,
) -> MobilizationModel:
    """Change the registration while the model is registered or under way."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"model_update cannot change {sorted(unknown)}")
    locked = _lock(model, expected_version)
    _require_act(actor, locked.unit)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("The registration cannot change once the model is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    values: dict[str, Any] = {
        name: getattr(locked, name) for name in (*UPDATABLE, "level", "period")
    }
    values.update(changes)
    partners = list(locked.partner_bodies.all()) if partner_bodies is None else list(partner_bodies)
    errors = registration_errors(unit=locked.unit, values=values, partner_bodies=partners)
    if errors:
        raise ValidationError(errors)
    changed: dict[str, list[Any]] = {}
    for name in UPDATABLE:
        before, after = getattr(locked, name), values[name]
        if before != after:
            changed[name] = [str(before)[:80], str(after)[:80]]
            setattr(locked, name, after)
    if partner_bodies is not None:
        before_ids = sorted(b.pk for b in locked.partner_bodies.all())
        after_ids = sorted({b.pk for b in partners if b.pk != locked.lead_body_id})
        if before_ids != after_ids:
            locked.partner_bodies.set(after_ids)
            changed["partner_bodies"] = [before_ids, after_ids]
    if not changed:
        return locked
    locked.version += 1
    locked.save(
        update_fields=[*(k for k in changed if k != "partner_bodies"), "version", "updated_at"]
    )
    audit_record(
        actor=actor, action="skillful.model_update", obj=locked, unit=locked.unit, changes=changed
    )
    _recheck(locked)
    return locked


# --- Indicators and reports -----------------------------------------------------------------------


@transaction.atomic
def indicator_add(
    *,
    actor: Actor,
    model: MobilizationModel,
    name: str,
    unit_of_measure: str,
    baseline: Decimal,
    target: Decimal,
    expected_version: int | None = None,
) -> Indicator:
    """One more indicator while the model is registered or under way. With ``expected_version``
    (the version the officer's page showed), a colleague's change meanwhile is refused."""
    locked = _lock(model, expected_version)
    _require_act(actor, locked.unit)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("Indicators cannot be added once the model is proposed for evaluation.")
        )
    if locked.indicators.count() >= MAX_INDICATORS:
        raise ValidationError(
            _("A model can declare at most %(max)s indicators.") % {"max": MAX_INDICATORS}
        )
    (item,) = _clean_indicators([IndicatorInput(name, unit_of_measure, baseline, target)])
    indicator = Indicator.objects.create(
        model=locked,
        name=item.name,
        unit_of_measure=item.unit_of_measure,
        baseline=item.baseline,
        target=item.target,
        order=locked.indicators.count(),
    )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="skillful.indicator_add",
        obj=locked,
        unit=locked.unit,
        changes={"indicator": indicator.pk, "name": item.name, "target": str(item.target)},
    )
    return indicator


@transaction.atomic
def indicator_update(
    *,
    actor: Actor,
    indicator: Indicator,
    expected_version: int,
    name: str,
    unit_of_measure: str,
    baseline: Decimal,
    target: Decimal,
) -> Indicator:
    """Correct an indicator's name, unit of measure, baseline or target while the model is
    registered or under way and **no value has been reported for it**.

    Once a value is reported the indicator is refused, not versioned: the reports were measured
    in that unit against that baseline and target, the progress shown on the model's page and the
    "no progress" check read them that way, and a target moved after the fact would hide a model
    that is not moving. To measure something else, the officer adds a new indicator. The version
    is the model's (``expected_version``): an edit made on a stale page is refused."""
    locked = _lock(indicator.model, expected_version)
    _require_act(actor, locked.unit)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk, model=locked)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("Indicators cannot change once the model is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    periods = list(current.reports.order_by("period_label").values_list("period_label", flat=True))
    if periods:
        raise ValidationError(
            _(
                "“%(name)s” already has values reported (%(periods)s): they were measured against "
                "this baseline and target, so it cannot change. Add a new indicator instead."
            )
            % {"name": current.name, "periods": ", ".join(periods)}
        )
    (item,) = _clean_indicators([IndicatorInput(name, unit_of_measure, baseline, target)])
    changed: dict[str, list[str]] = {}
    for field_name, after in (
        ("name", item.name),
        ("unit_of_measure", item.unit_of_measure),
        ("baseline", item.baseline),
        ("target", item.target),
    ):
        before = getattr(current, field_name)
        if before != after:
            changed[field_name] = [str(before), str(after)]
            setattr(current, field_name, after)
    if not changed:
        return current
    current.save(update_fields=list(changed))
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="skillful.indicator_update",
        obj=locked,
        unit=locked.unit,
        changes={"indicator": current.pk, **changed},
    )
    _recheck(locked)
    return current


def _check_upload(upload: Any | CheckedAttachment | None) -> CheckedAttachment | None:
    if upload is None or isinstance(upload, CheckedAttachment):
        return upload
    return attachment_check(upload)


@transaction.atomic
def indicator_report(
    *,
    actor: Actor,
    indicator: Indicator,
    period_label: str,
    value: Decimal | int | str,
    reported_on: datetime.date | None = None,
    note: str = "",
    upload: Any | None = None,
    caption: str = "",
) -> IndicatorReport:
    """Report an indicator's value for one period, with optional evidence. The first report of a
    registered model means it is under way."""
    today = timezone.localdate()
    reported_on = reported_on or today
    period_label = period_label.strip().upper()
    note = note.strip()
    model = _lock(indicator.model, None)
    _require_act(actor, model.unit)
    errors: dict[str, list[str]] = {}
    match = PERIOD_LABEL.match(period_label)
    if not match:
        _add(
            errors,
            "period_label",
            _("Write the period as a year (2026), a half year (2026-H1) or a quarter (2026-Q3)."),
        )
    elif not (model.period.starts_on.year <= int(match.group(1)) <= model.period.ends_on.year):
        _add(
            errors,
            "period_label",
            _("The period must be within %(period)s.") % {"period": model.period.name},
        )
    amount = Decimal(0)
    try:
        amount = Decimal(value)
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        _add(errors, "value", _("The value must be a number from 0 up."))
    if reported_on > today:
        _add(errors, "reported_on", _("The day of the report cannot be in the future."))
    if len(note) > MAX_TEXT:
        _add(errors, "note", _("The note is longer than %(max)s characters.") % {"max": MAX_TEXT})
    if match and indicator.reports.filter(period_label=period_label).exists():
        _add(
            errors,
            "period_label",
            _("“%(indicator)s” already has a value for %(period)s.")
            % {"indicator": indicator.name, "period": period_label},
        )
    if errors:
        raise ValidationError(errors)
    checked = _check_upload(upload)  # before anything is written: a bad file loses nothing
    try:
        with transaction.atomic():
            report = IndicatorReport.objects.create(
                indicator=indicator,
                period_label=period_label,
                reported_on=reported_on,
                value=amount,
                note=note,
                reported_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "period_label": [
                    _("“%(indicator)s” already has a value for %(period)s.")
                    % {"indicator": indicator.name, "period": period_label}
                ]
            }
        ) from None
    if model.status == ModelStatus.REGISTERED:
        model.status = ModelStatus.UNDER_WAY
        model.version += 1
        model.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="skillful.indicator_report",
        obj=model,
        unit=model.unit,
        changes={
            "indicator": indicator.pk,
            "period": period_label,
            "value": str(amount),
            "status": model.status,
        },
    )
    if checked is not None:
        evidence_add(actor=actor, model=model, upload=checked, report=report, caption=caption)
    else:
        _recheck(model)
    return report


# --- Evidence -------------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    model: MobilizationModel,
    upload: Any | CheckedAttachment,
    report: IndicatorReport | None = None,
    caption: str = "",
) -> Evidence:
    """Store a photo or document as evidence; checked like a voice's attachments (JPEG, PNG,
    WebP, PDF by content; images re-encoded without metadata)."""
    checked = _check_upload(upload)
    assert checked is not None
    locked = _lock(model, None)
    _require_act(actor, locked.unit)
    if report is not None and report.indicator.model_id != locked.pk:
        raise ValidationError(_("This report belongs to another model."))
    caption = caption.strip()
    if len(caption) > 255:
        raise ValidationError(_("The caption is longer than 255 characters."))
    if locked.evidence.count() >= MAX_EVIDENCE:
        raise ValidationError(
            _("A model can carry at most %(max)s pieces of evidence.") % {"max": MAX_EVIDENCE}
        )
    evidence = Evidence(
        model=locked,
        report=report,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        caption=caption,
    )
    random_name = f"{secrets.token_hex(16)}.{_EXTENSION[checked.content_type]}"
    evidence.file.save(random_name, ContentFile(checked.content), save=False)
    stored = evidence.file.name
    try:
        evidence.save()
        audit_record(
            actor=actor,
            action="skillful.evidence_add",
            obj=locked,
            unit=locked.unit,
            changes={
                "evidence": evidence.pk,
                "report": report.pk if report else None,
                "content_type": checked.content_type,
                "size": checked.size,
                "sha256": checked.sha256,
            },
        )
    except Exception:
        evidence.file.storage.delete(stored)
        raise
    _recheck(locked)
    return evidence


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
    _recheck(adopted)
    return adopted
