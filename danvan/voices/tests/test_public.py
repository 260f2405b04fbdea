"""The citizen pages: sending a voice without an account and following it with the code."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.voices.models import Attachment, DenouncerIdentity, Topic, Voice, VoiceStatus
from danvan.voices.services_answer import case_answer, case_publish
from danvan.voices.services_routing import case_accept, case_assign
from danvan.voices.tracking import new_tracking_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SUBMIT = reverse("voices_public:submit")
LOOKUP = reverse("voices_public:lookup")
DENOUNCER = "Trần Văn Tố"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def citizen() -> Client:
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.cookies["django_language"] = "en"
    return client


def form_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "reflection",
        "topic": Topic.objects.get(code="infrastructure", province=None).pk,
        "unit": world.anh_son_village.code,
        "unit_query": "Xóm 1, Xã Anh Sơn",
        "text": "Đường vào xóm bị sạt lở sau mưa lớn, xe máy không đi được.",
        "submitter_name": "",
        "submitter_contact": "",
        "submitter_address": "",
    }
    data.update(overrides)
    return data


def send(client: Client, world: Any, **overrides: Any) -> Any:
    return client.post(SUBMIT, form_data(world, **overrides), follow=True)


def look_up(client: Client, code: str) -> Any:
    return client.post(LOOKUP, {"code": code})


def test_the_form_opens_without_an_account(citizen):
    response = citizen.get(SUBMIT)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="website"' in content and 'tabindex="-1"' in content
    assert "voter_recommendation" not in content and 'value="reception"' not in content


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("opinion", ""),
        ("reflection", ""),
        ("complaint_first", "Nguyễn Văn An"),
        ("complaint_second", "Nguyễn Văn An"),
        ("denunciation", DENOUNCER),
    ],
)
def test_a_citizen_sends_each_kind_and_gets_a_tracking_code(world, citizen, kind, name):
    response = send(citizen, world, kind=kind, submitter_name=name, submitter_contact="0912000111")
    assert response.status_code == 200
    voice = Voice.objects.get()
    assert voice.kind == kind and voice.channel == "web" and voice.created_by is None
    assert voice.unit == world.anh_son_village
    content = response.content.decode()
    assert voice.tracking_code in content
    assert "Write it down" in content
    assert LOOKUP in content


def test_the_receipt_is_shown_once(world, citizen):
    send(citizen, world)
    again = citizen.get(reverse("voices_public:submitted"))
    assert again.status_code == 302 and again["Location"] == SUBMIT


def test_a_complaint_without_a_name_is_refused_and_nothing_is_saved(world, citizen):
    text = "Quyết định thu hồi đất của UBND xã không đúng diện tích thực tế."
    response = send(citizen, world, kind="complaint_first", text=text)
    assert response.status_code == 200
    assert "needs the name of the person who makes it" in response.content.decode()
    assert text in response.content.decode()  # what the citizen wrote is kept
    assert not Voice.objects.exists()


def test_an_anonymous_denunciation_is_refused(world, citizen):
    response = send(
        citizen, world, kind="denunciation", submitter_name=DENOUNCER, is_anonymous="on"
    )
    assert "needs the name" in response.content.decode()
    assert not Voice.objects.exists()


def test_a_commune_can_be_typed_by_name_without_javascript(world, citizen):
    response = send(citizen, world, unit="", unit_query="xa anh son")
    assert response.status_code == 200
    assert Voice.objects.get().unit == world.anh_son


def test_an_unknown_place_is_refused(world, citizen):
    response = send(citizen, world, unit="", unit_query="Nowhere at all")
    assert "Choose the commune, ward or village from the list" in response.content.decode()
    assert not Voice.objects.exists()


def test_a_province_cannot_be_chosen_as_the_place(world, citizen):
    send(citizen, world, unit=world.nghe_an.code)
    assert not Voice.objects.exists()


def test_a_topic_of_another_province_is_refused(world, citizen, system_actor):
    hanoi_topic = Topic.objects.create(code="old_quarter", name="Phố cổ", province=world.ha_noi)
    response = send(citizen, world, topic=hanoi_topic.pk)
    assert response.status_code == 200
    assert not Voice.objects.exists()


def test_coordinates_are_kept(world, citizen):
    send(citizen, world, latitude="18.912345", longitude="105.123456")
    voice = Voice.objects.get()
    assert str(voice.latitude) == "18.912345" and str(voice.longitude) == "105.123456"


def test_the_place_picker_works_without_an_account(world, citizen):
    response = citizen.get(reverse("voices_public:unit_search"), {"q": "anh son"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-unit-code="17329"' in content
    assert 'data-unit-code="40"' not in content  # provinces cannot be chosen
    by_code = citizen.get(reverse("voices_public:unit_search"), {"q": "17329"})
    assert 'data-unit-code="17329-001"' in by_code.content.decode()


def test_a_filled_honeypot_pretends_success_and_saves_nothing(world, citizen):
    response = send(citizen, world, website="http://spam.example")
    assert response.status_code == 200
    assert "DV-" in response.content.decode()
    assert not Voice.objects.exists()


def test_too_many_submissions_from_one_address_get_429(world, citizen, settings):
    settings.DANVAN_SUBMIT_RATE = "2/h"
    send(citizen, world)
    send(citizen, world)
    response = citizen.post(SUBMIT, form_data(world))
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert Voice.objects.count() == 2
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(SUBMIT, form_data(world)).status_code == 302


def test_too_many_lookups_from_one_address_get_429(citizen, world, settings):
    settings.DANVAN_LOOKUP_RATE = "3/h"
    for _ in range(3):
        assert look_up(citizen, new_tracking_code()).status_code == 200
    assert look_up(citizen, new_tracking_code()).status_code == 429


def test_a_good_code_shows_the_case_in_any_typed_form(world, citizen):
    send(citizen, world)
    voice = Voice.objects.get()
    typed = voice.tracking_code.lower().replace("-", " ")
    response = look_up(citizen, typed)
    content = response.content.decode()
    assert response.status_code == 200
    assert voice.tracking_code in content
    assert "Reflection, recommendation" in content
    assert "Hạ tầng, giao thông, xây dựng" in content
    assert "Received" in content


def test_a_malformed_code_is_told_apart_from_an_unknown_one(world, citizen):
    malformed = look_up(citizen, "DV-1234")
    assert "not a valid tracking code" in malformed.content.decode()
    unknown = look_up(citizen, new_tracking_code())
    assert "No voice has this tracking code" in unknown.content.decode()
    assert malformed.status_code == unknown.status_code == 200


def _publish(voice: Voice, officer: Any, body: Any) -> Voice:
    actor = Actor.of_user(officer)
    voice = case_accept(actor=actor, voice=voice, expected_version=voice.version)
    voice = case_assign(actor=actor, voice=voice, expected_version=voice.version, body=body)
    voice = case_answer(
        actor=actor,
        voice=voice,
        expected_version=voice.version,
        text="Xã đã bố trí kinh phí sửa đường trong tháng 12.",
    )
    return voice


def test_the_answer_is_hidden_until_it_is_published(world, citizen, commune_officer):
    send(citizen, world)
    voice = _publish(Voice.objects.get(), commune_officer, world.anh_son_body)
    assert voice.status == VoiceStatus.ANSWERED
    before = look_up(citizen, voice.tracking_code).content.decode()
    assert "bố trí kinh phí" not in before
    assert "No answer has been published yet" in before
    assert world.anh_son_body.name in before  # the responsible body is public
    case_publish(actor=Actor.of_user(commune_officer), voice=voice, expected_version=voice.version)
    after = look_up(citizen, voice.tracking_code).content.decode()
    assert "bố trí kinh phí" in after
    assert "Answer published" in after


def test_the_denouncers_name_is_on_no_public_page(world, citizen, commune_officer):
    response = send(
        citizen,
        world,
        kind="denunciation",
        submitter_name=DENOUNCER,
        submitter_contact="0987654321",
        submitter_address="Xóm 1, xã Anh Sơn",
        text="Cán bộ địa chính xã nhận tiền để làm sổ đỏ.",
    )
    voice = Voice.objects.get()
    assert DenouncerIdentity.objects.get(voice=voice).name == DENOUNCER
    pages = [response.content.decode()]
    voice = _publish(voice, commune_officer, world.anh_son_body)
    case_publish(actor=Actor.of_user(commune_officer), voice=voice, expected_version=voice.version)
    pages.append(look_up(citizen, voice.tracking_code).content.decode())
    for page in pages:
        assert DENOUNCER not in page
        assert "0987654321" not in page


def test_the_submitters_data_is_not_on_the_lookup_page(world, citizen):
    send(
        citizen,
        world,
        kind="complaint_first",
        submitter_name="Nguyễn Văn An",
        submitter_contact="0912000111",
    )
    page = look_up(citizen, Voice.objects.get().tracking_code).content.decode()
    assert "Nguyễn Văn An" not in page and "0912000111" not in page


def test_script_in_the_text_is_escaped_on_the_lookup_page(world, citizen, commune_officer):
    script = "<script>alert('x')</script>"
    send(citizen, world, text=f"Đường hỏng {script}")
    voice = _publish(Voice.objects.get(), commune_officer, world.anh_son_body)
    voice = case_answer(
        actor=Actor.of_user(commune_officer),
        voice=voice,
        expected_version=voice.version,
        text=f"Trả lời {script}",
    )
    case_publish(actor=Actor.of_user(commune_officer), voice=voice, expected_version=voice.version)
    page = look_up(citizen, voice.tracking_code).content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page


def test_a_bad_attachment_keeps_the_text_and_saves_nothing(world, citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
    text = "Bãi rác tự phát cạnh trường học."
    response = citizen.post(SUBMIT, {**form_data(world, text=text), "attachments": [fake]})
    content = response.content.decode()
    assert response.status_code == 200
    assert "is not a photo" in content and text in content
    assert not Voice.objects.exists() and not Attachment.objects.exists()
