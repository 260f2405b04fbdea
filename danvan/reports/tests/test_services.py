"""The path of a report: drafted from the data, edited, submitted, approved, issued with a number."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.testing import refused
from danvan.organizations.models import Body, BodyKind
from danvan.organizations.services import body_create
from danvan.reports.models import Report, ReportNumberSequence, ReportStatus
from danvan.reports.periods import ReportPeriod, period_containing
from danvan.reports.services import (
    StaleReportError,
    report_approve,
    report_document,
    report_edit,
    report_generate,
    report_issue,
    report_refresh,
    report_return,
    report_submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SYSTEM = Actor.system("test")


def last_quarter() -> ReportPeriod:
    return period_containing("quarter", timezone.localdate()).previous()


def as_actor(user: Any) -> Actor:
    return Actor.of_user(user)


def drafted(user: Any, body: Body, period: ReportPeriod | None = None) -> Report:
    return report_generate(actor=as_actor(user), body=body, period=period or last_quarter())


def through_approval(staff: Any, leader: Any, report: Report) -> Report:
    report = report_edit(
        actor=as_actor(staff),
        report=report,
        expected_version=report.version,
        proposals="Đề nghị Tỉnh ủy chỉ đạo giải quyết dứt điểm các vụ việc đất đai.",
        signer_name="Nguyễn Văn A",
        signer_position="PHÓ TRƯỞNG BAN",
    )
    report = report_submit(actor=as_actor(staff), report=report, expected_version=report.version)
    return report_approve(actor=as_actor(leader), report=report, expected_version=report.version)


def test_a_draft_takes_its_format_title_place_and_signer_from_the_body(
    provincial_staff: Any, commission: Body, committee: Body
) -> None:
    party = drafted(provincial_staff, commission)
    state = drafted(provincial_staff, committee)
    period = last_quarter()
    assert party.format == "party" and state.format == "state"
    assert party.status == ReportStatus.DRAFT and party.number is None and not party.symbol
    assert party.title == f"Tình hình nhân dân {period.label_vi()}"
    assert party.place == "Nghệ An"
    assert party.signer_prefix == "deputy" and party.signer_authority == "TRƯỞNG BAN"
    assert state.signer_prefix == "on_behalf"
    assert party.figures["period"]["code"] == period.code
    assert party.events.get().action == "generated"
    assert AuditEntry.objects.filter(action="report.generate", object_id=str(party.pk)).exists()


def test_a_body_without_a_symbol_cannot_draft_and_is_told_why(
    provincial_staff: Any, world: Any
) -> None:
    refused(lambda: drafted(provincial_staff, world.province_body), saying="symbol")
    assert not Report.objects.exists()


def test_a_period_that_has_not_started_is_refused(provincial_staff: Any, commission: Body) -> None:
    future = period_containing("quarter", timezone.localdate() + datetime.timedelta(days=200))
    refused(lambda: drafted(provincial_staff, commission, future), saying="not started")


def test_an_observer_and_another_province_cannot_draft(
    observer: Any, commune_officer: Any, commission: Body
) -> None:
    with pytest.raises(PermissionDenied):
        drafted(observer, commission)
    with pytest.raises(PermissionDenied):
        drafted(commune_officer, commission)


def test_the_whole_path_gives_the_first_number_of_the_year_and_stores_the_file(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    report = through_approval(provincial_staff, leader, drafted(provincial_staff, commission))
    assert report.status == ReportStatus.APPROVED
    today = timezone.localdate()
    report = report_issue(actor=as_actor(leader), report=report, expected_version=report.version)
    assert report.status == ReportStatus.ISSUED
    assert (report.number, report.year, report.issued_on) == (1, today.year, today)
    assert report.symbol == "01-BC/BTGDVTU"
    assert report.document and len(report.document_sha256) == 64
    text = "\n".join(p.text for p in Document(io.BytesIO(bytes(report.document))).paragraphs)
    assert "Đề nghị Tỉnh ủy chỉ đạo giải quyết dứt điểm" in text
    assert [e.action for e in report.events.all()] == [
        "generated",
        "edited",
        "submitted",
        "approved",
        "issued",
    ]
    # The issued file never changes: it is what is downloaded, byte for byte.
    assert report_document(report) == bytes(report.document)


def test_state_numbers_are_written_with_a_slash_before_the_type(
    provincial_staff: Any, leader: Any, committee: Body
) -> None:
    report = through_approval(provincial_staff, leader, drafted(provincial_staff, committee))
    report = report_issue(actor=as_actor(leader), report=report, expected_version=report.version)
    assert report.symbol == "01/BC-UBND"


def test_numbers_follow_each_other_per_body_and_restart_each_first_of_january(
    provincial_staff: Any, leader: Any, commission: Body, committee: Body
) -> None:
    symbols = []
    for body in (commission, commission, committee):
        report = through_approval(provincial_staff, leader, drafted(provincial_staff, body))
        report = report_issue(
            actor=as_actor(leader), report=report, expected_version=report.version
        )
        symbols.append(report.symbol)
    assert symbols == ["01-BC/BTGDVTU", "02-BC/BTGDVTU", "01/BC-UBND"]
    # A report of an earlier year issued late in that year's sequence: numbers are per year.
    year = timezone.localdate().year
    ReportNumberSequence.objects.create(body=commission, year=year - 1, last_number=41)
    old = through_approval(
        provincial_staff,
        leader,
        drafted(
            provincial_staff, commission, period_containing("month", datetime.date(year - 1, 6, 1))
        ),
    )
    old = report_issue(
        actor=as_actor(leader),
        report=old,
        expected_version=old.version,
        issued_on=datetime.date(year - 1, 12, 30),
    )
    assert (old.number, old.year) == (42, year - 1)


def test_a_number_is_never_given_twice_even_when_its_report_is_gone(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    first = through_approval(provincial_staff, leader, drafted(provincial_staff, commission))
    first = report_issue(actor=as_actor(leader), report=first, expected_version=first.version)
    Report.objects.filter(pk=first.pk).delete()  # a data repair outside the services
    second = through_approval(provincial_staff, leader, drafted(provincial_staff, commission))
    second = report_issue(actor=as_actor(leader), report=second, expected_version=second.version)
    assert second.number == 2


def test_only_a_leader_approves_and_issues(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    report = drafted(provincial_staff, commission)
    report = report_edit(
        actor=as_actor(provincial_staff),
        report=report,
        expected_version=report.version,
        proposals="Đề nghị.",
    )
    report = report_submit(
        actor=as_actor(provincial_staff), report=report, expected_version=report.version
    )
    with pytest.raises(PermissionDenied):
        report_approve(
            actor=as_actor(provincial_staff), report=report, expected_version=report.version
        )
    report = report_approve(actor=as_actor(leader), report=report, expected_version=report.version)
    with pytest.raises(PermissionDenied):
        report_issue(
            actor=as_actor(provincial_staff), report=report, expected_version=report.version
        )


def test_submitting_needs_proposals_and_issuing_needs_a_signer(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    report = drafted(provincial_staff, commission)
    refused(
        lambda: report_submit(
            actor=as_actor(provincial_staff), report=report, expected_version=report.version
        ),
        saying="proposals",
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    report = report_edit(
        actor=as_actor(provincial_staff),
        report=report,
        expected_version=report.version,
        proposals="Đề nghị.",
    )
    report = report_submit(
        actor=as_actor(provincial_staff), report=report, expected_version=report.version
    )
    report = report_approve(actor=as_actor(leader), report=report, expected_version=report.version)
    refused(
        lambda: report_issue(
            actor=as_actor(leader), report=report, expected_version=report.version
        ),
        saying="signer",
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.number is None
    assert not ReportNumberSequence.objects.filter(body=commission, last_number__gt=0).exists()


def test_a_stale_page_cannot_overwrite_a_colleagues_edit(
    provincial_staff: Any, commission: Body
) -> None:
    report = drafted(provincial_staff, commission)
    seen = report.version
    report_edit(
        actor=as_actor(provincial_staff), report=report, expected_version=seen, proposals="Một."
    )
    with pytest.raises(StaleReportError):
        report_edit(
            actor=as_actor(provincial_staff), report=report, expected_version=seen, proposals="Hai."
        )
    report.refresh_from_db()
    assert report.proposals == "Một."


def test_bad_edits_are_refused_with_the_field_named(
    provincial_staff: Any, commission: Body
) -> None:
    report = drafted(provincial_staff, commission)
    messages = refused(
        lambda: report_edit(
            actor=as_actor(provincial_staff),
            report=report,
            expected_version=report.version,
            title="",
            format="pdf",
            signer_name="x" * 500,
        )
    )
    assert len(messages) == 3
    report.refresh_from_db()
    assert report.title and report.format == "party"


def test_once_submitted_the_report_is_not_edited_until_returned(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    report = through_approval(provincial_staff, leader, drafted(provincial_staff, commission))
    refused(
        lambda: report_edit(
            actor=as_actor(provincial_staff),
            report=report,
            expected_version=report.version,
            proposals="Sửa.",
        ),
        saying="only a draft",
    )
    refused(
        lambda: report_return(
            actor=as_actor(leader), report=report, expected_version=report.version, note=" "
        ),
        saying="changed",
    )
    report = report_return(
        actor=as_actor(leader),
        report=report,
        expected_version=report.version,
        note="Bổ sung số liệu xã Mường Xén.",
    )
    assert report.status == ReportStatus.DRAFT
    last = report.events.last()
    assert last is not None and last.note == "Bổ sung số liệu xã Mường Xén."
    report = report_edit(
        actor=as_actor(provincial_staff),
        report=report,
        expected_version=report.version,
        proposals="Sửa.",
    )
    assert report.proposals == "Sửa."


def test_an_issued_report_cannot_change(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    report = through_approval(provincial_staff, leader, drafted(provincial_staff, commission))
    report = report_issue(actor=as_actor(leader), report=report, expected_version=report.version)
    for call in (
        lambda: report_edit(
            actor=as_actor(provincial_staff),
            report=report,
            expected_version=report.version,
            proposals="x",
        ),
        lambda: report_refresh(
            actor=as_actor(provincial_staff), report=report, expected_version=report.version
        ),
        lambda: report_return(
            actor=as_actor(leader), report=report, expected_version=report.version, note="x"
        ),
        lambda: report_issue(
            actor=as_actor(leader), report=report, expected_version=report.version
        ),
    ):
        refused(call)
    report.refresh_from_db()
    assert report.number == 1


def test_issuing_before_the_period_ends_or_in_the_future_is_refused(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    report = through_approval(provincial_staff, leader, drafted(provincial_staff, commission))
    for day in (
        report.period_end - datetime.timedelta(days=1),
        timezone.localdate() + datetime.timedelta(days=1),
    ):
        refused(
            lambda day=day: report_issue(  # type: ignore[misc]
                actor=as_actor(leader),
                report=report,
                expected_version=report.version,
                issued_on=day,
            )
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_the_leader_is_told_of_a_submission_and_the_province_of_an_issued_commune_report(
    world: Any, commune_officer: Any, leader: Any, provincial_staff: Any, commission: Body
) -> None:
    from danvan.lib.roles import Role
    from danvan.notifications.models import Notification
    from danvan.organizations.services import membership_add

    commune_body = body_create(
        actor=SYSTEM,
        unit=world.anh_son,
        kind=BodyKind.PARTY_BUILDING_COMMISSION,
        name="Ban Xây dựng Đảng Đảng ủy xã Anh Sơn",
        short_name="BXDĐ",
    )
    membership_add(actor=SYSTEM, user=commune_officer, body=commune_body, role=Role.COMMUNE_OFFICER)
    membership_add(actor=SYSTEM, user=provincial_staff, body=commission, role=Role.PROVINCIAL_STAFF)
    report = drafted(commune_officer, commune_body)
    report = report_edit(
        actor=as_actor(commune_officer),
        report=report,
        expected_version=report.version,
        proposals="Đề nghị.",
        signer_name="Lê Văn Bình",
    )
    report_submit(actor=as_actor(commune_officer), report=report, expected_version=report.version)
    report.refresh_from_db()
    # No leader in the commune: the nearest above (the province's) is asked to approve.
    asked = Notification.objects.get(recipient=leader)
    assert report.title in asked.title
    # The province's leader approves (their scope covers the commune).
    report = report_approve(actor=as_actor(leader), report=report, expected_version=report.version)
    report = report_issue(actor=as_actor(leader), report=report, expected_version=report.version)
    pk = report.pk
    assert report.symbol == "01-BC/BXDĐ"
    told = Notification.objects.filter(recipient=provincial_staff, dedup_key=f"report-issued-{pk}")
    assert told.count() == 1
