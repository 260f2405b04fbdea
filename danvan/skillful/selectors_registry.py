"""Reads of the registry's pages: the models a user sees, one model with everything its page
shows, the units where an officer registers or adopts, the periods a province's staff manage.
The views call these and the services; they do not query the models themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import fold
from danvan.lib.users import Requester
from danvan.organizations.models import Body, Membership
from danvan.skillful.models import (
    CriteriaSet,
    EmulationPeriod,
    Evidence,
    Indicator,
    IndicatorReport,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.services_registry import LEVEL_OF_TIER, bodies_for, periods_for
from danvan.units.models import AdministrativeUnit, UnitTier

# --- Models -----------------------------------------------------------------------------------


def model_visible(user: Requester, code: str) -> MobilizationModel:
    """The model ``code`` if ``user`` may see it (404 otherwise), with what every page shows."""
    return get_object_or_404(
        MobilizationModel.objects.visible_to(user).select_related(
            "unit__parent", "period", "lead_body__unit", "origin__unit"
        ),
        code=code,
    )


def models_filtered(user: Requester, data: dict[str, Any] | None) -> QuerySet[MobilizationModel]:
    """The models ``user`` sees, narrowed by the list's filters (``data``: the form's cleaned
    data, or None for no filter)."""
    models = MobilizationModel.objects.visible_to(user)
    if not data:
        return models
    for name in ("field", "level", "status"):
        if data[name]:
            models = models.filter(**{name: data[name]})
    if data["period"]:
        models = models.filter(period=data["period"])
    if data["unit"]:
        unit = AdministrativeUnit.objects.filter(code=data["unit"].strip()).first()
        models = models.filter(unit__path__startswith=unit.path) if unit else models.none()
    if data["q"]:
        text = data["q"].strip()
        models = models.filter(
            Q(name__icontains=text)
            | Q(code__iexact=text)
            | Q(unit__name_folded__contains=fold(text))
        )
    return models


def status_counts(models: QuerySet[MobilizationModel]) -> dict[str, int]:
    """How many of ``models`` are at each status (one grouped query)."""
    return {
        row["status"]: row["n"]
        for row in models.values("status").annotate(n=Count("id")).order_by()
    }


def models_for_list(models: QuerySet[MobilizationModel]) -> QuerySet[MobilizationModel]:
    """``models`` newest first, with what a row of the list shows."""
    return models.select_related("unit", "unit__parent", "period", "lead_body").order_by(
        "-created_at", "-id"
    )


def model_for_page(model: MobilizationModel) -> MobilizationModel:
    """``model`` again with its indicators (each with its reports in order), partner bodies,
    evidence and commendations: what its page shows, in a fixed number of queries."""
    return (
        MobilizationModel.objects.select_related(
            "unit__parent", "period", "lead_body__unit", "origin__unit"
        )
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(
                    Prefetch(
                        "reports", queryset=IndicatorReport.objects.order_by("period_label", "id")
                    )
                ),
            ),
            "partner_bodies__unit",
            "evidence__report__indicator",
            "commendations",
        )
        .get(pk=model.pk)
    )


def replications_seen_by(
    user: Requester, model: MobilizationModel
) -> list[tuple[MobilizationModel, bool]]:
    """The models adopted from ``model`` ("where it spread"), each with whether ``user`` may
    open it."""
    replications = MobilizationModel.objects.filter(origin=model).select_related("unit__parent")
    visible_ids = set(
        MobilizationModel.objects.visible_to(user).filter(origin=model).values_list("id", flat=True)
    )
    return [(r, r.pk in visible_ids) for r in replications]


def origin_visible(user: Requester, model: MobilizationModel) -> bool:
    """Whether ``user`` may open the model ``model`` was adopted from."""
    return (
        model.origin_id is not None
        and MobilizationModel.objects.visible_to(user).filter(pk=model.origin_id).exists()
    )


def honored_model(code: str) -> MobilizationModel:
    """An honored model, whoever asks: honored models are public on the showcase (404 when
    ``code`` is not one)."""
    return get_object_or_404(
        MobilizationModel.objects.select_related("unit", "period"),
        code=code,
        status=ModelStatus.HONORED,
    )


def partner_body_ids(model: MobilizationModel) -> list[int]:
    return list(model.partner_bodies.values_list("pk", flat=True))


def model_period(model: MobilizationModel) -> QuerySet[EmulationPeriod]:
    """The model's own period, as the only choice of a form (the period does not change)."""
    return EmulationPeriod.objects.filter(pk=model.period_id)


# --- Indicators and evidence ----------------------------------------------------------------


def indicator_of(model: MobilizationModel, pk: int) -> Indicator:
    return get_object_or_404(model.indicators.all(), pk=pk)


def reported_periods(indicator: Indicator) -> list[str]:
    """The periods ``indicator`` has a value for, in order."""
    return list(indicator.reports.order_by("period_label").values_list("period_label", flat=True))


def evidence_of(model: MobilizationModel, pk: int) -> Evidence:
    return get_object_or_404(model.evidence, pk=pk)


# --- Units, bodies and periods of a registration ---------------------------------------------


def units_where(user: Requester, capability: Capability) -> QuerySet[AdministrativeUnit]:
    """Current provinces, communes and villages where ``user`` holds ``capability``, nearest
    first: where they adopt a model (``ACT``) or set up a council (``MANAGE_BODIES``)."""
    units = AdministrativeUnit.objects.visible_to(user, capability).current()
    units = units.filter(tier__in=[UnitTier.PROVINCE, UnitTier.COMMUNE, UnitTier.VILLAGE])
    return units.order_by("path")


def register_unit(user: Requester, code: str) -> AdministrativeUnit | None:
    """The current unit ``code`` if ``user`` may act there; without a code, the first unit of
    their memberships where they may act and models are registered."""
    if code:
        unit = AdministrativeUnit.objects.current().filter(code=code).first()
        if unit is None or not can(user, Capability.ACT, unit):
            return None
        return unit
    paths = (
        Membership.objects.active()
        .filter(user=user)
        .order_by("body__unit__path")
        .values_list("body__unit__path", flat=True)
    )
    for path in paths:
        unit = AdministrativeUnit.objects.current().filter(path=path).first()
        if unit and can(user, Capability.ACT, unit) and unit.tier in LEVEL_OF_TIER:
            return unit
    return None


def adoption_unit(
    units: QuerySet[AdministrativeUnit], chosen: str | None, origin: MobilizationModel
) -> AdministrativeUnit | None:
    """The unit of ``units`` chosen (its pk), else by default a commune other than the origin's,
    else the first."""
    if chosen and str(chosen).isdigit():
        unit = units.filter(pk=chosen).first()
        if unit is not None:
            return unit
    return units.exclude(pk=origin.unit_id).filter(tier=UnitTier.COMMUNE).first() or units.first()


def adoption_choices(
    unit: AdministrativeUnit | None,
) -> tuple[QuerySet[Body], QuerySet[EmulationPeriod]]:
    """The bodies and periods a model adopted at ``unit`` may have (none without a unit)."""
    if unit is None:
        return Body.objects.none(), EmulationPeriod.objects.none()
    return bodies_for(unit), periods_for(unit)


# --- Periods ----------------------------------------------------------------------------------


def periods_managed(provinces: list[AdministrativeUnit]) -> QuerySet[EmulationPeriod]:
    """The national periods and those of ``provinces``, newest first, with their rounds."""
    return (
        EmulationPeriod.objects.filter(Q(province__isnull=True) | Q(province__in=provinces))
        .select_related("province")
        .prefetch_related("rounds")
        .order_by("-starts_on", "province__name")
    )


def period_managed(provinces: list[AdministrativeUnit], pk: int) -> EmulationPeriod:
    return get_object_or_404(periods_managed(provinces), pk=pk)


def criteria_rows(
    period: EmulationPeriod, provinces: list[AdministrativeUnit]
) -> list[dict[str, Any]]:
    """Per province the user manages (of the period's, or all for a national one), each level
    with its criteria set for ``period`` (None where there is none yet)."""
    sets = {
        (s.province_id, s.level): s
        for s in CriteriaSet.objects.filter(period=period, province__in=provinces)
    }
    return [
        {
            "province": province,
            "levels": [
                (Level(level).label, level, sets.get((province.pk, level))) for level in Level
            ],
        }
        for province in provinces
        if period.province_id is None or period.province_id == province.pk
    ]
