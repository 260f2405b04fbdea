"""Reads of decisions that several places need."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from danvan.accounts.models import User
from danvan.decisions.models import Decision
from danvan.voices.models import Voice


def decisions_of_case(user: User | AnonymousUser, voice: Voice) -> QuerySet[Decision]:
    """The decisions or conclusions of a case the user may see, the newest first."""
    return (
        Decision.objects.visible_to(user)
        .filter(voice=voice)
        .select_related("body")
        .order_by("-created_at", "-id")
    )
