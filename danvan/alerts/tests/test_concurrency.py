"""Two scans at once raise one alert, not two (PostgreSQL only: SQLite serializes writers)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from danvan.alerts.models import Alert, AlertRule
from danvan.alerts.scan import alerts_scan
from danvan.alerts.tests.conftest import weekly_history
from danvan.voices.models import Topic

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]


def test_two_scans_at_once_raise_one_alert(world: Any, submit: Any) -> None:
    today = timezone.localdate()
    land = Topic.objects.get(code="land", province__isnull=True)
    weekly_history(submit, world.anh_son, land, today, [1] * 12)
    submit(world.anh_son, land, today, 5)
    errors: list[BaseException] = []
    reports: list[Any] = []
    start = threading.Barrier(3)

    def one() -> None:
        try:
            start.wait()
            reports.append(alerts_scan(today=today))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Alert.objects.filter(rule=AlertRule.SURGE).count() == 1
    assert sum(r.raised for r in reports if "surge" in r.by_rule) >= 1
    assert sum(r.errors for r in reports) == 0
