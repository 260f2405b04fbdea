"""The reports pages: drafting, editing, the path to issue, the DOCX, and who may do what."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from danvan.organizations.models import Body
from danvan.reports.models import Report, ReportStatus
from danvan.reports.tests.test_services import last_quarter

pytestmark = pytest.mark.django_db


def draft(client: Any, body: Body, **extra: str) -> Any:
    data = {"body": body.pk, "period": last_quarter().code, "format": "", **extra}
    return client.post(reverse("reports:new"), data)


def act(client: Any, report: Report, action: str, **data: Any) -> Any:
    report.refresh_from_db()
    return client.post(
        reverse("reports:act", args=[report.pk, action]), {"version": report.version, **data}
    )


EDIT = {
    "title": "Tình hình nhân dân quý III",
    "assessment": "Tình hình cơ bản ổn định.",
    "proposals": "Đề nghị giải quyết dứt điểm vụ việc đất đai ở xã Anh Sơn.",
    "format": "party",
    "place": "Nghệ An",
    "signer_prefix": "deputy",
    "signer_authority": "TRƯỞNG BAN",
    "signer_position": "PHÓ TRƯỞNG BAN",
    "signer_name": "Hoàng Văn Minh",
    "recipients": "Ban Dân vận Trung ương\nThường trực Tỉnh ủy",
}


def test_an_officer_drafts_edits_and_submits_and_a_leader_approves_and_issues(
    login: Any, provincial_staff: Any, leader: Any, commission: Body
) -> None:
    staff = login(provincial_staff)
    page = staff.get(reverse("reports:list"))
    assert page.status_code == 200 and "generate-form" in page.content.decode()
    response = draft(staff, commission)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{report.pk}/")
    page = staff.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "report-figures" in page and "submit-report" in page and "approve-report" not in page
    assert act(staff, report, "edit", **EDIT).status_code == 302
    assert act(staff, report, "submit").status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.proposals == EDIT["proposals"]

    boss = login(leader)
    assert (
        "approve-report" in boss.get(reverse("reports:detail", args=[report.pk])).content.decode()
    )
    assert act(boss, report, "approve").status_code == 302
    assert act(boss, report, "issue", issued_on="").status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED and report.symbol == "01-BC/BTGDVTU"

    download = staff.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "01-bc-btgdvtu" in download["Content-Disposition"]
    assert download.content == bytes(report.document or b"")
    text = "\n".join(p.text for p in Document(io.BytesIO(download.content)).paragraphs)
    assert EDIT["proposals"] in text


def test_a_draft_downloads_as_a_draft_without_a_number(
    login: Any, provincial_staff: Any, commission: Body
) -> None:
    staff = login(provincial_staff)
    draft(staff, commission)
    report = Report.objects.get()
    download = staff.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200 and "du-thao" in download["Content-Disposition"]
    document = Document(io.BytesIO(download.content))
    everything = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "DỰ THẢO" in everything


def test_a_bad_period_is_refused_on_the_form_and_nothing_is_created(
    login: Any, provincial_staff: Any, commission: Body
) -> None:
    staff = login(provincial_staff)
    response = draft(staff, commission, other_period="2026-Q7")
    assert response.status_code == 400
    assert "2026-Q3" in response.content.decode()  # the form says how to write a period
    assert not Report.objects.exists()


def test_a_stale_page_gets_409_and_keeps_what_was_typed(
    login: Any, provincial_staff: Any, commission: Body
) -> None:
    staff = login(provincial_staff)
    draft(staff, commission)
    report = Report.objects.get()
    seen = report.version
    act(staff, report, "edit", **{**EDIT, "proposals": "Bản của đồng chí A."})
    response = staff.post(
        reverse("reports:act", args=[report.pk, "edit"]),
        {**EDIT, "version": seen, "proposals": "Bản của đồng chí B."},
    )
    assert response.status_code == 409
    assert "Bản của đồng chí B." in response.content.decode()
    report.refresh_from_db()
    assert report.proposals == "Bản của đồng chí A."


def test_submitting_without_proposals_says_so(
    login: Any, provincial_staff: Any, commission: Body
) -> None:
    staff = login(provincial_staff)
    draft(staff, commission)
    report = Report.objects.get()
    response = act(staff, report, "submit")
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_an_observer_reads_but_cannot_act_and_others_do_not_see_it(
    login: Any, provincial_staff: Any, observer: Any, nobody: Any, commission: Body
) -> None:
    draft(login(provincial_staff), commission)
    report = Report.objects.get()
    reader = login(observer)
    page = reader.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200 and "edit-form" not in page.content.decode()
    assert "generate-form" not in reader.get(reverse("reports:list")).content.decode()
    assert act(reader, report, "edit", **EDIT).status_code == 403
    assert draft(reader, commission).status_code == 403
    stranger = login(nobody)
    assert stranger.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert stranger.get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_an_unknown_action_or_a_missing_version_is_refused(
    login: Any, provincial_staff: Any, commission: Body
) -> None:
    staff = login(provincial_staff)
    draft(staff, commission)
    report = Report.objects.get()
    assert staff.post(reverse("reports:act", args=[report.pk, "delete"])).status_code == 403
    assert staff.post(reverse("reports:act", args=[report.pk, "submit"])).status_code == 400


def test_the_list_is_in_english_too(login: Any, provincial_staff: Any, commission: Body) -> None:
    from django.conf import settings

    staff = login(provincial_staff)
    draft(staff, commission)
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = staff.get(reverse("reports:list")).content.decode()
    assert "Reports on the situation of the people" in page and "Draft" in page
    report = Report.objects.get()
    report.figures["by_kind"] = [{"key": "denunciation", "label": "Tố cáo", "n": 1}]
    report.save(update_fields=["figures"])
    page = staff.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert ">Denunciation<" in page and "Tố cáo" not in page
