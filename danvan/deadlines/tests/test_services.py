from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.deadlines.engine import compute_schedule
from danvan.deadlines.models import CalendarException, RuleSet, TimeLimitRule
from danvan.deadlines.services import (
    calendar_exception_delete,
    calendar_exception_set,
    rule_set_create,
    rule_set_delete,
    rule_set_update,
    time_limit_rule_save,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def in_force() -> RuleSet:
    rule_set = RuleSet.objects.in_force_on(timezone.localdate())
    assert rule_set is not None
    return rule_set


def test_a_new_rule_set_copies_the_rules_and_takes_over_on_its_date(administrator: Any) -> None:
    actor = Actor.of_user(administrator)
    start = timezone.localdate() + datetime.timedelta(days=30)
    current = in_force()
    new = rule_set_create(actor=actor, name="Test decree", effective_from=start, copy_from=current)
    assert new.rules.count() == current.rules.count()
    accept = new.rules.get(kind="complaint_first", step="accept")
    accept.amount = 5
    time_limit_rule_save(actor=actor, rule=accept)

    before = compute_schedule(kind="complaint_first", received=start - datetime.timedelta(days=1))
    after = compute_schedule(kind="complaint_first", received=start)
    assert before.rule_set_id == current.pk and before.step("accept").limit == 7  # type: ignore[union-attr]
    assert after.rule_set_id == new.pk and after.step("accept").limit == 5  # type: ignore[union-attr]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"deadlines.rule_set.create", "deadlines.rule.update"} <= actions


def test_a_rule_set_in_force_cannot_be_changed(administrator: Any) -> None:
    actor = Actor.of_user(administrator)
    current = in_force()
    rule = current.rules.get(kind="complaint_first", step="accept")
    rule.amount = 3
    with pytest.raises(ValidationError, match="new rule set"):
        time_limit_rule_save(actor=actor, rule=rule)
    with pytest.raises(ValidationError):
        rule_set_update(actor=actor, rule_set=current, name="Renamed")
    with pytest.raises(ValidationError):
        rule_set_delete(actor=actor, rule_set=current)
    assert TimeLimitRule.objects.get(pk=rule.pk).amount == 7


def test_a_new_rule_set_cannot_start_today_or_earlier(administrator: Any) -> None:
    with pytest.raises(ValidationError):
        rule_set_create(
            actor=Actor.of_user(administrator),
            name="Backdated",
            effective_from=timezone.localdate(),
        )


def test_a_rule_with_remote_and_complex_limits_needs_both_together(administrator: Any) -> None:
    new = rule_set_create(
        actor=Actor.of_user(administrator),
        name="Future",
        effective_from=timezone.localdate() + datetime.timedelta(days=10),
    )
    rule = TimeLimitRule(
        rule_set=new,
        kind="complaint_first",
        step="resolve",
        counts_from="accepted",
        amount=30,
        unit="days",
        amount_remote=45,
        amount_complex=45,
        citation="Test",
    )
    with pytest.raises(ValidationError, match="both together"):
        time_limit_rule_save(actor=Actor.of_user(administrator), rule=rule)


def test_only_a_system_administrator_changes_time_limits(officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        rule_set_create(
            actor=Actor.of_user(officer),
            name="Not allowed",
            effective_from=timezone.localdate() + datetime.timedelta(days=10),
        )
    with pytest.raises(PermissionDenied):
        calendar_exception_set(
            actor=Actor.of_user(officer), day=D(2027, 1, 2), is_working_day=True, reason="x"
        )


def test_a_calendar_exception_is_audited_and_can_be_withdrawn(administrator: Any) -> None:
    actor = Actor.of_user(administrator)
    exception = calendar_exception_set(
        actor=actor, day=D(2026, 7, 10), is_working_day=False, reason="Quyết định hoán đổi"
    )
    assert compute_schedule(kind="complaint_first", received=D(2026, 7, 1)).due("accept") == D(
        2026, 7, 13
    )
    calendar_exception_set(actor=actor, day=D(2026, 7, 10), is_working_day=False, reason="Sửa")
    assert CalendarException.objects.count() == 1
    calendar_exception_delete(actor=actor, exception=exception)
    assert compute_schedule(kind="complaint_first", received=D(2026, 7, 1)).due("accept") == D(
        2026, 7, 10
    )
    assert AuditEntry.objects.filter(action__startswith="deadlines.calendar").count() == 3
    with pytest.raises(ValidationError):
        calendar_exception_set(actor=actor, day=D(2026, 7, 11), is_working_day=True, reason=" ")
