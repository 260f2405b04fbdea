"""More time for a complex case, a reopened case's due date, and who accepts a forwarded case:
the services, and the case page's controls that drive them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.lib.testing import refused
from danvan.units.services import unit_set_remote
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import case_answer, case_close, case_publish, case_reopen
from danvan.voices.services_handling import case_extend
from danvan.voices.services_routing import case_accept, case_forward, case_refuse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")
#: Monday 2 Nov 2026: received and accepted that day.
DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def officer(commune_officer: Any) -> Actor:
    return Actor.of_user(commune_officer)


def submit(world: Any, **overrides: Any) -> Voice:
    values: dict[str, Any] = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": world.anh_son_village,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Gia đình tôi chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": DAY,
        "submitter_name": "Nguyễn Văn An",
    }
    values.update(overrides)
    return voice_submit(**values)


def accepted(world: Any, officer: Actor, **overrides: Any) -> Voice:
    voice = submit(world, **overrides)
    return case_accept(actor=officer, voice=voice, expected_version=voice.version, accepted_on=DAY)


def extend(officer: Actor, voice: Voice, complexity: str | None) -> Voice:
    return case_extend(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        step="resolve",
        reason="Vụ việc phức tạp, phải xác minh tại nhiều nơi.",
        complexity=complexity,
    )


# --- A complex first complaint: 45 days (Law on Complaints Art. 28) -------------------------------


def test_a_first_complaint_found_complex_gets_45_days_without_an_extension(world, officer):
    voice = accepted(world, officer)
    # 30 days after Monday 2 Nov 2026: Wednesday 2 Dec.
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2026, 12, 2)

    voice = extend(officer, voice, "complex")

    resolve = voice.deadlines.get(step="resolve")
    # 45 days after 2 Nov 2026: Thursday 17 Dec.
    assert resolve.due_on == datetime.date(2026, 12, 17)
    assert resolve.extensions == 0
    assert voice.due_on == datetime.date(2026, 12, 17)
    assert voice.complexity == "complex"
    assert voice.events.filter(action="extend", is_public=True).exists()

    # The longer limit is all the law gives a complaint: no extension beyond it.
    messages = refused(lambda: extend(officer, voice, "especially_complex"), "no further extension")
    assert "the law gives this step no extension" in messages[0]
    assert Voice.objects.get(pk=voice.pk).due_on == datetime.date(2026, 12, 17)


def test_a_complex_first_complaint_in_a_remote_commune_gets_60_days(world, officer):
    unit_set_remote(actor=Actor.system("test"), unit=world.anh_son, is_remote=True)
    voice = accepted(world, officer)
    # Remote: 45 days, Thursday 17 Dec 2026; complex and remote: 60 days, Friday 1 Jan 2027 (New
    # Year's Day), so the limit ends on Monday 4 Jan 2027.
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2026, 12, 17)
    voice = extend(officer, voice, "complex")
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2027, 1, 4)


def test_a_normal_complaint_is_told_to_state_its_complexity_not_that_it_was_extended(
    world, officer
):
    voice = accepted(world, officer)
    messages = refused(lambda: extend(officer, voice, None), "no further extension")
    assert "a case found “Complex”" in messages[0]
    assert "were given" not in messages[0]
    voice.refresh_from_db()
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2026, 12, 2)
    assert voice.complexity == "normal"


def test_an_extension_never_lowers_the_complexity(world, officer):
    voice = accepted(world, officer, kind="denunciation", submitter_name="Trần Thị Bích")
    voice = extend(officer, voice, "especially_complex")
    refused(lambda: extend(officer, voice, "complex"), "cannot lower it")
    assert Voice.objects.get(pk=voice.pk).deadlines.get(step="resolve").extensions == 1


def test_the_case_page_offers_the_complaints_longer_limit_and_reaches_it(
    world, commune_officer, login, officer
):
    client = login(commune_officer)
    voice = accepted(world, officer)
    page = client.get(reverse("voices:case", args=[voice.tracking_code])).content.decode()
    assert 'id="action-extend"' in page
    # The resolution is offered, with the complexity that gives it more time; acceptance, done,
    # and the second complaint's limit, which is the citizen's, are not.
    assert 'value="resolve"' in page
    assert "Resolve (Complex)<" in page
    assert 'name="extend-step" value="accept"' not in page
    assert '<option value="file_second_complaint"' not in page

    response = client.post(
        reverse("voices:case_action", args=[voice.tracking_code, "extend"]),
        {
            "extend-version": voice.version,
            "extend-step": "resolve",
            "extend-complexity": "complex",
            "extend-reason": "Vụ việc phức tạp.",
        },
    )
    assert response.status_code == 302
    voice.refresh_from_db()
    assert voice.due_on == datetime.date(2026, 12, 17)
    # Nothing more to give: the control is gone.
    page = client.get(reverse("voices:case", args=[voice.tracking_code])).content.decode()
    assert 'id="action-extend"' not in page


# --- Reopening ------------------------------------------------------------------------------------


def test_a_reopened_case_is_due_again_by_its_legal_limit(world, officer):
    voice = accepted(world, officer)
    voice = case_answer(actor=officer, voice=voice, expected_version=voice.version, text="Đã chi.")
    voice = case_publish(actor=officer, voice=voice, expected_version=voice.version)
    assert voice.due_on is None

    voice = case_reopen(
        actor=officer, voice=voice, expected_version=voice.version, reason="Trả lời chưa đủ."
    )

    assert voice.status == VoiceStatus.ACCEPTED
    resolve = voice.deadlines.get(step="resolve")
    assert resolve.done_on is None
    assert voice.due_on == resolve.due_on == datetime.date(2026, 12, 2)
    assert Voice.objects.get(pk=voice.pk).due_on == datetime.date(2026, 12, 2)


def test_a_reopened_refused_case_is_accepted_or_refused_anew(world, officer):
    voice = submit(world)
    voice = case_refuse(
        actor=officer, voice=voice, expected_version=voice.version, reason="Không đủ điều kiện."
    )
    voice = case_close(actor=officer, voice=voice, expected_version=voice.version)
    voice = case_reopen(
        actor=officer, voice=voice, expected_version=voice.version, reason="Đã bổ sung giấy tờ."
    )
    assert voice.status == VoiceStatus.RECEIVED
    assert voice.due_on == voice.deadlines.get(step="accept").due_on
    assert voice.due_on is not None


# --- Forwarding: the competent body accepts -------------------------------------------------------


def forwarded(world: Any, officer: Actor) -> Voice:
    voice = submit(world)
    return case_forward(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        body=world.province_body,
        reason="Thuộc thẩm quyền của tỉnh.",
    )


def test_the_forwarding_body_no_longer_accepts_or_refuses(world, officer):
    voice = forwarded(world, officer)
    for attempt in (
        lambda: case_accept(actor=officer, voice=voice, expected_version=voice.version),
        lambda: case_refuse(
            actor=officer, voice=voice, expected_version=voice.version, reason="Không."
        ),
    ):
        with pytest.raises(PermissionDenied, match="its officers accept or refuse it"):
            attempt()
    assert Voice.objects.get(pk=voice.pk).status == VoiceStatus.FORWARDED


def test_the_competent_body_accepts_the_forwarded_case(world, officer, provincial_staff):
    voice = forwarded(world, officer)
    voice = case_accept(
        actor=Actor.of_user(provincial_staff),
        voice=voice,
        expected_version=voice.version,
        accepted_on=DAY,
    )
    assert voice.status == VoiceStatus.ACCEPTED


def test_the_case_page_offers_accept_and_refuse_to_the_competent_body_only(
    world, officer, commune_officer, provincial_staff, login
):
    voice = forwarded(world, officer)
    url = reverse("voices:case", args=[voice.tracking_code])
    page = login(commune_officer).get(url).content.decode()
    assert 'id="action-accept"' not in page and 'id="action-refuse"' not in page
    response = login(commune_officer).post(
        reverse("voices:case_action", args=[voice.tracking_code, "accept"]),
        {"accept-version": voice.version, "accept-accepted_on": DAY.isoformat()},
    )
    assert response.status_code == 403

    page = login(provincial_staff).get(url).content.decode()
    assert 'id="action-accept"' in page and 'id="action-refuse"' in page
