"""Fixtures of the alerts tests: voices built through ``voice_submit``, and issues.

No grouping service fills ``Voice.issue`` yet, so ``put_in_issue`` (ORM) stands in for it; when
``insight.grouping`` exists, it should be used instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.insight.models import Issue, IssueStatus
from danvan.voices.models import Channel, Topic, Voice, VoiceKind
from danvan.voices.services import voice_submit


@pytest.fixture
def login(login: Callable[[User], Client], settings: Any) -> Callable[[User], Client]:
    """The project's ``login(user)``, reading the pages in English."""

    def log_in(user: User) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return log_in


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def land(db: None) -> Topic:
    return Topic.objects.get(code="land", province__isnull=True)


@pytest.fixture
def health(db: None) -> Topic:
    return Topic.objects.get(code="health", province__isnull=True)


Submit = Callable[..., list[Voice]]


@pytest.fixture
def submit(db: None) -> Submit:
    """``submit(unit, topic, day, n=1, ...)``: ``n`` voices through ``voice_submit``, each from a
    different named person unless ``name`` is given."""
    counter = iter(range(1, 1_000_000))

    def make(
        unit: Any,
        topic: Topic,
        day: datetime.date,
        n: int = 1,
        *,
        kind: str = VoiceKind.REFLECTION,
        name: str | None = None,
        anonymous: bool = False,
        **extra: Any,
    ) -> list[Voice]:
        voices = []
        for _ in range(n):
            number = next(counter)
            voices.append(
                voice_submit(
                    actor=Actor.system("test"),
                    kind=kind,
                    channel=Channel.OFFICER,
                    unit=unit,
                    topic=topic,
                    text=f"Ý kiến số {number} về {topic.name}",
                    received_on=day,
                    is_anonymous=anonymous,
                    submitter_name="" if anonymous else (name or f"Người dân {number}"),
                    **extra,
                )
            )
        return voices

    return make


def weekly_history(
    submit: Submit, unit: Any, topic: Topic, today: datetime.date, per_week: list[int]
) -> None:
    """``per_week[k]`` voices in the k-th week before the last 7 days (k = 0 is 8–14 days ago)."""
    for k, count in enumerate(per_week):
        if count:
            submit(unit, topic, today - datetime.timedelta(days=7 * (k + 1) + 3), count)


@pytest.fixture
def make_issue(db: None) -> Callable[..., Issue]:
    def make(unit: Any, topic: Topic, **fields: Any) -> Issue:
        return Issue.objects.create(
            unit=unit, topic=topic, title=fields.pop("title", "Một vụ việc"), **fields
        )

    return make


def put_in_issue(voices: list[Voice], issue: Issue) -> None:
    """Stand-in for ``insight.grouping`` (not written yet): the voices join ``issue``."""
    Voice.objects.filter(pk__in=[v.pk for v in voices]).update(issue=issue)
    Issue.objects.filter(pk=issue.pk).update(voice_count=Voice.objects.filter(issue=issue).count())


__all__ = ["IssueStatus", "put_in_issue", "weekly_history"]
