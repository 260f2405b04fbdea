"""Reads of the public showcase (``/mo-hinh/``): honored models as plain ``ShowcaseModel`` records
holding only what may be published (a person is named only with their consent, no officer
ever), so that a template cannot reach anything else, and the number of honored models per
province. A constant number of queries, however many models."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter

from django.db.models import Prefetch
from django.utils.text import Truncator

from danvan.skillful.flag_reasons import format_number
from danvan.skillful.models import (
    Holder,
    Indicator,
    IndicatorReport,
    MobilizationModel,
    ModelStatus,
)
from danvan.units.models import AdministrativeUnit, UnitTier

SUMMARY_WORDS = 60


@dataclasses.dataclass(frozen=True)
class Commendation:
    title: str
    decision_number: str
    decided_on: datetime.date
    issuer: str


@dataclasses.dataclass(frozen=True)
class Result:
    name: str
    unit_of_measure: str
    baseline: str
    target: str
    latest: str
    period: str


@dataclasses.dataclass(frozen=True)
class ShowcaseModel:
    code: str
    name: str
    field: str
    level: str
    unit: str
    commune: str
    lead_body: str
    #: Empty unless an individual model's person agreed to be named publicly.
    person: str
    is_individual: bool
    content: str
    outputs: str
    commendations: list[Commendation]
    results: list[Result]
    #: Where it spread: the units that adopted it.
    spread_to: list[str]


def showcase_record(model: MobilizationModel) -> ShowcaseModel:
    unit = model.unit
    commune = unit.parent.name if unit.tier == UnitTier.VILLAGE and unit.parent else ""
    is_individual = model.holder == Holder.INDIVIDUAL
    results = []
    for indicator in model.indicators.all():
        reports = list(indicator.reports.all())
        if reports:
            latest = reports[-1]
            results.append(
                Result(
                    name=indicator.name,
                    unit_of_measure=indicator.unit_of_measure,
                    baseline=format_number(indicator.baseline),
                    target=format_number(indicator.target),
                    latest=format_number(latest.value),
                    period=latest.period_label,
                )
            )
    return ShowcaseModel(
        code=model.code,
        name=model.name,
        field=model.get_field_display(),
        level=model.get_current_level_display(),
        unit=unit.name,
        commune=commune,
        lead_body=model.lead_body.name,
        person=model.person_name if is_individual and model.person_consents_to_publication else "",
        is_individual=is_individual,
        content=Truncator(model.content).words(SUMMARY_WORDS),
        outputs=Truncator(model.expected_outputs).words(SUMMARY_WORDS),
        commendations=[
            Commendation(c.title, c.decision_number, c.decided_on, c.issuer)
            for c in model.commendations.all()
        ],
        results=results,
        spread_to=sorted({r.unit.name for r in model.replications.all()}),
    )


def honored_in(province: AdministrativeUnit) -> list[ShowcaseModel]:
    """The honored models of a province, most recently commended first (a constant number of
    queries, however many)."""
    models = (
        MobilizationModel.objects.filter(
            status=ModelStatus.HONORED, unit__path__startswith=province.path
        )
        .select_related("unit__parent", "lead_body")
        .prefetch_related(
            "commendations",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(
                    Prefetch("reports", queryset=IndicatorReport.objects.order_by("reported_on"))
                ),
            ),
            Prefetch(
                "replications",
                queryset=MobilizationModel.objects.select_related("unit").order_by(),
            ),
        )
        .order_by("-updated_at", "name")
    )
    return [showcase_record(m) for m in models]


def honored_per_province() -> list[tuple[AdministrativeUnit, int]]:
    """The current provinces by name, each with its number of honored models."""
    counts: Counter[str] = Counter()
    for path in MobilizationModel.objects.filter(status=ModelStatus.HONORED).values_list(
        "unit__path", flat=True
    ):
        counts[path.strip("/").split("/")[0]] += 1
    return [
        (p, counts[p.code])
        for p in AdministrativeUnit.objects.provinces().current().order_by("name")
    ]


def province_by_code(code: str) -> AdministrativeUnit | None:
    return AdministrativeUnit.objects.provinces().filter(code=code).first()
