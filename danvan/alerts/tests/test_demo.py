"""The demo hook plants a caution land surge against whatever history the commune has."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from danvan.alerts.demo import alerts_demo_seed
from danvan.alerts.models import Alert, AlertLevel, AlertRule
from danvan.alerts.tests.conftest import weekly_history
from danvan.audit.context import Actor
from danvan.voices.models import Voice

pytestmark = pytest.mark.django_db


def test_a_commune_without_land_voices_gets_a_history_and_a_caution_surge(
    world: Any, today: datetime.date
) -> None:
    alert = alerts_demo_seed(actor=Actor.system("demo"), commune=world.anh_son, today=today)
    assert alert is not None
    assert (alert.rule, alert.level) == (AlertRule.SURGE, AlertLevel.CAUTION)
    # 12 weeks of one, then 5: z = 4.
    assert Voice.objects.filter(unit=world.anh_son).count() == 17
    assert alert.reason["recent"] == 5 and alert.reason["z"] == 4


def test_a_busy_commune_gets_enough_for_caution_and_a_second_call_adds_nothing(
    world: Any, submit: Any, land: Any, today: datetime.date
) -> None:
    # four a week: σ = 2, caution from 4 + 3 × 2 = 10 voices in the last 7 days
    weekly_history(submit, world.muong_xen, land, today, [4] * 12)
    submit(world.muong_xen, land, today, 2)
    alert = alerts_demo_seed(actor=Actor.system("demo"), commune=world.muong_xen, today=today)
    assert alert is not None and alert.level == AlertLevel.CAUTION
    assert alert.reason["recent"] == 10
    count = Voice.objects.count()
    alerts_demo_seed(actor=Actor.system("demo"), commune=world.muong_xen, today=today)
    assert Voice.objects.count() == count
    assert Alert.objects.filter(rule=AlertRule.SURGE).count() == 1
