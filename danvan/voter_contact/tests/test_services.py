"""Voter contact sessions and their recommendations, built through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.lib.testing import refused
from danvan.organizations.models import BodyKind
from danvan.organizations.services import body_create
from danvan.voices.importing.parse import parse_voice_file
from danvan.voices.models import Channel, Topic
from danvan.voter_contact.models import SessionRecommendation, VoterContactSession
from danvan.voter_contact.services import (
    session_add_recommendation,
    session_create,
    session_import_recommendations,
)
from danvan.voter_contact.tests.helpers import days_ago, make_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_session_is_recorded_with_its_organizing_body(world, commune_officer):
    council = body_create(
        actor=Actor.system("test"),
        unit=world.anh_son,
        kind=BodyKind.PEOPLES_COUNCIL,
        name="Hội đồng nhân dân xã Anh Sơn",
    )

    session = session_create(
        actor=Actor.of_user(commune_officer),
        title="Tiếp xúc cử tri trước kỳ họp thứ 5",
        date=days_ago(3),
        unit=world.anh_son,
        place="Nhà văn hóa Xóm 1",
        organizing_body=council,
        deputies="Đại biểu Nguyễn Văn A",
    )

    assert VoterContactSession.objects.visible_to(commune_officer).get() == session
    assert session.created_by == commune_officer


def test_an_officer_cannot_record_a_session_outside_their_units(world, commune_officer):
    with pytest.raises(PermissionDenied):
        session_create(
            actor=Actor.of_user(commune_officer),
            title="Tiếp xúc cử tri",
            date=days_ago(3),
            unit=world.muong_xen,
        )


def test_a_session_needs_a_commune_or_province_and_a_body_above_it(world, system_actor):
    messages = refused(
        lambda: session_create(
            actor=system_actor,
            title=" ",
            date=days_ago(1),
            unit=world.anh_son_village,
            organizing_body=world.muong_xen_body,
        )
    )

    assert messages == [
        "The title is empty.",
        "Choose a current commune, ward or province.",
        "The organizing body must be at the session's unit or above it.",
    ]


def test_a_recommendation_becomes_a_voter_recommendation_received_on_the_session_day(
    world, commune_officer
):
    session = make_session(world, commune_officer, date=days_ago(10))

    recommendation = session_add_recommendation(
        actor=Actor.of_user(commune_officer),
        session=session,
        text="Đề nghị nâng cấp đường liên xóm.",
        topic=Topic.objects.get(code="infrastructure", province=None),
        unit=world.anh_son_village,
        joint=True,
        submitter_name="Cử tri Lê Văn C",
    )

    voice = recommendation.voice
    assert recommendation.joint is True
    assert voice.kind == "voter_recommendation"
    assert voice.channel == Channel.VOTER_CONTACT
    assert voice.received_on == session.date
    # 40 days for now: voice_submit does not take ``joint`` yet (reported to the lead).
    assert voice.deadlines.get(step="answer").due_on is not None


def test_a_recommendation_from_outside_the_session_unit_is_refused(world, system_actor):
    session = make_session(world, None, date=days_ago(1))

    messages = refused(
        lambda: session_add_recommendation(
            actor=system_actor,
            session=session,
            text="Ở xã khác.",
            topic=Topic.objects.get(code="other", province=None),
            unit=world.muong_xen,
        )
    )

    assert messages == ["Xã Mường Xén is not in Xã Anh Sơn, where the session was held."]


def test_a_future_session_takes_no_recommendations_yet(world, system_actor):
    session = make_session(world, None, date=timezone.localdate() + datetime.timedelta(days=7))

    messages = refused(
        lambda: session_add_recommendation(
            actor=system_actor,
            session=session,
            text="Sớm quá.",
            topic=Topic.objects.get(code="other", province=None),
            unit=world.anh_son,
        )
    )

    assert "from the day of the session" in messages[0]


def test_a_spreadsheet_of_recommendations_is_imported_into_the_session(world, commune_officer):
    from danvan.units.tests.files import csv_bytes

    session = make_session(world, commune_officer, date=days_ago(2))
    data = csv_bytes(
        [
            ["Lĩnh vực", "Mã đơn vị", "Nội dung", "Liên ngành", "Họ tên"],
            ["Y tế", "", "Trạm y tế xã thiếu thuốc.", "Có", ""],
            ["education", "17329-001", "Trường mầm non xuống cấp.", "", "Phạm Văn D"],
        ]
    )
    rows = parse_voice_file(
        name="kien-nghi.csv",
        data=data,
        fixed_kind="voter_recommendation",
        fixed_date=session.date,
        default_unit_code=session.unit.code,
    )

    report = session_import_recommendations(
        actor=Actor.of_user(commune_officer), session=session, rows=rows
    )

    assert report.error_rows == []
    assert report.imported == 2
    recommendations = list(SessionRecommendation.objects.filter(session=session))
    assert [r.joint for r in recommendations] == [True, False]
    assert recommendations[0].voice.unit == world.anh_son
    assert recommendations[1].voice.unit == world.anh_son_village
    assert {r.voice.received_on for r in recommendations} == {session.date}


def test_a_session_import_with_an_error_imports_nothing(world, system_actor):
    from danvan.units.tests.files import csv_bytes

    session = make_session(world, None, date=days_ago(2))
    data = csv_bytes(
        [
            ["Lĩnh vực", "Mã đơn vị", "Nội dung"],
            ["Y tế", "17329", "Trạm y tế xã thiếu thuốc."],
            ["Y tế", "16813", "Ở xã khác."],
        ]
    )
    rows = parse_voice_file(
        name="kien-nghi.csv",
        data=data,
        fixed_kind="voter_recommendation",
        fixed_date=session.date,
    )

    report = session_import_recommendations(actor=system_actor, session=session, rows=rows)

    assert report.imported == 0
    assert {r.line: r.errors for r in report.error_rows} == {
        3: ["Xã Mường Xén is not in Xã Anh Sơn, where the session was held."]
    }
    assert not SessionRecommendation.objects.exists()


def test_the_lead_agency_of_a_joint_answer_gets_fifty_days_instead_of_forty(world, system_actor):
    from danvan.voter_contact.tests.helpers import add

    # A session on Monday 2 Nov 2026: 40 days end Saturday 12 Dec -> Monday 14 Dec; 50 days end
    # Tuesday 22 Dec (Decision 33/2017/QĐ-TTg Art. 12).
    session = make_session(world, None, date=datetime.date(2026, 11, 2))
    own = add(session, "Đề nghị sửa đường liên xóm.")
    joint = add(session, "Đề nghị cấp nước sạch cho các xóm.", joint=True)

    assert own.voice.deadlines.get(step="answer").due_on == datetime.date(2026, 12, 14)
    assert joint.voice.deadlines.get(step="answer").due_on == datetime.date(2026, 12, 22)
