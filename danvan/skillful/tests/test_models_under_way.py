"""The models list's "Under way" and the periodic report's "models under way" count the same
models (``skillful.selectors.models_under_way``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.reports.figures import report_figures
from danvan.reports.periods import period_containing
from danvan.skillful.models import Field as ModelField
from danvan.skillful.models import Holder, Level, ModelStatus
from danvan.skillful.services_registry import model_record_existing
from danvan.skillful.tests.factories_registry import PARTS_TEXT, make_period, register

pytestmark = pytest.mark.django_db


def existing(world: Any, status: str, name: str) -> None:
    model_record_existing(
        actor=Actor.system("test"),
        unit=world.anh_son,
        values={
            "name": name,
            "holder": Holder.COLLECTIVE,
            "field": ModelField.ECONOMY,
            "level": Level.COMMUNE,
            "period": make_period(),
            "year": 2026,
            "lead_body": world.anh_son_body,
            "starts_on": datetime.date(2026, 3, 1),
            **PARTS_TEXT,
        },
        status=status,
    )


def test_the_report_of_last_quarter_counts_the_models_the_list_shows_under_way(
    world, provincial_staff, login
):
    # Models that existed before Dân Vận are all entered today, after last quarter ended.
    existing(world, ModelStatus.UNDER_WAY, "Dân vận khéo xây dựng nông thôn mới")
    existing(world, ModelStatus.UNDER_WAY, "Dân vận khéo giữ gìn vệ sinh môi trường")
    existing(world, ModelStatus.NOT_RECOGNIZED, "Dân vận khéo chuyển đổi cây trồng")
    register(world, None)  # registered, not yet under way

    response = login(provincial_staff).get("/models/", {"status": ModelStatus.UNDER_WAY})
    listed = response.context["total"]
    counts = dict(response.context["status_counts"])

    today = timezone.localdate()
    last_quarter = period_containing(
        "quarter", period_containing("quarter", today).start - datetime.timedelta(days=1)
    )
    snapshot = report_figures(unit=world.nghe_an, period=last_quarter, today=today)

    assert listed == counts[ModelStatus.UNDER_WAY.label] == 2
    assert snapshot.models.total_active == listed
