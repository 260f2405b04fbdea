"""The path of a decision: numbering, approval by the head, the case closed only once it is
issued, the DOCX in the state format with the contents the law lists."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.decisions.models import DecisionNumberSequence, DecisionStatus
from danvan.decisions.services import (
    StaleDecisionError,
    decision_document,
    decision_edit,
    decision_issue,
    decision_return,
    decision_submit,
)
from danvan.decisions.tests.conftest import accepted_case
from danvan.decisions.tests.helpers import docx_text, drafted, issued
from danvan.organizations.models import BodyKind
from danvan.organizations.services import body_create
from danvan.voices.models import VoiceStatus
from danvan.voices.services_answer import case_answer, case_close, case_publish, case_reopen

pytestmark = pytest.mark.django_db

DEC_20 = datetime.date(2025, 12, 20)
DEC_31 = datetime.date(2025, 12, 31)
JAN_2 = datetime.date(2026, 1, 2)


def test_numbers_run_per_body_and_year_and_restart_on_1_january(
    world, commune_officer, provincial_staff, leader, committee
):
    cases = [accepted_case(world, commune_officer, committee) for _ in range(3)]
    first = issued(cases[0], commune_officer, leader, on=DEC_20)
    second = issued(cases[1], commune_officer, leader, on=DEC_31)
    new_year = issued(cases[2], commune_officer, leader, on=JAN_2)
    assert [first.symbol, second.symbol, new_year.symbol] == [
        "01/QĐ-UBND",
        "02/QĐ-UBND",
        "01/QĐ-UBND",
    ]
    assert (new_year.number, new_year.year) == (1, 2026)
    # Another body keeps its own register; a conclusion has its own type (KL).
    other = body_create(
        actor=Actor.system("test"),
        unit=world.muong_xen,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="Ủy ban nhân dân xã Mường Xén",
        short_name="UBND",
    )
    elsewhere = accepted_case(world, provincial_staff, other, unit=world.muong_xen_village)
    assert issued(elsewhere, provincial_staff, leader, on=DEC_31).symbol == "01/QĐ-UBND"
    denunciation = accepted_case(world, commune_officer, committee, kind="denunciation")
    assert issued(denunciation, commune_officer, leader, on=DEC_31).symbol == "01/KL-UBND"
    assert (
        DecisionNumberSequence.objects.get(body=committee, type_code="QĐ", year=2025).last_number
        == 2
    )


def test_a_decision_is_issued_only_by_the_head_after_it_is_submitted(
    complaint, commune_officer, leader
):
    decision = drafted(complaint, commune_officer)
    with pytest.raises(ValidationError):  # a draft: not submitted to the head
        decision_issue(
            actor=Actor.of_user(leader), decision=decision, expected_version=decision.version
        )
    decision = decision_submit(
        actor=Actor.of_user(commune_officer), decision=decision, expected_version=decision.version
    )
    with pytest.raises(PermissionDenied):  # the officer cannot sign for the head
        decision_issue(
            actor=Actor.of_user(commune_officer),
            decision=decision,
            expected_version=decision.version,
        )
    decision = decision_return(
        actor=Actor.of_user(leader),
        decision=decision,
        expected_version=decision.version,
        note="Bổ sung căn cứ pháp lý.",
    )
    assert decision.status == DecisionStatus.DRAFT
    with pytest.raises(StaleDecisionError):
        decision_submit(actor=Actor.of_user(commune_officer), decision=decision, expected_version=1)
    complaint.refresh_from_db()
    assert complaint.status == VoiceStatus.ASSIGNED and not complaint.answer_text
    assert decision.number is None


def test_a_decision_cannot_be_submitted_without_what_the_law_lists(complaint, commune_officer):
    decision = drafted(complaint, commune_officer, verification="", outcome="")
    with pytest.raises(ValidationError) as error:
        decision_submit(
            actor=Actor.of_user(commune_officer),
            decision=decision,
            expected_version=decision.version,
        )
    assert set(error.value.message_dict) == {"verification", "outcome"}


def test_a_complaint_cannot_be_closed_without_its_issued_decision(
    complaint, commune_officer, leader
):
    officer = Actor.of_user(commune_officer)
    # The old way: a free-text answer, published and closed by the officer alone.
    voice = case_answer(
        actor=officer, voice=complaint, expected_version=complaint.version, text="Đã xem xét."
    )
    voice = case_publish(actor=officer, voice=voice, expected_version=voice.version)
    with pytest.raises(ValidationError):
        case_close(actor=officer, voice=voice, expected_version=voice.version)
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.PUBLISHED

    decision = issued(voice, commune_officer, leader, on=DEC_20)
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.PUBLISHED
    assert voice.decided_on == DEC_20
    assert decision.symbol in voice.answer_text
    assert "Sửa đổi Quyết định số 05/QĐ-UBND" in voice.answer_text
    assert "Nguyễn Văn An" not in voice.answer_text
    assert list(voice.events.values_list("action", flat=True))[-1] == "decide"
    voice = case_close(actor=officer, voice=voice, expected_version=voice.version)
    assert voice.status == VoiceStatus.CLOSED

    # Reopened, it needs a new decision before it closes again.
    voice = case_reopen(actor=officer, voice=voice, expected_version=voice.version, reason="Sai")
    voice = case_answer(actor=officer, voice=voice, expected_version=voice.version, text="Lại.")
    with pytest.raises(ValidationError):
        case_close(actor=officer, voice=voice, expected_version=voice.version)


def test_other_kinds_still_close_without_a_decision(world, commune_officer, committee):
    officer = Actor.of_user(commune_officer)
    voice = accepted_case(world, commune_officer, committee, kind="reflection")
    voice = case_answer(actor=officer, voice=voice, expected_version=voice.version, text="Đã sửa.")
    assert case_close(actor=officer, voice=voice, expected_version=voice.version).status == (
        VoiceStatus.CLOSED
    )


def test_the_issued_docx_is_in_the_state_format_with_the_contents_of_article_31(
    complaint, commune_officer, leader, committee
):
    DecisionNumberSequence.objects.create(body=committee, type_code="QĐ", year=2025, last_number=11)
    decision = issued(complaint, commune_officer, leader, on=DEC_20)
    content = bytes(decision.document or b"")
    assert hashlib.sha256(content).hexdigest() == decision.document_sha256
    assert decision_document(decision) == content  # served byte for byte
    text = docx_text(content)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN XÃ ANH SƠN",
        "Số: 12/QĐ-UBND",
        "Anh Sơn, ngày 20 tháng 12 năm 2025",
        "QUYẾT ĐỊNH",
        "Về việc giải quyết khiếu nại của Nguyễn Văn An (lần đầu)",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ANH SƠN",
        "Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;",
        # Art. 31: names and addresses, content, verification, dialogue, conclusion, outcome,
        # specific issues, compensation, the right to complain again or sue.
        "Nguyễn Văn An, Xóm 1, xã Anh Sơn",
        "Chủ tịch UBND xã Anh Sơn (Quyết định thu hồi đất số 05/QĐ-UBND)",
        "NỘI DUNG KHIẾU NẠI",
        "Khiếu nại quyết định thu hồi đất số 05/QĐ-UBND không bồi thường đủ.",
        "KẾT QUẢ XÁC MINH NỘI DUNG KHIẾU NẠI",
        "đã bồi thường 250 m²",
        "KẾT QUẢ ĐỐI THOẠI",
        "Khiếu nại đúng một phần.",
        "Điều 1. Sửa đổi Quyết định số 05/QĐ-UBND",
        "Giao Phòng Kinh tế lập phương án bồi thường bổ sung.",
        "Bồi thường bổ sung 70 m²",
        "khiếu nại đến người có thẩm quyền giải quyết khiếu nại lần hai hoặc khởi kiện",
        "CHỦ TỊCH",
        "Trần Văn Bình",
        "Nơi nhận:",
    ):
        assert expected in text, expected
    assert "DỰ THẢO" not in text
    audit = AuditEntry.objects.get(action="decision.issue")
    assert audit.changes["sha256"] == decision.document_sha256


def test_a_draft_docx_has_no_number_and_says_draft(complaint, commune_officer):
    decision = drafted(complaint, commune_officer)
    text = docx_text(decision_document(decision))
    assert "DỰ THẢO" in text
    assert "Số:     /QĐ-UBND" in text


def test_an_issued_decision_cannot_be_edited(complaint, commune_officer, leader):
    decision = issued(complaint, commune_officer, leader, on=DEC_20)
    with pytest.raises(ValidationError):
        decision_edit(
            actor=Actor.of_user(commune_officer),
            decision=decision,
            expected_version=decision.version,
            conclusion="Khác.",
        )
