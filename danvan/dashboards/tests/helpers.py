"""Voices through the services for the dashboards' tests: some answered on time, some late."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from danvan.audit.context import Actor
from danvan.organizations.models import Body
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import case_answer
from danvan.voices.services_routing import case_accept, case_assign

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")


def submit(world: Any, *, days_ago: int = 3, **overrides: Any) -> Voice:
    values: dict[str, Any] = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": world.anh_son_village,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": timezone.localdate() - datetime.timedelta(days=days_ago),
        "submitter_name": "Nguyễn Văn An",
    }
    values.update(overrides)
    return voice_submit(**values)


def answered(world: Any, officer: Any, body: Body, *, late: bool, **overrides: Any) -> Voice:
    """A complaint given to ``body`` and answered today: within its 30 days, or 80 days after."""
    actor = Actor.of_user(officer)
    days = 80 if late else 3
    voice = submit(world, days_ago=days, **overrides)
    voice = case_accept(
        actor=actor,
        voice=voice,
        expected_version=voice.version,
        accepted_on=timezone.localdate() - datetime.timedelta(days=days - 1),
    )
    voice = case_assign(actor=actor, voice=voice, expected_version=voice.version, body=body)
    return case_answer(actor=actor, voice=voice, expected_version=voice.version, text="Đã trả lời.")
