"""Two reports of one body issued at the same moment get two numbers (PostgreSQL only: SQLite
serializes writers, so there the race cannot happen)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from danvan.audit.context import Actor
from danvan.organizations.models import Body
from danvan.reports.models import Report, ReportNumberSequence
from danvan.reports.services import report_issue
from danvan.reports.tests.test_services import drafted, last_quarter, through_approval

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]


def test_reports_issued_at_once_never_share_a_number(
    provincial_staff: Any, leader: Any, commission: Body
) -> None:
    body = commission
    reports = [
        through_approval(provincial_staff, leader, drafted(provincial_staff, body, last_quarter()))
        for _ in range(4)
    ]
    errors: list[BaseException] = []
    start = threading.Barrier(len(reports))

    def issue(report: Report) -> None:
        try:
            start.wait()
            report_issue(
                actor=Actor.of_user(leader), report=report, expected_version=report.version
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(r,)) for r in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Report.objects.filter(body=body).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert ReportNumberSequence.objects.get(body=body).last_number == 4
