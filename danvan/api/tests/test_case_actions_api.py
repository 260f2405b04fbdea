"""The case actions beyond the basic ones, through ``/api/v1/``: forward, coordinate, reply,
extend, second complaint; and the citizen's rating with the tracking code."""

from __future__ import annotations

import datetime

import pytest

from danvan.api.tests.helpers import submit
from danvan.audit.context import Actor
from danvan.voices.models import Coordination, Voice, VoiceStatus
from danvan.voices.services_answer import case_answer, case_publish
from danvan.voices.services_routing import case_accept

pytestmark = pytest.mark.django_db


def accepted(world, officer, **overrides) -> Voice:
    voice = submit(world, received_on=datetime.date(2026, 11, 2), **overrides)
    return case_accept(
        actor=Actor.of_user(officer),
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 11, 5),
    )


def published(world, officer, **overrides) -> Voice:
    voice = accepted(world, officer, **overrides)
    actor = Actor.of_user(officer)
    voice = case_answer(actor=actor, voice=voice, expected_version=voice.version, text="Đã xử lý.")
    return case_publish(actor=actor, voice=voice, expected_version=voice.version)


def test_forward_and_coordinate_through_the_api(world, commune_officer, token_client):
    client = token_client(commune_officer)
    voice = accepted(world, commune_officer)
    base = f"/api/v1/cases/{voice.tracking_code}"
    response = client.post(
        f"{base}/coordinate/",
        {"version": voice.version, "bodies": [world.province_body.pk], "request": "Phối hợp."},
        format="json",
    )
    assert response.status_code == 200, response.content
    coordination = Coordination.objects.get(voice=voice)
    version = response.json()["version"]
    response = client.post(
        f"{base}/coordination_reply/",
        {"version": version, "coordination": coordination.pk, "reply": "Đã phối hợp."},
        format="json",
    )
    assert response.status_code == 200, response.content
    response = client.post(
        f"{base}/forward/",
        {
            "version": response.json()["version"],
            "body": world.province_body.pk,
            "reason": "Thuộc thẩm quyền tỉnh.",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Voice.objects.get(pk=voice.pk).status == VoiceStatus.FORWARDED
    # An unknown body is a clear 400.
    response = client.post(
        f"{base}/forward/", {"version": 99, "body": 999_999, "reason": "x"}, format="json"
    )
    assert response.status_code == 400


def test_extend_respects_the_law_through_the_api(world, commune_officer, token_client):
    client = token_client(commune_officer)
    voice = accepted(world, commune_officer, kind="denunciation", **_named())
    base = f"/api/v1/cases/{voice.tracking_code}"
    refused = client.post(
        f"{base}/extend/",
        {"version": voice.version, "step": "resolve", "reason": "Cần thêm thời gian."},
        format="json",
    )
    assert refused.status_code == 400
    granted = client.post(
        f"{base}/extend/",
        {
            "version": voice.version,
            "step": "resolve",
            "reason": "Phức tạp.",
            "complexity": "complex",
        },
        format="json",
    )
    assert granted.status_code == 200, granted.content
    assert Voice.objects.get(pk=voice.pk).due_on == datetime.date(2027, 1, 6)


def _named() -> dict[str, str]:
    return {"submitter_name": "Trần Thị Bích"}


def test_a_second_complaint_through_the_api(world, commune_officer, token_client):
    client = token_client(commune_officer)
    first = published(world, commune_officer, kind="complaint_first")
    response = client.post(
        f"/api/v1/cases/{first.tracking_code}/second_complaint/",
        {"version": first.version, "text": "Không đồng ý."},
        format="json",
    )
    assert response.status_code == 200, response.content
    second = Voice.objects.get(previous=first)
    assert response.json()["tracking_code"] == second.tracking_code


def test_the_citizen_app_rates_the_answer_once(world, commune_officer, anonymous):
    voice = published(world, commune_officer)
    url = f"/api/v1/voices/status/{voice.tracking_code}/rate/"
    assert anonymous.post(url, {"score": 9}, format="json").status_code == 400
    response = anonymous.post(url, {"score": 4, "comment": "Tốt."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["tracking_code"] == voice.tracking_code
    assert Voice.objects.get(pk=voice.pk).satisfaction == 4
    again = anonymous.post(url, {"score": 1}, format="json")
    assert again.status_code == 400
    assert anonymous.post(
        "/api/v1/voices/status/DV-AAAAA-AAAAA-A/rate/", {"score": 5}, format="json"
    ).status_code in (400, 404)
