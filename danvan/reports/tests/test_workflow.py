"""The shared path of an issued document (``reports.workflow``), as a report takes it: every step
leaves its history row and its audit row, each naming the same change of status."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.audit.models import AuditEntry
from danvan.organizations.models import Body
from danvan.reports.services import (
    StaleReportError,
    report_approve,
    report_edit,
    report_issue,
    report_return,
    report_submit,
)
from danvan.reports.tests.test_services import as_actor, drafted
from danvan.reports.workflow import StaleDocumentError

pytestmark = pytest.mark.django_db

TEXTS = {
    "proposals": "Đề nghị Tỉnh ủy chỉ đạo giải quyết dứt điểm các vụ việc đất đai.",
    "signer_name": "Nguyễn Văn A",
}


def test_every_step_of_a_report_writes_its_history_row_and_its_audit_row(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    staff, head = as_actor(provincial_staff), as_actor(leader)
    report = drafted(provincial_staff, commission)
    report = report_edit(actor=staff, report=report, expected_version=report.version, **TEXTS)
    report = report_submit(actor=staff, report=report, expected_version=report.version)
    report = report_return(
        actor=head, report=report, expected_version=report.version, note="Thêm số liệu."
    )
    report = report_submit(actor=staff, report=report, expected_version=report.version)
    report = report_approve(actor=head, report=report, expected_version=report.version)
    report = report_issue(actor=head, report=report, expected_version=report.version)

    steps = [
        (e.action, e.from_status, e.to_status, e.note)
        for e in report.events.filter(action__in=["submitted", "returned", "approved", "issued"])
    ]
    assert steps == [
        ("submitted", "draft", "submitted", ""),
        ("returned", "submitted", "draft", "Thêm số liệu."),
        ("submitted", "draft", "submitted", ""),
        ("approved", "submitted", "approved", ""),
        ("issued", "approved", "issued", ""),
    ]
    audits = list(
        AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="report.")
        .exclude(action__in=["report.generate", "report.edit"])
        .order_by("id")
    )
    assert [(a.action, a.changes["status"]) for a in audits] == [
        ("report.submit", ["draft", "submitted"]),
        ("report.return", ["submitted", "draft"]),
        ("report.submit", ["draft", "submitted"]),
        ("report.approve", ["submitted", "approved"]),
        ("report.issue", ["approved", "issued"]),
    ]
    assert audits[1].changes["note"] == "Thêm số liệu."
    assert audits[-1].changes["symbol"] == report.symbol
    assert audits[-1].changes["sha256"] == report.document_sha256
    # Each step raised the version: a page loaded before any of them is refused as stale.
    assert report.version == 7


def test_a_stale_report_is_a_stale_document(provincial_staff: Any, commission: Body) -> None:
    report = drafted(provincial_staff, commission)
    with pytest.raises(StaleDocumentError) as refused:
        report_submit(
            actor=as_actor(provincial_staff), report=report, expected_version=report.version + 1
        )
    assert isinstance(refused.value, StaleReportError)
