"""The voice lifecycle, built through the services as the application uses them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.testing import refused
from danvan.voices.models import DenouncerIdentity, Topic, Voice, VoiceStatus
from danvan.voices.services import StaleCaseError, voice_submit
from danvan.voices.services_answer import (
    case_answer,
    case_close,
    case_decide,
    case_publish,
    case_reopen,
)
from danvan.voices.services_routing import case_accept, case_assign, case_refuse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")


def topic(code: str = "land") -> Topic:
    return Topic.objects.get(code=code, province=None)


def submit(world, **overrides) -> Voice:
    values = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": world.anh_son_village,
        "topic": topic(),
        "text": "Gia đình tôi chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": datetime.date(2026, 11, 2),
        "submitter_name": "Nguyễn Văn An",
        "submitter_contact": "0912345678",
    }
    values.update(overrides)
    return voice_submit(**values)


def test_the_ten_builtin_topics_exist_with_stable_codes():
    assert set(Topic.objects.filter(province=None).values_list("code", flat=True)) == {
        "land", "environment", "infrastructure", "social_policy", "health", "education",
        "public_order", "officials_conduct", "religion_ethnicity", "other",
    }  # fmt: skip


def test_a_complaint_gets_a_tracking_code_and_its_legal_due_date(world):
    voice = submit(world)

    assert voice.tracking_code.startswith("DV-")
    assert voice.status == VoiceStatus.RECEIVED
    # Received Monday 2 Nov 2026, under the rules in force from 1 July 2026: 7 working days to
    # accept, 3-6 and 9-11 Nov (the weekend of 7-8 skipped) -> Wednesday 11 Nov 2026.
    accept = voice.deadlines.get(step="accept")
    assert accept.due_on == datetime.date(2026, 11, 11)
    assert voice.due_on == datetime.date(2026, 11, 11)
    # Resolution waits for acceptance.
    assert voice.deadlines.get(step="resolve").due_on is None


def test_the_submitters_identity_is_encrypted_in_the_database(world):
    voice = submit(world)

    with connection.cursor() as cursor:
        cursor.execute("SELECT submitter_name FROM voices_voice WHERE id = %s", [voice.pk])
        (stored,) = cursor.fetchone()
    assert "Nguyễn" not in stored
    assert Voice.objects.get(pk=voice.pk).submitter_name == "Nguyễn Văn An"


def test_a_denouncers_identity_is_kept_apart_from_the_case(world):
    voice = submit(world, kind="denunciation", topic=topic("officials_conduct"))

    assert voice.submitter_name == ""
    assert voice.submitter_contact == ""
    identity = DenouncerIdentity.objects.get(voice=voice)
    assert identity.name == "Nguyễn Văn An"


def test_an_anonymous_denunciation_is_refused_with_advice(world):
    messages = refused(lambda: submit(world, kind="denunciation", is_anonymous=True))
    assert any("send it as a reflection" in m for m in messages)


def test_an_anonymous_reflection_is_taken_and_keeps_no_name(world):
    voice = submit(world, kind="reflection", is_anonymous=True)
    assert voice.submitter_name == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "   "}, "content is empty"),
        ({"text": "x" * 10_001}, "longer than"),
        ({"received_on": datetime.date(2099, 1, 1)}, "future"),
        ({"kind": "gossip"}, "Unknown kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, overrides, message):
    messages = refused(lambda: submit(world, **overrides))
    assert any(message in m for m in messages)
    assert Voice.objects.count() == 0


def test_a_voice_must_arise_in_a_commune_or_village(world):
    messages = refused(lambda: submit(world, unit=world.nghe_an))
    assert any("commune" in m for m in messages)


def test_a_retried_submission_with_the_same_key_counts_once(world):
    first = submit(world, submission_key="app-123")
    second = submit(world, submission_key="app-123")
    assert first.pk == second.pk
    assert Voice.objects.count() == 1


def test_a_remote_village_gets_the_longer_limits(world, system_actor):
    from danvan.units.services import unit_set_remote

    unit_set_remote(actor=system_actor, unit=world.muong_xen, is_remote=True)
    voice = submit(world, unit=world.muong_xen_village)
    assert voice.is_remote


def test_the_whole_life_of_a_complaint(world, commune_officer):
    officer = Actor.of_user(commune_officer)
    voice = submit(world)

    voice = case_accept(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 11, 5),
    )
    # Accepted 5 Nov 2026: 30 days -> 5 Dec 2026, a Saturday -> Monday 7 Dec.
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2026, 12, 7)
    assert voice.deadlines.get(step="accept").done_on == datetime.date(2026, 11, 5)
    assert voice.due_on == datetime.date(2026, 12, 7)

    voice = case_assign(
        actor=officer, voice=voice, expected_version=voice.version, body=world.anh_son_body
    )
    voice = case_answer(
        actor=officer, voice=voice, expected_version=voice.version, text="Đã chi trả đủ."
    )
    assert voice.due_on is None
    voice = case_publish(actor=officer, voice=voice, expected_version=voice.version)
    # A complaint closes only once the written decision on it is issued (danvan.decisions).
    with pytest.raises(ValidationError):
        case_close(actor=officer, voice=voice, expected_version=voice.version)
    voice = case_decide(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        text="Quyết định giải quyết khiếu nại số 01/QĐ-UBND.",
        decided_on=datetime.date(2026, 11, 20),
        reference="01/QĐ-UBND",
    )
    assert voice.decided_on == datetime.date(2026, 11, 20)
    voice = case_close(actor=officer, voice=voice, expected_version=voice.version)

    assert voice.status == VoiceStatus.CLOSED
    actions = list(voice.events.values_list("action", flat=True))
    assert actions == ["submit", "accept", "assign", "answer", "publish", "decide", "close"]
    assert (
        AuditEntry.objects.filter(object_id=str(voice.pk), action__startswith="voice.").count() == 7
    )

    voice = case_reopen(
        actor=officer, voice=voice, expected_version=voice.version, reason="Người dân phản hồi"
    )
    assert voice.status == VoiceStatus.ASSIGNED


def test_two_officers_on_one_case_never_lose_an_update(world, commune_officer, provincial_staff):
    voice = submit(world)
    seen_by_both = voice.version

    case_accept(actor=Actor.of_user(commune_officer), voice=voice, expected_version=seen_by_both)
    with pytest.raises(StaleCaseError):
        case_refuse(
            actor=Actor.of_user(provincial_staff),
            voice=voice,
            expected_version=seen_by_both,
            reason="Không thuộc thẩm quyền",
        )
    assert Voice.objects.get(pk=voice.pk).status == VoiceStatus.ACCEPTED


def test_a_refusal_needs_a_reason(world, commune_officer):
    voice = submit(world)
    refused(
        lambda: case_refuse(
            actor=Actor.of_user(commune_officer),
            voice=voice,
            expected_version=voice.version,
            reason=" ",
        )
    )


def test_an_observer_may_not_act_on_a_case(world, observer):
    voice = submit(world)
    with pytest.raises(PermissionDenied):
        case_accept(actor=Actor.of_user(observer), voice=voice, expected_version=voice.version)


def test_an_officer_of_another_commune_may_not_act(world, commune_officer):
    voice = submit(world, unit=world.muong_xen_village)
    with pytest.raises(PermissionDenied):
        case_accept(
            actor=Actor.of_user(commune_officer), voice=voice, expected_version=voice.version
        )


def test_a_case_cannot_be_answered_before_it_is_accepted(world, commune_officer):
    voice = submit(world)
    messages = refused(
        lambda: case_answer(
            actor=Actor.of_user(commune_officer),
            voice=voice,
            expected_version=voice.version,
            text="Trả lời",
        )
    )
    assert any("cannot be done" in m for m in messages)


def test_voices_are_visible_only_within_scope(world, commune_officer, provincial_staff, nobody):
    here = submit(world)
    there = submit(world, unit=world.muong_xen_village)

    assert set(Voice.objects.visible_to(commune_officer)) == {here}
    assert set(Voice.objects.visible_to(provincial_staff)) == {here, there}
    assert not Voice.objects.visible_to(nobody).exists()


def test_a_joint_voter_recommendation_gets_fifty_days_instead_of_forty(world):
    common = {
        "kind": "voter_recommendation",
        "channel": "voter_contact",
        "topic": topic("infrastructure"),
    }
    own = submit(world, **common)
    joint = submit(world, **common, joint=True)
    # Received Monday 2 Nov 2026. 40 days: Saturday 12 Dec -> Monday 14 Dec. 50 days: Tuesday 22 Dec.
    assert own.deadlines.get(step="answer").due_on == datetime.date(2026, 12, 14)
    assert joint.deadlines.get(step="answer").due_on == datetime.date(2026, 12, 22)


def test_only_a_voter_recommendation_can_be_joint(world):
    assert any("joint" in m for m in refused(lambda: submit(world, joint=True)))


def test_a_tracking_code_collision_is_retried_with_a_new_code(world, monkeypatch):
    first = submit(world)
    codes = iter([first.tracking_code, "DV-00000-00000-0"])
    monkeypatch.setattr("danvan.voices.intake.new_tracking_code", lambda: next(codes))

    second = submit(world)

    assert second.tracking_code == "DV-00000-00000-0"
    assert Voice.objects.count() == 2


def test_an_accepted_denunciation_is_due_when_its_resolution_is(world, commune_officer):
    voice = submit(world, kind="denunciation", topic=topic("officials_conduct"))
    # Received 2 Nov 2026: classify within 7 working days (11 Nov); forwarding (5 working days,
    # 9 Nov) applies only if the body is not competent, so it does not make the case due.
    assert voice.due_on == datetime.date(2026, 11, 11)

    voice = case_accept(
        actor=Actor.of_user(commune_officer),
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 11, 4),
    )

    # Accepted 4 Nov: 30 days -> Friday 4 Dec 2026. Classifying is done by accepting.
    assert voice.deadlines.get(step="classify").done_on == datetime.date(2026, 11, 4)
    assert voice.due_on == datetime.date(2026, 12, 4)
