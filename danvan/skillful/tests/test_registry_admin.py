"""The models in the administration: visible, never changed there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from danvan.skillful.tests.factories_registry import register

pytestmark = pytest.mark.django_db


def test_the_administrator_reads_models_but_cannot_change_them(
    world: Any, system_admin: Any, login: Callable[[Any], Client]
) -> None:
    model = register(world, None)
    client = login(system_admin)
    assert client.get("/admin/skillful/mobilizationmodel/").status_code == 200
    page = client.get(f"/admin/skillful/mobilizationmodel/{model.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/skillful/mobilizationmodel/add/").status_code == 403
    assert client.get("/admin/skillful/emulationperiod/").status_code == 200
