"""A commune People's Committee that decides (symbol UBND), a complaint and a denunciation
accepted and assigned to it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from danvan.audit.context import Actor
from danvan.organizations.models import Body, BodyKind
from danvan.organizations.services import body_create
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit
from danvan.voices.services_routing import case_accept, case_assign

CITIZEN = Actor(user=None, ip="203.0.113.7", label="citizen")
RECEIVED = datetime.date(2025, 12, 1)

NAME = "Phạm Thị Tố Giác"
PHONE = "0977123456"
ADDRESS = "Số 17 ngõ Hoa Ban"
ID_NUMBER = "040198765432"
SECRETS = (NAME, PHONE, ADDRESS, ID_NUMBER)


@pytest.fixture
def committee(world: Any) -> Body:
    return body_create(
        actor=Actor.system("test"),
        unit=world.anh_son,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="Ủy ban nhân dân xã Anh Sơn",
        short_name="UBND",
    )


def accepted_case(world: Any, officer: Any, body: Body, **values: Any) -> Voice:
    actor = Actor.of_user(officer)
    fields: dict[str, Any] = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": world.anh_son_village,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Khiếu nại quyết định thu hồi đất số 05/QĐ-UBND không bồi thường đủ.",
        "received_on": RECEIVED,
        "submitter_name": "Nguyễn Văn An",
        "submitter_contact": "an@example.org",
        "submitter_address": "Xóm 1, xã Anh Sơn",
    }
    fields.update(values)
    voice = voice_submit(**fields)
    voice = case_accept(
        actor=actor, voice=voice, expected_version=voice.version, accepted_on=RECEIVED
    )
    return case_assign(actor=actor, voice=voice, expected_version=voice.version, body=body)


@pytest.fixture
def complaint(world: Any, commune_officer: Any, committee: Body) -> Voice:
    return accepted_case(world, commune_officer, committee)


@pytest.fixture
def denunciation(world: Any, commune_officer: Any, committee: Body) -> Voice:
    return accepted_case(
        world,
        commune_officer,
        committee,
        kind="denunciation",
        topic=Topic.objects.get(code="officials_conduct", province=None),
        text="Tố cáo cán bộ địa chính xã nhận tiền để làm sổ đỏ nhanh.",
        submitter_name=NAME,
        submitter_contact=PHONE,
        submitter_address=ADDRESS,
        submitter_id_number=ID_NUMBER,
    )
