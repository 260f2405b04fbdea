"""Fixtures of the deadline engine's tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from danvan.audit.context import Actor
from danvan.units.models import AdministrativeUnit
from danvan.units.services import unit_set_remote, units_load_national

#: Xã Mường Xén (Nghệ An), designated remote by the fixture below.
REMOTE_COMMUNE = "16813"
#: Xã Anh Sơn (Nghệ An), left as it is: not remote.
PLAIN_COMMUNE = "17329"


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are asserted in English, whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def national_units(db: Any) -> None:
    units_load_national(actor=Actor.system("test"))


@pytest.fixture
def remote_commune(national_units: None) -> AdministrativeUnit:
    return unit_set_remote(
        actor=Actor.system("test"),
        unit=AdministrativeUnit.objects.get(code=REMOTE_COMMUNE),
        is_remote=True,
    )


@pytest.fixture
def officer(django_user_model: Any) -> Any:
    """A signed-up officer with no particular role: the calculator needs only a login."""
    return django_user_model.objects.create_user(
        username="lan", password="correct horse battery", full_name="Nguyễn Thị Lan"
    )


@pytest.fixture
def officer_client(officer: Any) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(officer)
    return client


@pytest.fixture
def administrator(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(
        username="admin", password="correct horse battery", email="admin@example.org"
    )
