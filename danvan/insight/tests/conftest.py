"""Fixtures of the insight tests: voices submitted through the real service and analysed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.insight.services_matching import voice_analyse
from danvan.insight.trained import forget_trained
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> None:
    forget_trained()


@pytest.fixture
def login(login: Callable[[User], Client], settings: Any) -> Callable[[User], Client]:
    def log_in(user: User) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return log_in


@pytest.fixture
def say(world: Any) -> Callable[..., Voice]:
    """``say(text, unit=..., topic=...)``: a citizen's voice, submitted and analysed (matched
    into an issue, its topic suggested) as the background task does after the commit."""

    def submit(
        text: str, *, unit: Any = None, topic: str = "infrastructure", kind: str = "reflection"
    ) -> Voice:
        voice = voice_submit(
            actor=CITIZEN,
            kind=kind,
            channel="web",
            unit=unit or world.anh_son_village,
            topic=Topic.objects.get(code=topic, province=None),
            text=text,
            received_on=datetime.date(2026, 11, 2),
            submitter_name="Nguyễn Văn An",
        )
        voice_analyse(voice_id=voice.pk)
        voice.refresh_from_db()
        return voice

    return submit
