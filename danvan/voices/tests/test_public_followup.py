"""What a citizen does with a published answer, with only the tracking code: rate it, or file a
second complaint against a first-time decision."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import case_answer, case_publish
from danvan.voices.services_routing import case_accept

pytestmark = pytest.mark.django_db

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")
LOOKUP = reverse("voices_public:lookup")
RATE = reverse("voices_public:rate")
SECOND = reverse("voices_public:second_complaint")


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def citizen() -> Client:
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.cookies["django_language"] = "en"
    return client


def published(world, officer_user, kind: str = "complaint_first") -> Voice:
    officer = Actor.of_user(officer_user)
    voice = voice_submit(
        actor=CITIZEN,
        kind=kind,
        channel="web",
        unit=world.anh_son_village,
        topic=Topic.objects.get(code="land", province=None),
        text="Chưa được bồi thường khi thu hồi đất.",
        received_on=timezone.localdate() - datetime.timedelta(days=3),
        submitter_name="Nguyễn Văn An",
    )
    voice = case_accept(actor=officer, voice=voice, expected_version=voice.version)
    voice = case_answer(
        actor=officer, voice=voice, expected_version=voice.version, text="Quyết định: đã chi trả."
    )
    return case_publish(actor=officer, voice=voice, expected_version=voice.version)


def test_the_citizen_rates_the_published_answer_with_the_code(world, commune_officer, citizen):
    voice = published(world, commune_officer)
    page = citizen.post(LOOKUP, {"code": voice.tracking_code}).content.decode()
    assert "Rate the answer" in page
    assert "no-store" in citizen.post(LOOKUP, {"code": voice.tracking_code})["Cache-Control"]

    response = citizen.post(
        RATE,
        {
            "code": voice.tracking_code,
            "rate-version": voice.version,
            "rate-score": "2",
            "rate-comment": "Chậm quá.",
        },
    )
    assert response.status_code == 200
    assert "your rating is recorded" in response.content.decode()
    voice.refresh_from_db()
    assert (voice.satisfaction, voice.satisfaction_comment) == (2, "Chậm quá.")
    assert "Rate the answer" not in response.content.decode()

    again = citizen.post(
        RATE, {"code": voice.tracking_code, "rate-version": voice.version, "rate-score": "5"}
    )
    assert again.status_code == 400
    assert "already been rated" in again.content.decode()
    voice.refresh_from_db()
    assert voice.satisfaction == 2


def test_a_forged_code_rates_nothing(world, commune_officer, citizen):
    voice = published(world, commune_officer)
    response = citizen.post(
        RATE, {"code": "DV-AAAAA-AAAAA-A", "rate-version": voice.version, "rate-score": "1"}
    )
    assert response.status_code == 400
    assert "No voice has this tracking code" in response.content.decode()
    voice.refresh_from_db()
    assert voice.satisfaction is None


def test_an_unanswered_case_offers_no_rating(world, citizen):
    voice = voice_submit(
        actor=CITIZEN,
        kind="reflection",
        channel="web",
        unit=world.anh_son_village,
        topic=Topic.objects.get(code="land", province=None),
        text="Đường hỏng.",
    )
    page = citizen.post(LOOKUP, {"code": voice.tracking_code}).content.decode()
    assert "Rate the answer" not in page
    response = citizen.post(
        RATE, {"code": voice.tracking_code, "rate-version": voice.version, "rate-score": "5"}
    )
    assert response.status_code == 400
    assert Voice.objects.get(pk=voice.pk).satisfaction is None


def test_the_complainant_files_a_second_complaint_with_the_code(world, commune_officer, citizen):
    first = published(world, commune_officer)
    page = citizen.post(LOOKUP, {"code": first.tracking_code}).content.decode()
    assert "file a second complaint" in page
    assert "Law on Complaints, Art. 33" in page

    response = citizen.post(
        SECOND,
        {
            "code": first.tracking_code,
            "second-version": first.version,
            "second-text": "Tôi không đồng ý với mức bồi thường.",
        },
    )
    assert response.status_code == 200
    second = Voice.objects.get(previous=first)
    assert second.kind == "complaint_second" and second.channel == "web"
    assert second.submitter_name == "Nguyễn Văn An"
    body = response.content.decode()
    assert second.tracking_code in body
    assert "Second complaint filed" in body
    # Once filed, the form is gone; a second try is refused.
    assert 'name="second-text"' not in body
    again = citizen.post(
        SECOND,
        {"code": first.tracking_code, "second-version": first.version + 1, "second-text": "Lại."},
    )
    assert again.status_code == 400
    assert Voice.objects.filter(previous=first).count() == 1


def test_a_reflection_offers_no_second_complaint(world, commune_officer, citizen):
    voice = published(world, commune_officer, kind="reflection")
    page = citizen.post(LOOKUP, {"code": voice.tracking_code}).content.decode()
    assert 'name="second-text"' not in page
    response = citizen.post(
        SECOND, {"code": voice.tracking_code, "second-version": voice.version, "second-text": "x"}
    )
    assert response.status_code == 400
    assert not Voice.objects.filter(previous=voice).exists()


def test_the_public_timeline_shows_why_a_time_limit_was_extended(world, commune_officer, citizen):
    from danvan.voices.services_handling import case_extend

    officer = Actor.of_user(commune_officer)
    voice = voice_submit(
        actor=CITIZEN,
        kind="denunciation",
        channel="web",
        unit=world.anh_son_village,
        topic=Topic.objects.get(code="officials_conduct", province=None),
        text="Cán bộ xã nhận tiền.",
        received_on=timezone.localdate() - datetime.timedelta(days=2),
        submitter_name="Trần Thị Bích",
    )
    voice = case_accept(actor=officer, voice=voice, expected_version=voice.version)
    case_extend(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        step="resolve",
        reason="Cần xác minh tại nhiều đơn vị.",
        complexity="complex",
    )
    page = citizen.post(LOOKUP, {"code": voice.tracking_code}).content.decode()
    assert "Time limit extended" in page
    assert "Cần xác minh tại nhiều đơn vị." in page
    assert "Trần Thị Bích" not in page
