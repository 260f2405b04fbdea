"""Fixtures of the search tests: voices made through ``voice_submit`` where and when wanted."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit


@pytest.fixture
def login(login: Callable[[User], Client], settings: Any) -> Callable[[User], Client]:
    """The project's ``login(user)``, with the page in English for the assertions."""

    def log_in(user: User) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return log_in


@pytest.fixture
def make_voice(world: Any) -> Callable[..., Voice]:
    """``make_voice(text, unit=..., received_on=...)``: an anonymous reflection, as a citizen
    sends it (default: Xóm 1 of Xã Anh Sơn, 1 October 2026)."""
    topic = Topic.objects.get(code="infrastructure", province=None)

    def make(
        text: str,
        *,
        unit: AdministrativeUnit | None = None,
        received_on: datetime.date = datetime.date(2026, 10, 1),
    ) -> Voice:
        return voice_submit(
            actor=Actor(user=None, ip="203.0.113.7", label="citizen"),
            kind="reflection",
            channel="web",
            unit=unit or world.anh_son_village,
            topic=topic,
            text=text,
            received_on=received_on,
            is_anonymous=True,
        )

    return make


@pytest.fixture(autouse=True)
def _fresh_word_statistics():
    """Each test reads PostgreSQL's word statistics afresh: a share cached by an earlier test
    (other rows, other words) would choose another way of reading the matches."""
    from danvan.search import selectors

    selectors._stats_cache.clear()
    yield
    selectors._stats_cache.clear()
