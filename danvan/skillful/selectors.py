"""Reads of the "Skillful Mass Mobilization" models that more than one place needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from danvan.accounts.models import User
from danvan.lib.roles import Capability
from danvan.lib.users import Requester
from danvan.skillful.models import (
    Council,
    CouncilQuerySet,
    Evaluation,
    FormalismFlag,
    MobilizationModel,
    ModelStatus,
)
from danvan.units.models import AdministrativeUnit

#: The statuses of a model "under way" (đang triển khai): the models list's "Under way" and the
#: periodic report's "models under way" count the same models.
UNDER_WAY_STATUSES = (ModelStatus.UNDER_WAY,)


def models_under_way(models: QuerySet[MobilizationModel]) -> QuerySet[MobilizationModel]:
    """The models among ``models`` that are under way now. A fact of the day it is read, as the
    models list shows it: not limited by when a model was entered in Dân Vận (the models that
    existed before it were all entered on one day)."""
    return models.filter(status__in=UNDER_WAY_STATUSES)


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def councils_for(model: MobilizationModel) -> CouncilQuerySet:
    """The councils that evaluate ``model`` now: of its current level, at its unit or above. The
    model's page, the form that puts it before a council and "my evaluations" all read this."""
    return (
        Council.objects.filter(
            level=model.current_level, unit__path__in=_ancestor_paths(model.unit.path)
        )
        .select_related("unit", "period")
        .order_by("-period__starts_on", "name")
    )


#: Statuses only an evaluation leads to: a model recorded with one of them (an imported list,
#: the demo's earlier period) was evaluated before Dân Vận kept its councils' scores.
EVALUATED_STATUSES = (
    ModelStatus.EVALUATED,
    ModelStatus.RECOGNIZED,
    ModelStatus.NOT_RECOGNIZED,
    ModelStatus.HONORED,
)


@dataclass(frozen=True)
class AwaitingCouncil:
    model: MobilizationModel
    councils: list[Council]


def awaiting_council(user: User, *, limit: int = 200) -> list[AwaitingCouncil]:
    """Proposed models with no evaluation under way that a council ``user`` sits on, or may
    open evaluations for, evaluates (``councils_for``): what "my evaluations" lists as waiting
    to be put before a council. Three queries."""
    councils = list(
        (Council.objects.visible_to(user, Capability.ACT) | Council.objects.filter(members=user))
        .select_related("unit", "period")
        .distinct()
        .order_by("-period__starts_on", "name")
    )
    if not councils:
        return []
    levels = {c.level for c in councils}
    proposed = (
        MobilizationModel.objects.filter(status=ModelStatus.PROPOSED, current_level__in=levels)
        .exclude(pk__in=Evaluation.objects.filter(closed_at__isnull=True).values("model_id"))
        .select_related("unit")
        .order_by("updated_at", "id")[:limit]
    )
    result = []
    for model in proposed:
        fitting = [
            c
            for c in councils
            if c.level == model.current_level and model.unit.path.startswith(c.unit.path)
        ]
        if fitting:
            result.append(AwaitingCouncil(model=model, councils=fitting))
    return result


def unit_seen_by(user: Requester, code: str) -> AdministrativeUnit | None:
    """The unit ``code`` if it is in ``user``'s scope."""
    return AdministrativeUnit.objects.visible_to(user).filter(code=code).first()


def flag_seen_by(user: Requester, pk: int) -> FormalismFlag:
    """A formalism flag of a model ``user`` sees (404 otherwise)."""
    return get_object_or_404(
        FormalismFlag.objects.select_related("model__unit").filter(
            model__in=MobilizationModel.objects.visible_to(user)
        ),
        pk=pk,
    )
