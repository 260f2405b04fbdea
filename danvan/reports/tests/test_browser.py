"""The issue's "Done when", in headless Chromium: the provincial officer opens the reports page,
drafts last quarter's synthesis, writes the proposals and submits it; the leader, on a phone,
approves and issues it; the downloaded DOCX is a Party report with its number, read back with
python-docx."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.conf import settings
from docx import Document

from danvan.audit.context import Actor
from danvan.organizations.models import Body
from danvan.reports.models import Report, ReportStatus
from danvan.reports.tests.test_services import last_quarter
from danvan.voices.models import Topic
from danvan.voices.services import voice_submit
from danvan.web.tests.test_browser import ARTIFACTS, PHONE, expect, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]

PROPOSALS = "Đề nghị UBND tỉnh chỉ đạo sửa chữa tuyến đường liên xóm bị sụt lún ở xã Anh Sơn."


def test_an_officer_drafts_and_submits_last_quarters_report_and_a_leader_issues_it(
    live_server: Any, new_page: Any, with_password: Any, world: Any, commission: Body
) -> None:
    staff = with_password("provincial_staff")
    leader = with_password("leader")
    body = commission
    quarter = last_quarter()
    land = Topic.objects.get(code="land", province=None)
    for day in range(3):
        voice_submit(
            actor=Actor(user=None, label="citizen"),
            kind="complaint_first",
            channel="web",
            unit=world.anh_son_village,
            topic=land,
            text="Đường liên xóm bị sụt lún sau mưa lũ, đề nghị sửa chữa.",
            received_on=quarter.start + datetime.timedelta(days=10 + day),
            submitter_name="Nguyễn Văn An",
        )
    base = live_server.url

    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, base, staff)
    expect(page).to_have_url(f"{base}/")
    page.locator("#main-nav summary", has_text="Báo cáo").click()  # the menu's group
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page).to_have_url(f"{base}/reports/")
    page.select_option("#id_body", str(body.pk))
    expect(page.locator("#id_period")).to_have_value(quarter.code)  # last quarter is offered first
    page.locator("#generate-form button[type=submit]").click()
    report = Report.objects.get()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/")
    expect(page.locator("#figure-total")).to_have_text("3")
    expect(page.locator("#report-status")).to_have_text("Dự thảo")

    page.fill("#id_proposals", PROPOSALS)
    page.fill("#id_signer_name", "Hoàng Văn Minh")
    page.locator("#save-report").click()
    expect(page.locator(".message-success")).to_be_visible()
    page.locator("#submit-report").click()
    expect(page.locator("#report-status")).to_have_text("Đã trình duyệt")

    phone = new_page(viewport=PHONE)
    log_in(phone, base, leader)
    expect(phone).to_have_url(f"{base}/")
    phone.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    phone.goto(f"{base}/reports/{report.pk}/")
    expect(phone.locator("#report-proposals")).to_have_text(PROPOSALS)
    phone.locator("#approve-report").click()
    expect(phone.locator("#report-status")).to_have_text("Approved")
    phone.locator("#issue-report").click()
    expect(phone.locator("#report-status")).to_have_text("Issued")
    expect(phone.locator("#report-symbol")).to_have_text("01-BC/BTGDVTU")
    expect(phone.locator(".message-success")).to_contain_text("The number and the date are fixed")
    expect(phone.locator("#by-kind")).to_contain_text("Complaint, first time")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "report-issued-phone.png"), full_page=True)

    with phone.expect_download() as caught:
        phone.locator("#download").click()
    content = open(caught.value.path(), "rb").read()  # noqa: SIM115 - Playwright owns the file
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED and content == bytes(report.document or b"")
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Số 01-BC/BTGDVTU" in text
    assert PROPOSALS in text
    assert "DỰ THẢO" not in text
