"""Issuing bodies with a document symbol, which the world's bodies lack."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.audit.context import Actor
from danvan.organizations.models import Body, BodyKind
from danvan.organizations.services import body_create


@pytest.fixture
def commission(world: Any) -> Body:
    """The province's Propaganda and Mass Mobilization Commission, symbol BTGDVTU (Party)."""
    return body_create(
        actor=Actor.system("test"),
        unit=world.nghe_an,
        kind=BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
        name="Ban Tuyên giáo và Dân vận (văn thư)",
        short_name="BTGDVTU",
    )


@pytest.fixture
def committee(world: Any) -> Body:
    """The province's People's Committee, symbol UBND (state)."""
    return body_create(
        actor=Actor.system("test"),
        unit=world.nghe_an,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="Ủy ban nhân dân tỉnh Nghệ An",
        short_name="UBND",
    )
