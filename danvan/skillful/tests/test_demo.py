"""The demo models: realistic, varied, something for the checks to find, and seeded once."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.audit.context import Actor
from danvan.demo.seed import seed_demo
from danvan.skillful.demo import seed_models
from danvan.skillful.models import Evidence, IndicatorReport, MobilizationModel, ModelStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_province(db: None, settings: Any, tmp_path: Any) -> Actor:
    """The demo province without voices or models (``voices=0`` seeds neither)."""
    settings.MEDIA_ROOT = tmp_path
    seed_demo(password="demo-password-1", voices=0)
    assert not MobilizationModel.objects.exists()
    return Actor.system("seed_demo")


def test_demo_models_cover_fields_levels_and_periods(demo_province: Actor) -> None:
    lines: list[str] = []
    seed_models(demo_province, lines, count=60)
    models = MobilizationModel.objects.all()
    assert models.filter(origin__isnull=True).count() >= 60
    assert {m.field for m in models} == {
        "economy",
        "culture_society",
        "defence_security",
        "party_building",
    }
    assert {m.level for m in models} == {"village", "commune", "province"}
    assert models.values("period").distinct().count() == 2
    assert models.filter(status=ModelStatus.HONORED, commendations__isnull=False).exists()
    assert models.filter(origin__isnull=False).exists()
    for model in models.filter(origin__isnull=True):
        assert 2 <= model.indicators.count() <= 4
    assert IndicatorReport.objects.exists() and Evidence.objects.exists()
    assert models.filter(evidence__isnull=True).exists()  # for the "no evidence" check
    assert any(line.startswith("models: 60 registered") for line in lines)


def test_seeding_models_twice_adds_nothing(demo_province: Actor) -> None:
    seed_models(demo_province, [], count=10)
    before = MobilizationModel.objects.count()
    lines: list[str] = []
    seed_models(demo_province, lines, count=10)
    assert MobilizationModel.objects.count() == before
    assert "models: already seeded" in lines
