"""Law on Denunciations Art. 9.1.b, 40 and 56: a conclusion never names the denouncer — not in
the draft the officer submits, the DOCX, the public content the tracking page shows, nor any
page of the decision for any role (the checks of voices' leak test, applied to decisions)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.decisions.services import decision_edit, decision_submit
from danvan.decisions.tests.conftest import NAME, SECRETS
from danvan.decisions.tests.helpers import (
    CONCLUSION_TEXTS,
    docx_raw,
    docx_text,
    issued,
)
from danvan.voices.models import VoiceStatus

pytestmark = pytest.mark.django_db

ROLES = ("system_admin", "provincial_staff", "commune_officer", "village_member", "observer")


def test_the_draft_takes_nothing_of_the_denouncer_and_refuses_their_name(
    world, commune_officer, committee
):
    from danvan.decisions.services import decision_draft
    from danvan.decisions.tests.conftest import ID_NUMBER, PHONE, accepted_case

    officer = Actor.of_user(commune_officer)
    # The letter names its writer, as letters do.
    denunciation = accepted_case(
        world,
        commune_officer,
        committee,
        kind="denunciation",
        text=f"Tôi là {NAME}, tố cáo cán bộ địa chính xã nhận tiền để làm sổ đỏ nhanh.",
        submitter_name=NAME,
        submitter_contact=PHONE,
        submitter_id_number=ID_NUMBER,
    )
    decision = decision_draft(actor=officer, voice=denunciation)
    assert not decision.complainant_name and not decision.complainant_address
    assert NAME not in decision.title
    # The letter's text is prefilled and names the denouncer: submitting is refused.
    decision = decision_edit(
        actor=officer,
        decision=decision,
        expected_version=decision.version,
        **{k: v for k, v in CONCLUSION_TEXTS.items() if k != "content"},
    )
    with pytest.raises(ValidationError):
        decision_submit(actor=officer, decision=decision, expected_version=decision.version)
    # Written without diacritics, or the phone number in another shape: still refused.
    for leak in ("pham thi to giac", "0977 123 456"):
        decision.refresh_from_db()
        decision = decision_edit(
            actor=officer,
            decision=decision,
            expected_version=decision.version,
            content=f"Tố cáo của {leak}.",
        )
        with pytest.raises(ValidationError):
            decision_submit(actor=officer, decision=decision, expected_version=decision.version)


@pytest.fixture
def conclusion(denunciation, commune_officer, leader):
    return issued(denunciation, commune_officer, leader, on=datetime.date(2025, 12, 20))


def test_the_issued_conclusion_lists_article_35_and_never_names_the_denouncer(conclusion):
    text = docx_text(bytes(conclusion.document or b""))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 01/KL-UBND",
        "KẾT LUẬN",
        "KẾT QUẢ XÁC MINH NỘI DUNG TỐ CÁO",
        "Đã làm việc với 12 hộ dân",
        "Nội dung tố cáo là đúng một phần.",
        "vi phạm quy định về đạo đức công vụ",
        "Kỷ luật khiển trách ông Lê Văn Cường.",
        "Kiến nghị Thanh tra tỉnh",
        "Căn cứ Luật Tố cáo ngày 12 tháng 6 năm 2018;",
    ):
        assert expected in text, expected
    raw = docx_raw(bytes(conclusion.document or b""))
    for secret in SECRETS:
        assert secret not in raw
    voice = conclusion.voice
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.PUBLISHED
    assert conclusion.symbol in voice.answer_text
    assert all(secret not in voice.answer_text for secret in SECRETS)


def _assert_hidden(response, where: str) -> None:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        text = docx_raw(response.content)
    else:
        text = response.content.decode("utf-8", "replace")
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked on {where} ({response.status_code})"


@pytest.mark.parametrize("role", [*ROLES, "leader", "nobody"])
def test_no_decision_page_or_file_shows_the_denouncer(request, conclusion, role, login):
    client = login(request.getfixturevalue(role))
    pk = conclusion.pk
    for method, url, data in (
        ("get", reverse("decisions:detail", args=[pk]), {}),
        ("get", reverse("decisions:download", args=[pk]), {}),
        ("get", reverse("voices:case", args=[conclusion.voice.tracking_code]), {}),
        ("post", reverse("decisions:act", args=[pk, "issue"]), {"version": 1}),
        ("post", reverse("decisions:act", args=[pk, "edit"]), {"version": conclusion.version}),
        ("get", reverse("notifications:list"), {}),
    ):
        response = getattr(client, method)(url, data)
        _assert_hidden(response, f"{method.upper()} {url} as {role}")


def test_the_citizen_reads_the_conclusion_on_the_tracking_page_without_any_identity(conclusion):
    page = Client(REMOTE_ADDR="198.51.100.50").post(
        reverse("voices_public:lookup"), {"code": conclusion.voice.tracking_code}
    )
    text = page.content.decode()
    assert conclusion.symbol in text
    assert "Nội dung tố cáo là đúng một phần." in text
    assert "Đã ban hành quyết định, kết luận" in text  # the step in the public timeline
    for secret in SECRETS:
        assert secret not in text
