"""Accounts test data: one officer per kind of account, built through the real services.

- ``officer``: a commune officer, whose role does not require two-factor authentication;
- ``admin_officer``: a system administrator, whose role requires it (``TWO_FACTOR_REQUIRED_ROLES``);
- ``newcomer``: an account with no membership at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from danvan.accounts.tests.helpers import PASSWORD, SYSTEM
from danvan.lib.roles import Role
from danvan.organizations.models import Body, BodyKind
from danvan.organizations.services import body_create, membership_add
from danvan.units.models import AdministrativeUnit, UnitKind
from danvan.units.services import unit_create_historic


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The locmem cache outlives the per-test transaction (wrong-code counters keyed by user id).
    cache.clear()


@pytest.fixture(autouse=True)
def _cheap_argon2(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 as in production, with the cost turned down: each hash takes ~0.1 s otherwise.

    A test that asks for the ``production_hashers`` fixture keeps the configured hashers.
    """
    if "production_hashers" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["danvan.accounts.tests.helpers.CheapArgon2PasswordHasher"]


@pytest.fixture
def production_hashers() -> None:
    """Keep ``PASSWORD_HASHERS`` as the settings configure them."""


def _in_english(client: Client) -> Client:
    # As if chosen with the language switcher: the browser's Accept-Language is ignored.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def client() -> Client:
    """A browser set to English, so that messages can be read in assertions."""
    return _in_english(Client())


@pytest.fixture
def csrf_client() -> Client:
    """A browser that, like a real one, is held to the CSRF check."""
    return _in_english(Client(enforce_csrf_checks=True))


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    def make(username: str, **extra: Any) -> Any:
        extra.setdefault("email", f"{username}@example.org")
        return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def commune(db: Any) -> AdministrativeUnit:
    # One commune on its own: loading all 3,355 national units would triple the suite's time,
    # and nothing here depends on the province above it.
    return unit_create_historic(
        actor=SYSTEM, code="17329", name="Xã Anh Sơn", kind=UnitKind.COMMUNE, parent=None
    )


@pytest.fixture
def committee(commune: AdministrativeUnit) -> Body:
    return body_create(
        actor=SYSTEM,
        unit=commune,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name=f"Ủy ban nhân dân {commune.name}",
    )


@pytest.fixture
def officer(make_user: Callable[..., Any], committee: Body) -> Any:
    user = make_user("lan", full_name="Nguyễn Thị Lan", phone="0912345678")
    membership_add(
        actor=SYSTEM, user=user, body=committee, role=Role.COMMUNE_OFFICER, position="Chuyên viên"
    )
    return user


@pytest.fixture
def admin_officer(make_user: Callable[..., Any], committee: Body) -> Any:
    user = make_user("hung", full_name="Trần Văn Hùng")
    membership_add(actor=SYSTEM, user=user, body=committee, role=Role.SYSTEM_ADMIN)
    return user


@pytest.fixture
def newcomer(make_user: Callable[..., Any]) -> Any:
    return make_user("minh")
