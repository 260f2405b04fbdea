"""The demo's councils, criteria sets and evaluations."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.audit.context import Actor
from danvan.skillful.demo_evaluation import seed_evaluations
from danvan.skillful.models import (
    Commendation,
    Council,
    CriteriaSet,
    Evaluation,
    Level,
    MobilizationModel,
    ModelStatus,
    Score,
)
from danvan.skillful.tests.test_evaluation_services import make_model, make_period

pytestmark = pytest.mark.django_db


def test_the_demo_evaluates_some_models_and_runs_once(world: Any, leader: Any) -> None:
    period = make_period(world)
    for _index in range(8):
        make_model(world, period)
    for _index in range(3):
        make_model(world, period, level=Level.PROVINCE, current_level=Level.PROVINCE)
    lines: list[str] = []
    seed_evaluations(Actor.system("test"), lines)
    assert CriteriaSet.objects.count() == 2
    assert Council.objects.filter(level=Level.PROVINCE).count() == 1
    assert Evaluation.objects.filter(closed_at__isnull=False).count() >= 9
    assert not Evaluation.objects.filter(closed_at__isnull=True).exists()
    # Every member scored every criterion on their own.
    for evaluation in Evaluation.objects.all():
        assert Score.objects.filter(evaluation=evaluation).count() == (
            evaluation.council.members.count() * evaluation.criteria_set.criteria.count()
        )
    statuses = set(MobilizationModel.objects.values_list("status", flat=True))
    assert statuses & {ModelStatus.RECOGNIZED, ModelStatus.HONORED}
    assert (
        Commendation.objects.count()
        == MobilizationModel.objects.filter(status=ModelStatus.HONORED).count()
    )
    assert "model evaluations" in lines[-1]
    count = Evaluation.objects.count()
    seed_evaluations(Actor.system("test"), lines)
    assert Evaluation.objects.count() == count
