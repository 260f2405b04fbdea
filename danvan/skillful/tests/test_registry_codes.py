"""Two registrations at once in one province never get the same code (PostgreSQL only: SQLite
serializes writers anyway)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from danvan.skillful.models import MobilizationModel
from danvan.skillful.tests.factories_registry import make_period, register


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_codes(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers")
    period = make_period()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def one(n: int) -> None:
        try:
            start.wait()
            register(world, None, period=period, name=f"Mô hình {n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    codes = sorted(MobilizationModel.objects.values_list("code", flat=True))
    assert codes == [f"MH-40-2026-{n:05d}" for n in range(1, 5)]
