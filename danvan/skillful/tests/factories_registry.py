"""Test data for the models, built through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from danvan.audit.context import Actor
from danvan.skillful.models import EmulationPeriod, Holder, Level, MobilizationModel
from danvan.skillful.models import Field as ModelField
from danvan.skillful.services_periods import period_create
from danvan.skillful.services_registry import IndicatorInput, model_register

PARTS_TEXT = {
    "situation": "Nhiều hộ còn e ngại hiến đất làm đường.",
    "goals": "100% hộ đồng thuận hiến đất, hoàn thành 2 km đường.",
    "content": "Cán bộ đến từng nhà vận động, họp xóm công khai.",
    "area_and_target": "Các hộ dân dọc tuyến đường liên xóm.",
    "forces": "Tổ dân vận, chi hội phụ nữ, đoàn thanh niên.",
    "resources": "Nhân dân đóng góp ngày công, ngân sách xã hỗ trợ xi măng.",
    "expected_outputs": "2 km đường bê tông, 40 hộ hiến đất.",
    "sustainability": "Có thể nhân rộng ra các xóm khác trong xã.",
}


def make_period(first: int = 2026, last: int = 2030) -> EmulationPeriod:
    existing = EmulationPeriod.objects.filter(
        starts_on=datetime.date(first, 1, 1), province=None
    ).first()
    if existing:
        return existing
    return period_create(
        actor=Actor.system("test"),
        name=f"{first}–{last}",
        starts_on=datetime.date(first, 1, 1),
        ends_on=datetime.date(last, 12, 31),
    )


def register(world: Any, user: Any, **overrides: Any) -> MobilizationModel:
    """A commune model of Xã Anh Sơn, registered by ``user`` (None: the system)."""
    values: dict[str, Any] = {
        "unit": world.anh_son,
        "name": "Dân vận khéo vận động hiến đất làm đường",
        "holder": Holder.COLLECTIVE,
        "field": ModelField.ECONOMY,
        "level": Level.COMMUNE,
        "period": overrides.pop("period", None) or make_period(),
        "year": 2026,
        "lead_body": world.anh_son_body,
        "starts_on": datetime.date(2026, 3, 1),
        "indicators": [
            IndicatorInput("Hộ hiến đất", "hộ", Decimal(0), Decimal(40)),
            IndicatorInput("Đường bê tông", "m", Decimal(0), Decimal(2000)),
        ],
        **PARTS_TEXT,
    }
    values.update(overrides)
    actor = Actor.of_user(user) if user is not None else Actor.system("test")
    return model_register(actor=actor, **values)
