"""Test data for voter contact sessions, built through the services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from danvan.audit.context import Actor
from danvan.voices.models import Topic
from danvan.voter_contact.models import SessionRecommendation, VoterContactSession
from danvan.voter_contact.services import session_add_recommendation, session_create


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def make_session(
    world: Any, user: Any, *, date: datetime.date, title: str = "Tiếp xúc cử tri"
) -> VoterContactSession:
    actor = Actor.of_user(user) if user is not None else Actor.system("test")
    return session_create(actor=actor, title=title, date=date, unit=world.anh_son)


def add(
    session: VoterContactSession, text: str, *, user: Any = None, joint: bool = False
) -> SessionRecommendation:
    actor = Actor.of_user(user) if user is not None else Actor.system("test")
    return session_add_recommendation(
        actor=actor,
        session=session,
        text=text,
        topic=Topic.objects.get(code="other", province=None),
        unit=session.unit,
        joint=joint,
    )
