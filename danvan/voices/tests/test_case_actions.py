"""Forwarding, coordination, extensions, the citizen's rating and the second complaint: the
services, and the case page's forms that drive them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.deadlines.selectors import working_calendar
from danvan.lib.testing import refused
from danvan.voices.attachments import attachment_add
from danvan.voices.models import Coordination, Topic, Voice, VoiceStatus
from danvan.voices.services import StaleCaseError, voice_submit
from danvan.voices.services_answer import case_answer, case_publish
from danvan.voices.services_citizen import complaint_file_second, voice_rate
from danvan.voices.services_handling import case_coordinate, case_extend, coordination_reply
from danvan.voices.services_routing import case_accept, case_assign, case_forward

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer(commune_officer):
    return Actor.of_user(commune_officer)


def submit(world, **overrides) -> Voice:
    values: dict[str, Any] = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": world.anh_son_village,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Gia đình tôi chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": datetime.date(2026, 11, 2),
        "submitter_name": "Nguyễn Văn An",
        "submitter_contact": "0912345678",
    }
    values.update(overrides)
    return voice_submit(**values)


def accepted(world, officer, **overrides) -> Voice:
    voice = submit(world, **overrides)
    return case_accept(
        actor=officer, voice=voice, expected_version=voice.version, accepted_on=voice.received_on
    )


def published(world, officer, **overrides) -> Voice:
    voice = accepted(world, officer, **overrides)
    voice = case_answer(actor=officer, voice=voice, expected_version=voice.version, text="Đã chi.")
    return case_publish(actor=officer, voice=voice, expected_version=voice.version)


def audited(voice: Voice, action: str) -> bool:
    return AuditEntry.objects.filter(
        action=action, object_type="voices.voice", object_id=str(voice.pk)
    ).exists()


# --- Forwarding -----------------------------------------------------------------------------------


def test_forwarding_hands_the_case_to_the_competent_body_which_accepts_it_anew(
    world, officer, provincial_staff
):
    voice = accepted(world, officer)
    assert voice.deadlines.get(step="resolve").due_on is not None

    voice = case_forward(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        body=world.province_body,
        reason="Thuộc thẩm quyền của tỉnh.",
    )

    assert voice.status == VoiceStatus.FORWARDED
    assert voice.assignee == world.province_body
    assert voice.accepted_on is None
    # What counted from this body's acceptance waits for the competent body's.
    assert voice.deadlines.get(step="resolve").due_on is None
    assert voice.events.filter(action="forward", is_public=True).exists()
    assert audited(voice, "voice.forward")

    voice = case_accept(
        actor=Actor.of_user(provincial_staff),
        voice=voice,
        expected_version=voice.version,
        accepted_on=voice.received_on,
    )
    assert voice.status == VoiceStatus.ACCEPTED


def test_forwarding_needs_a_reason_and_a_body_at_or_above_the_unit(world, officer):
    voice = submit(world)
    refused(
        lambda: case_forward(
            actor=officer, voice=voice, expected_version=1, body=world.province_body, reason=" "
        ),
        "Say why",
    )
    refused(
        lambda: case_forward(
            actor=officer,
            voice=voice,
            expected_version=1,
            body=world.muong_xen_body,
            reason="Chuyển nhầm xã.",
        ),
        "at the case's unit or above",
    )
    assert Voice.objects.get(pk=voice.pk).status == VoiceStatus.RECEIVED


# --- Coordination ---------------------------------------------------------------------------------


def test_coordination_requests_get_the_15_day_reply_limit_and_replies_are_kept(world, officer):
    voice = accepted(world, officer, kind="voter_recommendation", submitter_name="")
    voice = case_coordinate(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        bodies=[world.province_body],
        request="Đề nghị Sở phối hợp kiểm tra hiện trạng.",
    )
    coordination = Coordination.objects.get(voice=voice)
    # Decision 33/2017/QĐ-TTg Art. 12: the coordinating body replies within 15 days.
    today = timezone.localdate()
    assert coordination.due_on == working_calendar().add_calendar_days_with_rollover(today, 15)
    assert audited(voice, "voice.coordinate")

    # Asking the same body again while it has not replied is refused.
    refused(
        lambda: case_coordinate(
            actor=officer,
            voice=voice,
            expected_version=voice.version,
            bodies=[world.province_body],
            request="Nhắc lại.",
        ),
        "already been asked",
    )

    voice = coordination_reply(
        actor=officer,
        coordination=coordination,
        expected_version=voice.version,
        reply="Sở đã kiểm tra, đề nghị xã sửa chữa.",
    )
    coordination.refresh_from_db()
    assert coordination.replied_at is not None
    assert voice.events.filter(action="coordination_reply").exists()
    refused(
        lambda: coordination_reply(
            actor=officer, coordination=coordination, expected_version=voice.version, reply="x"
        ),
        "already replied",
    )


def test_a_reply_recorded_on_a_stale_case_is_refused(world, officer):
    voice = accepted(world, officer)
    voice = case_coordinate(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        bodies=[world.province_body],
        request="Phối hợp.",
    )
    coordination = Coordination.objects.get(voice=voice)
    with pytest.raises(StaleCaseError):
        coordination_reply(
            actor=officer, coordination=coordination, expected_version=1, reply="Trả lời."
        )
    coordination.refresh_from_db()
    assert coordination.replied_at is None


# --- Extensions -----------------------------------------------------------------------------------


def denunciation(world, officer) -> Voice:
    # Received Monday 2 Nov 2026, accepted Thursday 5 Nov 2026.
    voice = submit(world, kind="denunciation", submitter_name="Trần Thị Bích")
    return case_accept(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 11, 5),
    )


def test_a_complex_denunciation_is_extended_once_and_only_once(world, officer):
    voice = denunciation(world, officer)
    # Law on Denunciations Art. 30: 30 days from acceptance. Day 30 after 5 Nov is Saturday
    # 5 Dec 2026, so the limit ends on Monday 7 Dec.
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2026, 12, 7)

    voice = case_extend(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        step="resolve",
        reason="Phải xác minh tại nhiều nơi.",
        complexity="complex",
    )
    resolve = voice.deadlines.get(step="resolve")
    # One extension of 30 days from the end of the limit: 7 Dec + 30 = Wednesday 6 Jan 2027.
    assert resolve.due_on == datetime.date(2027, 1, 6)
    assert resolve.extensions == 1
    assert voice.due_on == datetime.date(2027, 1, 6)
    assert voice.complexity == "complex"
    assert voice.events.filter(action="extend", is_public=True).exists()
    assert audited(voice, "voice.extend")

    refused(
        lambda: case_extend(
            actor=officer,
            voice=voice,
            expected_version=voice.version,
            step="resolve",
            reason="Thêm lần nữa.",
        ),
        "no further extension",
    )
    assert Voice.objects.get(pk=voice.pk).deadlines.get(step="resolve").extensions == 1


def test_an_especially_complex_denunciation_is_extended_twice_into_tet(world, officer):
    voice = denunciation(world, officer)
    for _ in range(2):
        voice = case_extend(
            actor=officer,
            voice=voice,
            expected_version=voice.version,
            step="resolve",
            reason="Vụ việc đặc biệt phức tạp.",
            complexity="especially_complex",
        )
    # 6 Jan 2027 + 30 = Friday 5 Feb 2027, inside Tết (4-10 Feb): the limit ends on Thursday
    # 11 Feb 2027, the first working day after it.
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2027, 2, 11)
    assert voice.deadlines.get(step="resolve").extensions == 2


def test_a_normal_case_cannot_be_extended(world, officer):
    voice = denunciation(world, officer)
    refused(
        lambda: case_extend(
            actor=officer,
            voice=voice,
            expected_version=voice.version,
            step="resolve",
            reason="Muốn thêm thời gian.",
        ),
        "no further extension",
    )
    voice.refresh_from_db()
    assert voice.deadlines.get(step="resolve").due_on == datetime.date(2026, 12, 7)
    assert voice.complexity == "normal"


# --- The citizen's rating -------------------------------------------------------------------------


def test_the_citizen_rates_a_published_answer_once(world, officer):
    voice = published(world, officer)
    refused(
        lambda: voice_rate(actor=CITIZEN, voice=voice, expected_version=voice.version, score=6),
        "from 1 to 5",
    )
    voice = voice_rate(
        actor=CITIZEN, voice=voice, expected_version=voice.version, score=4, comment="Cảm ơn."
    )
    assert (voice.satisfaction, voice.satisfaction_comment) == (4, "Cảm ơn.")
    refused(
        lambda: voice_rate(actor=CITIZEN, voice=voice, expected_version=voice.version, score=1),
        "already been rated",
    )


def test_an_unpublished_answer_cannot_be_rated(world, officer):
    voice = accepted(world, officer)
    refused(lambda: voice_rate(actor=CITIZEN, voice=voice, expected_version=voice.version, score=5))
    assert Voice.objects.get(pk=voice.pk).satisfaction is None


# --- The second complaint -------------------------------------------------------------------------


def test_a_second_complaint_is_filed_against_the_published_decision(world, officer):
    first = published(world, officer)
    # Law on Complaints Art. 33: within 30 days of the decision.
    last_day = first.deadlines.get(step="file_second_complaint").due_on
    assert first.decided_on is not None
    assert last_day == working_calendar().add_calendar_days_with_rollover(first.decided_on, 30)

    second = complaint_file_second(
        actor=officer,
        first=first,
        expected_version=first.version,
        text="Tôi không đồng ý với quyết định giải quyết lần đầu.",
        channel="officer",
    )
    assert second.kind == "complaint_second"
    assert second.previous == first
    assert second.submitter_name == "Nguyễn Văn An"
    assert second.deadlines.filter(step="accept").exists()
    assert first.events.filter(action="second_complaint", is_public=True).exists()

    first.refresh_from_db()
    refused(
        lambda: complaint_file_second(
            actor=officer, first=first, expected_version=first.version, text="Lại.", channel="web"
        ),
        "already been filed",
    )


def test_a_second_complaint_after_the_time_limit_is_refused(world, officer):
    first = published(world, officer)
    first.deadlines.filter(step="file_second_complaint").update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    refused(
        lambda: complaint_file_second(
            actor=officer, first=first, expected_version=first.version, text="Muộn.", channel="web"
        ),
        "ended on",
    )
    assert not Voice.objects.filter(kind="complaint_second").exists()


def test_a_second_complaint_waits_for_the_first_decision_or_its_missed_deadline(world, officer):
    first = accepted(world, officer, received_on=timezone.localdate())
    refused(
        lambda: complaint_file_second(
            actor=officer, first=first, expected_version=first.version, text="Sớm.", channel="web"
        ),
        "once the first is decided",
    )
    reflection = published(world, officer, kind="reflection")
    refused(
        lambda: complaint_file_second(
            actor=officer,
            first=reflection,
            expected_version=reflection.version,
            text="x",
            channel="web",
        ),
        "Only a first complaint",
    )


# --- The case page --------------------------------------------------------------------------------


def test_the_page_forwards_and_extends_through_its_forms(world, commune_officer, login, officer):
    client = login(commune_officer)
    voice = denunciation(world, officer)
    url = reverse("voices:case", args=[voice.tracking_code])
    page = client.get(url).content.decode()
    assert 'id="action-extend"' in page
    assert 'id="action-forward"' in page

    response = client.post(
        reverse("voices:case_action", args=[voice.tracking_code, "extend"]),
        {
            "extend-version": voice.version,
            "extend-step": "resolve",
            "extend-complexity": "complex",
            "extend-reason": "Cần xác minh thêm.",
        },
    )
    assert response.status_code == 302
    voice.refresh_from_db()
    assert voice.due_on == datetime.date(2027, 1, 6)

    response = client.post(
        reverse("voices:case_action", args=[voice.tracking_code, "forward"]),
        {
            "forward-version": voice.version,
            "forward-body": world.province_body.pk,
            "forward-reason": "Tố cáo cán bộ cấp tỉnh: thuộc thẩm quyền của tỉnh.",
        },
    )
    assert response.status_code == 302
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.FORWARDED


def test_the_coordination_forms_ask_and_record_replies(world, commune_officer, login, officer):
    client = login(commune_officer)
    voice = accepted(world, officer)
    response = client.post(
        reverse("voices:case_action", args=[voice.tracking_code, "coordinate"]),
        {
            "coordinate-version": voice.version,
            "coordinate-bodies": [world.province_body.pk],
            "coordinate-request": "Đề nghị phối hợp.",
        },
    )
    assert response.status_code == 302
    voice.refresh_from_db()
    coordination = Coordination.objects.get(voice=voice)
    page = client.get(reverse("voices:case", args=[voice.tracking_code])).content.decode()
    assert "awaiting reply" in page
    response = client.post(
        reverse("voices:case_action", args=[voice.tracking_code, "coordination_reply"]),
        {
            "coordination_reply-version": voice.version,
            "coordination_reply-coordination": coordination.pk,
            "coordination_reply-reply": "Đã phối hợp kiểm tra.",
        },
    )
    assert response.status_code == 302
    coordination.refresh_from_db()
    assert coordination.reply == "Đã phối hợp kiểm tra."


def test_an_extension_the_law_does_not_allow_answers_400_and_keeps_the_date(
    world, commune_officer, login, officer
):
    client = login(commune_officer)
    voice = denunciation(world, officer)
    response = client.post(
        reverse("voices:case_action", args=[voice.tracking_code, "extend"]),
        {
            "extend-version": voice.version,
            "extend-step": "resolve",
            "extend-complexity": "normal",
            "extend-reason": "Muốn thêm thời gian.",
        },
    )
    assert response.status_code == 400
    assert "no further extension" in response.content.decode()
    voice.refresh_from_db()
    assert voice.due_on == datetime.date(2026, 12, 7)


def test_a_second_complaint_form_appears_only_on_a_decided_first_complaint(
    world, commune_officer, login, officer
):
    client = login(commune_officer)
    first = published(world, officer)
    page = client.get(reverse("voices:case", args=[first.tracking_code])).content.decode()
    assert 'id="action-second_complaint"' in page
    response = client.post(
        reverse("voices:case_action", args=[first.tracking_code, "second_complaint"]),
        {
            "second_complaint-version": first.version,
            "second_complaint-text": "Không đồng ý với quyết định.",
            "second_complaint-received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    second = Voice.objects.get(previous=first)
    page = client.get(reverse("voices:case", args=[first.tracking_code])).content.decode()
    assert second.tracking_code in page
    assert 'id="action-second_complaint"' not in page


# --- Denouncer protection on the case page, its file and its attachments --------------------------

DENOUNCER = "Trần Thị Bích"
DENOUNCER_PHONE = "0987654321"


@pytest.fixture
def denounced(world, officer) -> Voice:
    voice = submit(
        world,
        kind="denunciation",
        submitter_name=DENOUNCER,
        submitter_contact=DENOUNCER_PHONE,
        submitter_address="Xóm 3",
    )
    attachment_add(
        actor=CITIZEN,
        voice=voice,
        upload=SimpleUploadedFile("don-to-cao.pdf", PDF_BYTES, "application/pdf"),
    )
    return voice


def test_a_leader_reveals_the_identity_and_the_reading_is_audited(denounced, leader, login):
    client = login(leader)
    page = client.get(reverse("voices:case", args=[denounced.tracking_code])).content.decode()
    assert DENOUNCER not in page
    assert "Show the identity" in page

    url = reverse("voices:case_identity", args=[denounced.tracking_code])
    refused = client.post(url, {"reason": "xem"})
    assert refused.status_code == 400
    assert DENOUNCER not in refused.content.decode()
    assert "at least 10 characters" in refused.content.decode()

    response = client.post(url, {"reason": "Xác minh theo yêu cầu của Thanh tra tỉnh"})
    assert response.status_code == 200
    body = response.content.decode()
    assert DENOUNCER in body and DENOUNCER_PHONE in body
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(
        action="voice.identity_reveal", object_id=str(denounced.pk), actor=leader
    )
    assert entry.changes["reason"] == "Xác minh theo yêu cầu của Thanh tra tỉnh"


@pytest.mark.parametrize("role", ["commune_officer", "provincial_staff", "observer"])
def test_others_cannot_reveal_the_identity_or_open_the_attachments(request, denounced, role, login):
    client = login(request.getfixturevalue(role))
    page = client.get(reverse("voices:case", args=[denounced.tracking_code])).content.decode()
    assert DENOUNCER not in page and DENOUNCER_PHONE not in page
    assert "Show the identity" not in page
    assert "don-to-cao.pdf" not in page

    response = client.post(reverse("voices:case_identity", args=[denounced.tracking_code]))
    assert response.status_code == 403
    assert DENOUNCER not in response.content.decode()

    attachment = denounced.attachments.get()
    response = client.get(
        reverse("voices:case_attachment", args=[denounced.tracking_code, attachment.pk])
    )
    assert response.status_code == 403


def test_the_case_file_never_carries_the_denouncers_identity(denounced, leader, login):
    client = login(leader)
    response = client.get(reverse("voices:case_file", args=[denounced.tracking_code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert DENOUNCER not in body and DENOUNCER_PHONE not in body and "Xóm 3" not in body
    assert "not part of this file" in body


def test_the_case_file_of_a_complaint_carries_the_complainant_for_those_who_may_see(
    world, officer, commune_officer, observer, login
):
    voice = submit(world)
    assert (
        "Nguyễn Văn An"
        in login(commune_officer)
        .get(reverse("voices:case_file", args=[voice.tracking_code]))
        .content.decode()
    )
    assert (
        "Nguyễn Văn An"
        not in login(observer)
        .get(reverse("voices:case_file", args=[voice.tracking_code]))
        .content.decode()
    )


def test_attachments_are_served_only_through_the_checked_view(
    world, officer, commune_officer, login, nobody
):
    voice = submit(world)
    attachment = attachment_add(
        actor=CITIZEN,
        voice=voice,
        upload=SimpleUploadedFile("so-do.pdf", PDF_BYTES, "application/pdf"),
    )
    url = reverse("voices:case_attachment", args=[voice.tracking_code, attachment.pk])
    response = login(commune_officer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == attachment.file.open("rb").read()
    assert response["X-Content-Type-Options"] == "nosniff"
    # Out of scope: not found. Not logged in: sent to the login page.
    assert login(nobody).get(url).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 302
    # The storage itself is not served, not even with DEBUG on.
    assert Client().get("/media/" + attachment.file.name).status_code == 404


def test_case_assign_still_follows_the_rules_after_a_forward(world, officer):
    voice = accepted(world, officer)
    voice = case_forward(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        body=world.province_body,
        reason="Thuộc thẩm quyền tỉnh.",
    )
    # A forwarded case is accepted before it is assigned.
    refused(
        lambda: case_assign(
            actor=officer, voice=voice, expected_version=voice.version, body=world.anh_son_body
        ),
        "cannot be done",
    )


# --- Who is told ----------------------------------------------------------------------------------


def test_the_body_given_a_case_is_notified_but_not_the_officer_who_gave_it(
    world, provincial_staff, commune_officer
):
    from danvan.notifications.models import Notification

    staff = Actor.of_user(provincial_staff)
    voice = accepted(world, staff)
    case_assign(actor=staff, voice=voice, expected_version=voice.version, body=world.anh_son_body)
    note = Notification.objects.get(recipient=commune_officer)
    assert note.kind == "case_received"
    assert voice.tracking_code in note.title and note.link.endswith(f"{voice.tracking_code}/")
    assert not Notification.objects.filter(recipient=provincial_staff).exists()


def test_forwarding_and_coordination_notify_the_bodies_concerned(
    world, provincial_staff, commune_officer
):
    from danvan.notifications.models import Notification

    staff = Actor.of_user(provincial_staff)
    voice = submit(world)
    case_forward(
        actor=staff,
        voice=voice,
        expected_version=voice.version,
        body=world.anh_son_body,
        reason="Thuộc thẩm quyền của xã.",
    )
    assert Notification.objects.filter(recipient=commune_officer, kind="case_received").exists()

    other = accepted(world, staff)
    case_coordinate(
        actor=staff,
        voice=other,
        expected_version=other.version,
        bodies=[world.anh_son_body],
        request="Đề nghị xã phối hợp.",
    )
    assert Notification.objects.filter(recipient=commune_officer, kind="coordination").exists()


def test_an_overdue_coordination_reply_is_urged_once(world, provincial_staff, commune_officer):
    from danvan.notifications.models import Notification
    from danvan.voices.urging import run_urging

    staff = Actor.of_user(provincial_staff)
    voice = accepted(world, staff)
    voice = case_assign(
        actor=staff, voice=voice, expected_version=voice.version, body=world.province_body
    )
    case_coordinate(
        actor=staff,
        voice=voice,
        expected_version=voice.version,
        bodies=[world.anh_son_body],
        request="Đề nghị xã xác minh.",
    )
    coordination = Coordination.objects.get(voice=voice)
    assert coordination.due_on is not None
    Notification.objects.all().delete()

    # The day before the reply is due: nothing; the day after: the coordinating body is told.
    assert run_urging(today=coordination.due_on).coordination_overdue == 0
    report = run_urging(today=coordination.due_on + datetime.timedelta(days=1))
    assert report.coordination_overdue == 1
    late = Notification.objects.filter(recipient=commune_officer, title__contains="Coordination")
    assert late.count() == 1
    run_urging(today=coordination.due_on + datetime.timedelta(days=2))
    assert late.count() == 1
