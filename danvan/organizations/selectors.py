"""Reads of bodies and their members that several apps need."""

from __future__ import annotations

from typing import Any

from danvan.lib.roles import Capability
from danvan.organizations.models import Body, Membership


def body_officers(body: Body, capability: Capability = Capability.ACT) -> list[Any]:
    """The users who hold ``capability`` through an active membership of ``body``."""
    memberships = (
        Membership.objects.active().holding(capability).filter(body=body).select_related("user")
    )
    return [m.user for m in memberships]
