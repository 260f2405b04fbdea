"""The shared path of an issued document (``reports.workflow``), as a decision takes it: every
step leaves its history row and its audit row, each naming the same change of status."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.decisions.services import (
    StaleDecisionError,
    decision_issue,
    decision_return,
    decision_submit,
)
from danvan.decisions.tests.helpers import drafted
from danvan.reports.workflow import StaleDocumentError

pytestmark = pytest.mark.django_db


def test_every_step_of_a_decision_writes_its_history_row_and_its_audit_row(
    complaint: Any, commune_officer: Any, leader: Any
) -> None:
    officer, head = Actor.of_user(commune_officer), Actor.of_user(leader)
    decision = drafted(complaint, commune_officer)
    decision = decision_submit(actor=officer, decision=decision, expected_version=decision.version)
    decision = decision_return(
        actor=head, decision=decision, expected_version=decision.version, note="Bổ sung căn cứ."
    )
    decision = decision_submit(actor=officer, decision=decision, expected_version=decision.version)
    decision = decision_issue(
        actor=head,
        decision=decision,
        expected_version=decision.version,
        issued_on=datetime.date(2025, 12, 20),
    )

    assert [(e.action, e.from_status, e.to_status, e.note) for e in decision.events.all()] == [
        ("drafted", "", "draft", ""),
        ("edited", "", "draft", ""),
        ("submitted", "draft", "submitted", ""),
        ("returned", "submitted", "draft", "Bổ sung căn cứ."),
        ("submitted", "draft", "submitted", ""),
        ("issued", "submitted", "issued", decision.symbol),
    ]
    audits = list(
        AuditEntry.objects.filter(
            object_id=str(decision.pk),
            action__in=["decision.submit", "decision.return", "decision.issue"],
        ).order_by("id")
    )
    assert [(a.action, a.changes["status"]) for a in audits] == [
        ("decision.submit", ["draft", "submitted"]),
        ("decision.return", ["submitted", "draft"]),
        ("decision.submit", ["draft", "submitted"]),
        ("decision.issue", ["submitted", "issued"]),
    ]
    assert audits[1].changes["note"] == "Bổ sung căn cứ."
    assert audits[-1].changes["symbol"] == decision.symbol


def test_a_stale_decision_is_a_stale_document(complaint: Any, commune_officer: Any) -> None:
    decision = drafted(complaint, commune_officer)
    with pytest.raises(StaleDocumentError) as refused:
        decision_submit(
            actor=Actor.of_user(commune_officer),
            decision=decision,
            expected_version=decision.version + 1,
        )
    assert isinstance(refused.value, StaleDecisionError)
