"""Fixtures of the dashboards tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from danvan.accounts.models import User


@pytest.fixture(autouse=True)
def _no_buckets_left_by_a_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """A flush on SQLite deletes table by table, so the fact triggers may leave bucket rows
    behind once the voices are gone; start every test from empty tables in that case."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db")
    )
    if uses_db:
        from danvan.dashboards.models import Bucket, VoiceFact
        from danvan.voices.models import Voice

        if not Voice.objects.exists():
            VoiceFact.objects.all().delete()
            Bucket.objects.all().delete()
    yield


@pytest.fixture
def login(login: Callable[[User], Client], settings: Any) -> Callable[[User], Client]:
    """The project's ``login(user)`` with the English language cookie (as the voices tests)."""

    def log_in(user: User) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return log_in
