"""Voices built through the real services, as the application builds them."""

from __future__ import annotations

from typing import Any

from danvan.audit.context import Actor
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")

DENOUNCER = {
    "submitter_name": "Trần Văn Tố",
    "submitter_contact": "0987654321",
    "submitter_address": "Số 9 đường Làng",
    "submitter_id_number": "040123456789",
}


def submit(world: Any, **overrides: Any) -> Voice:
    values: dict[str, Any] = {
        "actor": CITIZEN,
        "kind": "reflection",
        "channel": "web",
        "unit": world.anh_son_village,
        "topic": Topic.objects.get(code="infrastructure", province=None),
        "text": "Đường liên xóm bị sạt lở sau mưa lũ, xe máy không đi qua được.",
        "submitter_name": "Nguyễn Văn An",
        "submitter_contact": "0912345678",
        "submitter_address": "Xóm 1",
    }
    values.update(overrides)
    return voice_submit(**values)
